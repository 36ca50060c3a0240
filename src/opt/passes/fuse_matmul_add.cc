// FuseMatMulAdd: MatMul + Add(bias) on 2-D inputs -> Gemm.
//
//   A [M, K] ─► MatMul(B [K, N] constant) ─► Add(bias) ─► Y      =>   A ─► Gemm(A, B, bias) ─► Y     (ai.onnx)
//
// A's rank must be known to be 2 and B a constant 2-D tensor (initializer or Constant); bias a constant that
// broadcasts to [N] without changing Y's shape: [N], [1, N], or a single element of rank <= 2; operands of the Add
// in either order. The MatMul's output must be read by the Add only. 3-D (batched) MatMuls are left alone: Gemm is
// 2-D, and rewriting them would need Reshapes around it (no op is invented, so the model stays loadable by ONNX
// Runtime as it is).
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

bool is_float(DType dtype) { return dtype == DType::kFloat32 || dtype == DType::kFloat16 || dtype == DType::kFloat64; }

// A constant Gemm can add to an [M, N] product as C: [N], [1, N], or one element (rank <= 2).
bool is_row_bias(const Tensor& c, int64_t n) {
  const auto& s = c.shape();
  if (s.size() > 2) return false;
  if (c.numel() == 1) return true;
  if (s.size() == 1) return s[0] == n;
  return s.size() == 2 && s[0] == 1 && s[1] == n;
}

class FuseMatMulAddPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseMatMulAdd"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!ctx.supports(graph, "Gemm", ir::kOnnxDomain)) return ok_status();
    GraphEditor editor(graph);
    int fused = 0;
    for (const ir::Node& mm : graph.nodes) {
      if (mm.op_type != "MatMul" || !mm.domain.empty() || !mm.has_input(0) || !mm.has_input(1)) continue;
      if (mm.outputs.size() != 1 || editor.is_removed(mm)) continue;
      const Tensor* b = editor.constant(mm.inputs[1]);
      if (!b || b->shape().size() != 2 || editor.rank(mm.inputs[0]) != 2u || !is_float(b->dtype())) continue;
      if (editor.dtype(mm.inputs[0]) != b->dtype()) continue;
      const ir::Node* add = editor.only_child(mm, "Add");
      if (!add || !add->domain.empty() || add->inputs.size() != 2 || add->outputs.size() != 1) continue;
      const int bias_input = GraphEditor::other_input(*add, mm.outputs[0]);
      if (bias_input < 0 || add->inputs[1 - bias_input] != mm.outputs[0]) continue;
      const Tensor* bias = editor.constant(add->inputs[bias_input]);
      if (!bias || bias->dtype() != b->dtype() || !is_row_bias(*bias, b->shape()[1])) continue;
      if (!editor.only_used_inside({&mm, add}, {add->outputs[0]})) continue;
      editor.remove({&mm, add});
      editor.add(make_node("Gemm", ir::kOnnxDomain, {mm.inputs[0], mm.inputs[1], add->inputs[bias_input]},
                           {add->outputs[0]}, mm.name.empty() ? std::string() : mm.name + "_Gemm"));
      ++fused;
    }
    if (fused) ctx.record("Gemm", fused);
    changed = fused > 0;
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_matmul_add_pass() { return std::make_unique<FuseMatMulAddPass>(); }

}  // namespace onyx::opt
