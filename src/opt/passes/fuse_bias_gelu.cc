// FuseBiasGelu: Add(bias) + Gelu -> com.microsoft.BiasGelu; Add(bias) + FastGelu -> FastGelu with bias.
//
//   y ─► Add(bias) ─► Gelu ─► z        =>   y, bias ─► BiasGelu ─► z
//   y ─► Add(bias) ─► FastGelu ─► z    =>   y, bias ─► FastGelu(y, bias) ─► z
//
// The Add is the dense layer's bias (MatMul + Add before the activation in BERT-style FFNs). `bias` is a constant
// 1-D tensor (initializer or Constant) of y's last dimension, as the contrib ops require; operands in either order.
// y's last dimension must be known: declared/inferred, or the N of a MatMul/Gemm with a constant [K, N] weight
// producing y. The Add's output must be read by the Gelu only. Runs after FuseGelu / FuseFastGelu (pass_registry.cc).
#include "src/opt/passes/gelu_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

// y's last dimension if it can be proven, else -1.
int64_t last_dim(const GraphEditor& editor, const std::string& y) {
  const ValueInfo* vi = editor.info(y);
  if (vi && vi->has_shape && !vi->shape.empty() && vi->shape.back().is_fixed()) return vi->shape.back().value;
  const ir::Node* p = editor.producer(y);
  if (p && p->domain.empty() && p->op_type == "MatMul" && p->has_input(1)) {
    const Tensor* w = editor.constant(p->inputs[1]);
    if (w && w->shape().size() >= 2) return w->shape().back();
  }
  return -1;
}

// The bias Add feeding `act` (a Gelu or a FastGelu without bias): {y, bias} or nothing.
std::optional<std::pair<std::string, std::string>> match_bias_add(const GraphEditor& editor, const ir::Node& act) {
  const ir::Node* add = editor.parent(act, 0, "Add");
  if (!add || !add->domain.empty() || !add->has_input(0) || !add->has_input(1) || editor.is_removed(*add))
    return std::nullopt;
  if (!editor.only_used_inside({add, &act}, {act.outputs[0]})) return std::nullopt;
  for (int b = 1; b >= 0; --b) {
    const std::string& bias = add->inputs[b];
    const std::string& y = add->inputs[1 - b];
    const Tensor* t = editor.constant(bias);
    if (!t || t->shape().size() != 1 || editor.constant(y)) continue;
    if (editor.dtype(y) != DType::kUndefined && editor.dtype(y) != t->dtype()) continue;
    if (!gelu::is_float_or_unknown(t->dtype()) || last_dim(editor, y) != t->shape()[0]) continue;
    return std::make_pair(y, bias);
  }
  return std::nullopt;
}

class FuseBiasGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseBiasGelu"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    GraphEditor editor(graph);
    const bool bias_gelu = ctx.supports(graph, "BiasGelu", ir::kMsDomain);
    const bool fast_gelu = ctx.supports(graph, "FastGelu", ir::kMsDomain);
    int fused_bias_gelu = 0, fused_fast_gelu = 0;
    for (const ir::Node& act : graph.nodes) {
      if (act.domain != ir::kMsDomain || act.outputs.empty() || editor.is_removed(act)) continue;
      const bool is_gelu = act.op_type == "Gelu" && bias_gelu;
      const bool is_fast = act.op_type == "FastGelu" && fast_gelu && !act.has_input(1);
      if (!is_gelu && !is_fast) continue;
      auto m = match_bias_add(editor, act);
      if (!m) continue;
      const ir::Node* add = editor.producer(act.inputs[0]);
      editor.remove({add, &act});
      const std::string op = is_gelu ? "BiasGelu" : "FastGelu";
      editor.add(make_node(op, ir::kMsDomain, {m->first, m->second}, {act.outputs[0]}, gelu::fused_name(act, op)));
      ++(is_gelu ? fused_bias_gelu : fused_fast_gelu);
    }
    if (fused_bias_gelu) ctx.record("BiasGelu", fused_bias_gelu);
    // A FastGelu that takes the bias replaces a FastGelu (already recorded when it was fused): a rewrite, not a new op.
    if (fused_fast_gelu) ctx.count("FuseBiasGelu", fused_fast_gelu);
    changed = fused_bias_gelu + fused_fast_gelu > 0;
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_bias_gelu_pass() { return std::make_unique<FuseBiasGeluPass>(); }

}  // namespace onyx::opt
