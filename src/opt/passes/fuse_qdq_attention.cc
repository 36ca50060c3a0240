// FuseQdqAttention: a com.microsoft Attention whose input and QKV weight come through QDQ -> com.microsoft QAttention
// (ONNX Runtime's quantizer turns Attention into QAttention the same way).
//
//   static:
//     x_q (uint8) ─► DequantizeLinear(s_x, zp_x) ─┐
//     W_q (const) ─► DequantizeLinear(s_w, zp_w) ─► Attention(·, ·, bias, mask, past) ─► y [, present]
//   =>
//     QAttention(x_q, W_q, bias, s_x, s_w, mask, zp_x, zp_w, past) ─► y [, present]
//
//   dynamic:
//     x ─► DynamicQuantizeLinear ─(x_q, s, zp)─► DequantizeLinear ─┐
//                  W_q (const) ─► DequantizeLinear(s_w, zp_w) ────► Attention(...) ─► y
//   =>
//     x ─► DynamicQuantizeLinear ─(x_q, s, zp)─► QAttention(x_q, W_q, bias, s, s_w, mask, zp, zp_w, past) ─► y
//
// Preconditions: those of FuseQdqMatMul for the activation and weight (qdq_match.h; W_q [Din, 3H], scale per
// tensor or per column of 3H); the Attention has no attention_bias / past_sequence_length inputs and none of the
// attributes QAttention lacks (qkv_hidden_sizes, do_rotary, past_present_share_buffer). A missing Attention bias
// becomes a zero initializer (QAttention requires one). num_heads, unidirectional, mask_filter_value and scale are
// carried over. Fuses only when the EP supports QAttention.
#include <set>

#include "src/opt/passes/passes.h"
#include "src/opt/passes/qdq_match.h"

namespace onyx::opt {

namespace {

bool fusable_attention(const ir::Node& n) {
  if (n.op_type != "Attention" || n.domain != kMsDomain || n.outputs.empty() || n.inputs.size() < 2) return false;
  for (size_t i = 5; i < n.inputs.size(); ++i)
    if (n.has_input(i)) return false;  // attention_bias, past_sequence_length
  return !n.has_attribute("qkv_hidden_sizes") && n.attr_int("do_rotary", 0) == 0 &&
         n.attr_int("past_present_share_buffer", 0) == 0;
}

class FuseQdqAttentionPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseQdqAttention"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    if (!ctx.supports(graph, "QAttention", kMsDomain)) return ok_status();
    GraphEditor editor(graph);
    std::vector<qdq::ActivationDq> activations;
    std::set<const ir::Node*> fused;
    int count = 0;
    for (const ir::Node& att : graph.nodes) {
      if (!fusable_attention(att) || editor.is_removed(att)) continue;
      auto w = qdq::match_weight(editor, att, 1);
      if (!w) continue;
      auto x = qdq::match_activation(editor, att, 0);
      if (!x) continue;
      std::string bias = att.has_input(2) ? att.inputs[2] : "";
      if (bias.empty())
        bias = editor.add_initializer(
            att.name + "_zero_bias", Tensor::from_vector<float>({w->n}, std::vector<float>(static_cast<size_t>(w->n))));
      auto input = [&](size_t i) { return att.has_input(i) ? att.inputs[i] : std::string(); };
      std::vector<std::string> inputs = {x->x_q,   w->w,          bias,          x->scale, w->scale,
                                         input(3), x->zero_point, w->zero_point, input(4)};
      while (!inputs.empty() && inputs.back().empty()) inputs.pop_back();
      ir::Node q = make_node("QAttention", kMsDomain, std::move(inputs), att.outputs,
                             att.name.empty() ? "" : att.name + "_QAttention");
      for (const char* a : {"num_heads", "unidirectional", "mask_filter_value", "scale"})
        if (const ir::Attribute* attr = att.find_attribute(a)) q.attributes[a] = *attr;
      editor.remove({&att, w->dq});
      editor.add(std::move(q));
      fused.insert(&att);
      qdq::ActivationDq kept = *x;
      kept.dynamic = nullptr;  // QAttention reads the DynamicQuantizeLinear's outputs: it stays
      activations.push_back(kept);
      ++count;
    }
    if (count == 0) return ok_status();
    qdq::remove_dead_activations(editor, activations, fused);
    editor.ensure_opset(kMsDomain, 1);
    ctx.record("QAttention", count);
    changed = true;
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_qdq_attention_pass() { return std::make_unique<FuseQdqAttentionPass>(); }

}  // namespace onyx::opt
