// FuseQdqMatMul: QDQ-quantized MatMuls -> com.microsoft MatMulIntegerToFloat / DynamicQuantizeMatMul (ONNX
// Runtime's QDQ selector/action fusions for MatMul).
//
//   static:
//     x ─► QuantizeLinear(s_x, zp_x) ─► x_q ─► DequantizeLinear(s_x, zp_x) ─┐
//                          W_q (const) ─► DequantizeLinear(s_w, zp_w) ─────► MatMul ─► [Add(bias)] ─► y
//   =>
//     x ─► QuantizeLinear(s_x, zp_x) ─► x_q ─► MatMulIntegerToFloat(x_q, W_q, s_x, s_w, zp_x, zp_w, [bias]) ─► y
//
//   dynamic:
//     x ─► DynamicQuantizeLinear ─(x_q, s, zp)─► DequantizeLinear ─┐
//               W_q (const) ─► DequantizeLinear(s_w, zp_w) ────────► MatMul ─► [Add(bias)] ─► y
//   =>
//     x ─► DynamicQuantizeMatMul(x, W_q, s_w, zp_w, [bias]) ─► y
//
// Preconditions (qdq_match.h): x_q uint8 with one constant scale / zero point (the com.microsoft kernels take a
// uint8 activation with per-tensor parameters); W_q a constant int8 / uint8 [K, N] whose DequantizeLinear only this
// MatMul reads, scale per tensor or per column (axis 1: the output axis; per-row scales cannot be applied after an
// integer product), zero point of W_q's dtype. bias: the MatMul's only reader is an Add whose other input is a
// constant float32 [N]. The activation DequantizeLinear (and a DynamicQuantizeLinear) is removed once every reader
// is fused; the QuantizeLinear stays (it produces x_q). Fuses only ops the EP supports.
// Exactness: the fused ops compute sum (x_q - zp_x)(W_q - zp_w) in int32 (exact) and scale once, where the fp32
// graph rounds each dequantized value and each partial sum: outputs differ by fp32 rounding only.
#include <set>

#include "src/opt/passes/passes.h"
#include "src/opt/passes/qdq_match.h"

namespace onyx::opt {

namespace {

// The bias Add reading `matmul`'s output (its only reader): {add, bias} when the other input is a constant
// float32 [n].
std::optional<std::pair<const ir::Node*, std::string>> match_bias(const GraphEditor& editor, const ir::Node& matmul,
                                                                  int64_t n) {
  const std::string& y = matmul.outputs[0];
  const auto& readers = editor.consumers(y);
  if (readers.size() != 1 || editor.is_graph_output(y)) return std::nullopt;
  const ir::Node* add = readers[0];
  if (add->op_type != "Add" || !add->domain.empty() || editor.is_removed(*add) || add->inputs.size() != 2 ||
      add->outputs.empty())
    return std::nullopt;
  const int other = GraphEditor::other_input(*add, y);
  if (other < 0) return std::nullopt;
  const Tensor* b = editor.constant(add->inputs[static_cast<size_t>(other)]);
  if (!b || b->dtype() != DType::kFloat32 || b->rank() != 1 || b->dim(0) != n) return std::nullopt;
  return std::make_pair(add, add->inputs[static_cast<size_t>(other)]);
}

class FuseQdqMatMulPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseQdqMatMul"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    GraphEditor editor(graph);
    const bool static_ok = ctx.supports(graph, "MatMulIntegerToFloat", kMsDomain);
    const bool dynamic_ok = ctx.supports(graph, "DynamicQuantizeMatMul", kMsDomain);
    if (!static_ok && !dynamic_ok) return ok_status();
    std::vector<qdq::ActivationDq> activations;
    std::set<const ir::Node*> fused;
    int fused_static = 0, fused_dynamic = 0;
    for (const ir::Node& mm : graph.nodes) {
      if (mm.op_type != "MatMul" || !mm.domain.empty() || mm.inputs.size() != 2 || mm.outputs.empty() ||
          editor.is_removed(mm))
        continue;
      auto w = qdq::match_weight(editor, mm, 1);
      if (!w) continue;
      auto x = qdq::match_activation(editor, mm, 0);
      if (!x || (x->dynamic ? !dynamic_ok : !static_ok)) continue;
      auto bias = match_bias(editor, mm, w->n);
      std::vector<std::string> inputs;
      if (x->dynamic)
        inputs = {x->x, w->w, w->scale, w->zero_point};
      else
        inputs = {x->x_q, w->w, x->scale, w->scale, x->zero_point, w->zero_point};
      if (bias) inputs.push_back(bias->second);
      while (!inputs.empty() && inputs.back().empty()) inputs.pop_back();  // trailing optional inputs
      const std::string& out = bias ? bias->first->outputs[0] : mm.outputs[0];
      const std::string op = x->dynamic ? "DynamicQuantizeMatMul" : "MatMulIntegerToFloat";
      editor.remove({&mm, w->dq});
      fused.insert(&mm);
      if (bias) {
        editor.remove(*bias->first);
        fused.insert(bias->first);
      }
      editor.add(make_node(op, kMsDomain, std::move(inputs), {out}, mm.name.empty() ? "" : mm.name + "_" + op));
      activations.push_back(*x);
      ++(x->dynamic ? fused_dynamic : fused_static);
    }
    if (fused_static + fused_dynamic == 0) return ok_status();
    qdq::remove_dead_activations(editor, activations, fused);
    editor.ensure_opset(kMsDomain, 1);
    if (fused_static) ctx.record("MatMulIntegerToFloat", fused_static);
    if (fused_dynamic) ctx.record("DynamicQuantizeMatMul", fused_dynamic);
    changed = true;
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_qdq_matmul_pass() { return std::make_unique<FuseQdqMatMulPass>(); }

}  // namespace onyx::opt
