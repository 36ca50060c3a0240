// FuseCausalAttention: GPT-2 style causal self-attention (with or without past key/values) -> com.microsoft Attention /
// MultiHeadAttention.
//
//   x [B, S, hidden]
//     |
//   Reshape [-1, hidden] -> Gemm(W [hidden, 3 hidden], b) -> Reshape [B, S, 3 hidden]   (or MatMul(x, W) + b)
//     |
//   Split(axis 2, 3 equal parts)
//     |q                 |k                          |v
//   Reshape [B,S,N,Dh]  Reshape                     Reshape
//   Transpose 0213      Transpose 0213              Transpose 0213
//     |                  |                           |
//     |     past_key -> Concat(axis -2) = present   Concat(past_value, .) = present_value   (with past only)
//     |                  |
//     |                 Transpose 0132   (no past: one Transpose 0231 of the Reshape)
//      \                /                            |
//       MatMul  q @ k^T                              |
//         |                                          |
//       (Div sqrt(Dh) | Div c | Mul c)*  -> scale     |
//         |                                          |
//       Where(bias[:, :, T-S:T, :T], ., fill)   bias = constant lower-triangular [1, 1, M, M]
//         |                                      (transformers < 4: w * bias - 1e4 * (1 - bias), float bias, the
//         |                                       lengths read from the scores' shape)
//         |
//       Add((1 - Cast(Unsqueeze(mask))) * c)       (optional: raw 2-D attention mask [B, T])
//         |
//       Softmax(-1)                                  |
//         \                                          |
//          MatMul  probs @ v  <----------------------+
//            |
//          Transpose 0213 -> Reshape [B, S, hidden] -> out
//
// ==> without past: Attention(x, W, b, mask_index = Cast(mask -> int32)) {num_heads, unidirectional = 1,
//                   mask_filter_value = c}   (when the projection matches; otherwise MultiHeadAttention(q, k, v))
//     with past:    MultiHeadAttention(q, k, v, bias = "", key_padding_mask = Cast(mask -> int32), "", past_key,
//                   past_value) -> (out, present_key, present_value) {num_heads, unidirectional = 1,
//                   mask_filter_value = c}
//
// ONNX Runtime's semantics: a 0 in the raw mask adds mask_filter_value to the scaled scores and a future key gets the
// lowest float, which is what the exported graph computes (the causal fill, then c * (1 - m) added) on every query
// row whose causal window holds at least one unmasked key: every row of a real token (it sees itself). A padded query
// whose whole window is padding (left padding without past) is a garbage row that can differ: with c = finfo.min the
// graph saturates to -inf / finfo.min and spreads over some keys, ORT's op over others. The Casts (to float) around
// the scores go with the fused nodes; the Split stays when MultiHeadAttention reads it. The Shape -> Gather -> Concat
// chains computing the matched Reshape shapes and the causal slice go with the fused nodes. Other padding-mask forms
// (bool, Where, -10000) are recognised by FuseAttention's matcher (attention_match.h).
#include <cmath>
#include <map>

#include "src/ep/cpu/kernels/tensor/transpose.h"
#include "src/opt/passes/attention_match.h"
#include "src/opt/passes/causal_attention_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

using ir::kMsDomain;

Tensor transposed_2d(const Tensor& t) {
  Tensor out = Tensor::empty(t.dtype(), {t.dim(1), t.dim(0)});
  const int64_t perm[] = {1, 0};
  cpu::transpose(t.raw_data(), out.raw_data(), t.shape(), perm, dtype_size(t.dtype()));
  return out;
}

class FuseCausalAttentionPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseCausalAttention"; }
  Level level() const override { return Level::kExtended; }

  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    const bool attention_ok = ctx.supports(graph, "Attention", kMsDomain);
    const bool mha_ok = ctx.supports(graph, "MultiHeadAttention", kMsDomain);
    if (!attention_ok && !mha_ok) return ok_status();
    GraphEditor e(graph);
    std::map<std::string, std::string> int32_mask;  // raw mask -> its int32 Cast
    auto mask_input = [&](const std::string& mask) -> std::string {
      if (mask.empty()) return {};
      auto it = int32_mask.find(mask);
      if (it != int32_mask.end()) return it->second;
      return int32_mask[mask] = attn::raw_mask_index(e, mask);
    };
    int fused = 0;
    for (const ir::Node& node : graph.nodes) {
      if (node.op_type != "Softmax" || !node.domain.empty() || e.is_removed(node)) continue;
      auto m = match_causal_attention(e, node);
      if (!m) continue;
      bool any_removed = false;
      for (const ir::Node* n : m->nodes) any_removed = any_removed || e.is_removed(*n);
      if (any_removed) continue;
      std::vector<std::string> keep = {m->output};
      if (!m->present_key.empty()) keep.insert(keep.end(), {m->present_key, m->present_value});

      // The merge Reshape's shape input survives only when a Reshape after the fused op still needs it.
      const std::string kept_merge_shape = m->merge_is_3d ? std::string() : m->merge_shape;
      // Attention (no past, fused projection, its inputs removable) or MultiHeadAttention on the Split outputs.
      std::vector<const ir::Node*> nodes;
      ir::Node fused_node;
      if (attention_ok && m->past_key.empty() && m->projection) {
        nodes = m->nodes;
        nodes.insert(nodes.end(), m->projection->nodes.begin(), m->projection->nodes.end());
        std::vector<std::string> protect = {m->projection->input, m->projection->weights, m->projection->bias, m->mask,
                                            kept_merge_shape};
        absorb_dead_producers(e, nodes, protect);
        if (e.only_used_inside(nodes, keep)) {
          std::string weights = m->projection->weights;
          if (m->projection->transpose_weights)
            weights = e.add_initializer(weights + "_t", transposed_2d(*e.constant(weights)));
          fused_node =
              make_node("Attention", kMsDomain,
                        {m->projection->input, weights, m->projection->bias, mask_input(m->mask)}, {m->output});
        }
      }
      if (fused_node.op_type.empty() && mha_ok) {
        nodes = m->nodes;
        absorb_dead_producers(e, nodes, {m->q, m->k, m->v, m->past_key, m->past_value, m->mask, kept_merge_shape});
        if (!e.only_used_inside(nodes, keep)) continue;
        fused_node = make_node("MultiHeadAttention", kMsDomain,
                               {m->q, m->k, m->v, "", mask_input(m->mask), "", m->past_key, m->past_value},
                               {m->output, m->present_key, m->present_value});
        while (!fused_node.inputs.empty() && fused_node.inputs.back().empty()) fused_node.inputs.pop_back();
        while (!fused_node.outputs.empty() && fused_node.outputs.back().empty()) fused_node.outputs.pop_back();
      }
      if (fused_node.op_type.empty()) continue;
      while (!fused_node.inputs.empty() && fused_node.inputs.back().empty()) fused_node.inputs.pop_back();
      fused_node.attributes["num_heads"] = int_attr(m->num_heads);
      fused_node.attributes["unidirectional"] = int_attr(1);
      if (!m->mask.empty()) fused_node.attributes["mask_filter_value"] = float_attr(m->mask_filter_value);
      if (m->scale) fused_node.attributes["scale"] = float_attr(*m->scale);
      fused_node.name = node.name.empty() ? std::string() : node.name + "_causal_attention";
      ctx.record(fused_node.op_type);
      e.remove(nodes);
      if (!m->merge_is_3d) {
        // The fused op gives [B, S, hidden]; the merge Reshape's own target shape restores what its readers expect.
        const std::string context = e.unique_name(m->output + "_context");
        fused_node.outputs[0] = context;
        e.add(make_node("Reshape", "", {context, m->merge_shape}, {m->output}));
      }
      e.add(std::move(fused_node));
      ++fused;
    }
    if (fused == 0) return ok_status();
    e.ensure_opset(kMsDomain, 1);
    e.commit();
    changed = true;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_causal_attention_pass() { return std::make_unique<FuseCausalAttentionPass>(); }

}  // namespace onyx::opt
