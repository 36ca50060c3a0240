// FuseAttention: encoder self-attention -> com.microsoft.Attention.
//
//          x─────────────────────────┬──────────────────────────────┐
//          MatMul(Wq) [+ bq]         MatMul(Wk) [+ bk]              MatMul(Wv) [+ bv]
//          Reshape [B,S,N,D]         Reshape [B,S,N,D]              Reshape [B,S,N,D]
//          Transpose 0213            Transpose 0231                 Transpose 0213
//          [Mul|Div c]*              (or 0213 then 0132)            │
//               │                    [Mul|Div c]*                   │
//               └── MatMul(q, k^T) ──┘                              │
//                   [Mul|Div c]*                                    │
//                   [Add(term)]* / [Where(mask, fill, scores)]      │
//                   [Cast]                                          │
//                   Softmax(-1) ── [Identity] ── MatMul(probs, v) ──┘
//                                                Transpose 0213
//                                                Reshape [B, S, hidden] ──► context (the output projection follows)
//   becomes
//      x ── Attention(x, [Wq|Wk|Wv], [bq|bk|bv], mask_index?, , attention_bias?) ──► context
//           num_heads, scale (when not 1/sqrt(head_size)), mask_filter_value (when the mask's value is not -10000)
//
// Terms added to the scores: a padding mask computed from a raw [B, T] graph input ((1 - m) * c, Where(m == 0, c),
// bool masks; see attention_match.h) becomes mask_index = Cast(m -> int32) with mask_filter_value = c; every other
// term (relative position bias; T5's position bias + mask sum) is summed into attention_bias, which ORT requires to
// be [B or 1, N or 1, S, T]. The output projection MatMul and its bias stay (SkipLayerNorm takes the bias).
#include <cmath>

#include "src/opt/passes/attention_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

using attn::HeadLayout;
using attn::HeadSplit;

// The scores between MatMul(q, k^T) and Softmax.
struct Scores {
  const ir::Node* qk = nullptr;
  std::vector<const ir::Node*> nodes;  // Add / Where / Mul / Div / Cast nodes on the path
  std::vector<std::string> bias_terms;
  std::optional<attn::PaddingMask> mask;
  double scale = 1.0;
  std::vector<std::pair<std::string, int>> pending_scales;  // shape-derived factors (see HeadSplit)
  bool scaled_above = false;  // a scale node was seen closer to the Softmax than the current node
};

bool add_term(const GraphEditor& e, Scores& s, const std::string& term) {
  if (s.scaled_above) return false;  // (qk + term) * c would scale the term too
  if (!s.mask) {
    if (auto m = attn::match_padding_mask_term(e, term)) {
      s.mask = m;
      return true;
    }
  }
  // attention_bias must be rank 4 with dims 2, 3 = S, T (no broadcasting there): a term of unknown shape, or one
  // broadcast over the queries ([B, 1, 1, T]: a mask form not recognised above), cannot be passed.
  const ValueInfo* vi = e.info(term);
  if (!vi || !vi->has_shape || vi->shape.size() != 4) return false;
  if (vi->shape[2].is_fixed() && vi->shape[2].value == 1) return false;
  s.bias_terms.push_back(term);
  return true;
}

bool parse_scores(const GraphEditor& e, const std::string& value, Scores& s, int depth) {
  if (depth > 12) return false;
  const ir::Node* p = e.producer(value);
  if (!p || !p->domain.empty()) return false;
  const std::string& op = p->op_type;
  if (op == "MatMul") {
    s.qk = p;
    return true;
  }
  if (op == "Cast") {
    const DType in = e.dtype(p->inputs[0]);
    if (p->attr_int("to", 0) != static_cast<int64_t>(DType::kFloat32) ||
        (in != DType::kFloat32 && in != DType::kUndefined))
      return false;
    s.nodes.push_back(p);
    return parse_scores(e, p->inputs[0], s, depth + 1);
  }
  if (op == "Mul" || op == "Div") {
    if (auto m = attn::match_scale(e, *p)) {
      s.nodes.push_back(p);
      s.scale *= m->second;
      s.scaled_above = true;
      return parse_scores(e, m->first, s, depth + 1);
    }
    // A factor computed from shapes: the data operand is the one the scores path continues through.
    for (int i = 0; i < (op == "Div" ? 1 : 2); ++i) {
      Scores trial = s;
      trial.nodes.push_back(p);
      trial.pending_scales.emplace_back(p->inputs[1 - i], op == "Div" ? -1 : 1);
      trial.scaled_above = true;
      if (parse_scores(e, p->inputs[i], trial, depth + 1)) {
        s = std::move(trial);
        return true;
      }
    }
    return false;
  }
  if (op == "Add") {
    for (int i = 0; i < 2; ++i) {
      Scores trial = s;
      trial.nodes.push_back(p);
      if (!add_term(e, trial, p->inputs[1 - i])) continue;
      if (parse_scores(e, p->inputs[i], trial, depth + 1)) {
        s = std::move(trial);
        return true;
      }
    }
    return false;
  }
  if (op == "Where") {
    for (int i : {2, 1}) {
      if (s.mask || s.scaled_above) return false;
      auto m = attn::match_padding_mask_where(e, *p, i);
      if (!m) continue;
      Scores trial = s;
      trial.nodes.push_back(p);
      trial.mask = m;
      if (parse_scores(e, p->inputs[i], trial, depth + 1)) {
        s = std::move(trial);
        return true;
      }
    }
    return false;
  }
  return false;
}

class FuseAttentionPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseAttention"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!ctx.supports(graph, "Attention", ir::kMsDomain)) return ok_status();
    GraphEditor e(graph);
    int fused = 0;
    for (const ir::Node& softmax : graph.nodes) {
      if (softmax.op_type != "Softmax" || !softmax.domain.empty() || e.is_removed(softmax)) continue;
      if (fuse_one(e, softmax, ctx)) ++fused;
    }
    if (fused) {
      e.ensure_opset(ir::kMsDomain, 1);
      e.commit();
      changed = true;
    }
    return ok_status();
  }

 private:
  static bool fuse_one(GraphEditor& e, const ir::Node& softmax, PassContext& ctx) {
    const int64_t axis = softmax.attr_int("axis", -1);
    if (axis != -1 && axis != 3) return false;
    // Downward: probs (through Identity / inference Dropout) @ v -> Transpose -> Reshape.
    std::vector<const ir::Node*> passthrough;
    const ir::Node* pv = e.only_child(softmax);
    while (pv && pv->domain.empty() && (pv->op_type == "Identity" || pv->op_type == "Dropout") &&
           passthrough.size() < 4) {
      if (pv->outputs.size() > 1 && !pv->outputs[1].empty() && !e.consumers(pv->outputs[1]).empty()) return false;
      passthrough.push_back(pv);
      pv = e.only_child(*pv);
    }
    if (!pv || pv->op_type != "MatMul" || !pv->domain.empty()) return false;
    const std::string probs = passthrough.empty() ? softmax.outputs[0] : passthrough.back()->outputs[0];
    if (pv->inputs[0] != probs) return false;
    auto merge = attn::match_head_merge(e, pv->outputs[0]);
    if (!merge) return false;
    auto v = attn::match_head_split(e, pv->inputs[1], HeadLayout::kHeadsFirst, /*allow_scale=*/false);
    if (!v) return false;
    // Upward: the scores.
    Scores s;
    if (!parse_scores(e, softmax.inputs[0], s, 0) || !s.qk) return false;
    auto q = attn::match_head_split(e, s.qk->inputs[0], HeadLayout::kHeadsFirst, true);
    auto k = attn::match_head_split(e, s.qk->inputs[1], HeadLayout::kKeyTransposed, true);
    if (!q || !k) return false;
    const std::string& x = q->proj.input;
    if (k->proj.input != x || v->proj.input != x) return false;  // not self-attention
    const int64_t hidden = q->proj.out_features;
    if (k->proj.out_features != hidden || v->proj.out_features != hidden) return false;
    int64_t heads = q->num_heads ? q->num_heads : (k->num_heads ? k->num_heads : v->num_heads);
    for (int64_t h : {q->num_heads, k->num_heads, v->num_heads})
      if (h && h != heads) return false;
    if (heads <= 0 || hidden % heads != 0) return false;
    const int64_t head_size = hidden / heads;
    std::vector<std::pair<std::string, int>> pending = s.pending_scales;
    std::vector<std::string> head_size_values;
    for (const HeadSplit* h : {&*q, &*k, &*v}) {
      pending.insert(pending.end(), h->pending_scales.begin(), h->pending_scales.end());
      head_size_values.insert(head_size_values.end(), h->head_size_values.begin(), h->head_size_values.end());
    }
    auto shape_scale = attn::resolve_scales(e, pending, head_size_values, head_size);
    if (!shape_scale) return false;
    const double scale = s.scale * q->scale * k->scale * *shape_scale;
    // Weights.
    auto wq = q->proj.weight_value(e), wk = k->proj.weight_value(e), wv = v->proj.weight_value(e);
    if (!wq || !wk || !wv) return false;
    auto w = attn::concat_columns({&*wq, &*wk, &*wv});
    // float32 only: the PassContext cannot say which dtypes an EP's kernel takes, and the CPU kernel is fp32.
    const DType x_dtype = e.dtype(x);
    if (!w || w->dtype() != DType::kFloat32 || (x_dtype != DType::kFloat32 && x_dtype != DType::kUndefined))
      return false;
    auto b = attn::concat_vectors({q->proj.bias_tensor(e), k->proj.bias_tensor(e), v->proj.bias_tensor(e)},
                                  {hidden, hidden, hidden}, w->dtype());
    if (!b) return false;
    // Nodes replaced: projections, head splits, scores, softmax, context.
    std::vector<const ir::Node*> nodes = {&softmax, pv, merge->first, merge->second};
    nodes.insert(nodes.end(), passthrough.begin(), passthrough.end());
    for (const HeadSplit* h : {&*q, &*k, &*v}) {
      nodes.push_back(h->proj.matmul);
      if (h->proj.bias_add) nodes.push_back(h->proj.bias_add);
      nodes.insert(nodes.end(), h->nodes.begin(), h->nodes.end());
    }
    nodes.push_back(s.qk);
    nodes.insert(nodes.end(), s.nodes.begin(), s.nodes.end());
    auto side = attn::shape_side_chains(e, nodes);
    nodes.insert(nodes.end(), side.begin(), side.end());
    const std::string& out = merge->second->outputs[0];
    if (!e.only_used_inside(nodes, {out})) return false;
    for (const ir::Node* n : nodes)
      if (e.is_removed(*n)) return false;

    // Emit.
    const std::string tag = q->proj.matmul->name.empty() ? std::string("attention") : q->proj.matmul->name;
    const std::string w_name = e.add_initializer(tag + "_qkv_weight", std::move(*w));
    const std::string b_name = e.add_initializer(tag + "_qkv_bias", std::move(*b));
    std::string mask_index;
    if (s.mask) mask_index = attn::raw_mask_index(e, s.mask->raw_mask);
    std::string bias;
    for (const std::string& t : s.bias_terms) {
      if (bias.empty()) {
        bias = t;
        continue;
      }
      const std::string sum = e.unique_name("attention_bias_sum");
      e.add(make_node("Add", "", {bias, t}, {sum}));
      bias = sum;
    }
    std::vector<std::string> inputs = {x, w_name, b_name, mask_index, "", bias};
    while (!inputs.empty() && inputs.back().empty()) inputs.pop_back();
    ir::Node node = make_node("Attention", ir::kMsDomain, std::move(inputs), {out}, e.unique_name("Attention"));
    node.attributes["num_heads"] = int_attr(heads);
    if (std::fabs(scale * std::sqrt(static_cast<double>(head_size)) - 1.0) > 1e-6)
      node.attributes["scale"] = float_attr(static_cast<float>(scale));
    if (s.mask && s.mask->filter_value != -10000.0)
      node.attributes["mask_filter_value"] = float_attr(static_cast<float>(s.mask->filter_value));
    e.remove(nodes);
    e.add(std::move(node));
    ctx.record("Attention");
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_attention_pass() { return std::make_unique<FuseAttentionPass>(); }

}  // namespace onyx::opt
