// FuseMatMulBiasGelu (session-only): the GELU of a dense layer moves into the GEMM's epilogue.
//
//   x ─► MatMul(W const) ─► y ─► BiasGelu(y, b)      =>   x ─► com.onyx.MatMulBiasGelu(x, W, b)               ─► z
//   x ─► MatMul(W const) ─► y ─► Gelu(y)             =>   x ─► com.onyx.MatMulBiasGelu(x, W)                  ─► z
//   x ─► MatMul(W const) ─► y ─► FastGelu(y [, b])   =>   x ─► com.onyx.MatMulBiasGelu(x, W [, b]) tanh form  ─► z
//
// (Gelu / BiasGelu / FastGelu are com.microsoft ops, as FuseGelu / FuseBiasGelu leave them.) W is a float32 2-D
// constant, b a float32 1-D constant of W's N, y read by the activation only and not a graph output. The fused
// kernel packs W once and applies bias + GELU to each output tile while it is in cache (one pass over the
// [tokens, 4 x hidden] FFN activation instead of two, one parallel region instead of two).
// ONNX Runtime has no MatMul + GELU op, so this is not a level pass: opt::optimize runs it after the levels when
// OptimizeOptions::runtime_fusions is set (sessions do; `onyx optimize` does not, its output must load in ORT).
#include "src/opt/passes/gelu_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

constexpr std::string_view kOnyxDomain = "com.onyx";

bool is_f32_constant(const Tensor* t, size_t rank) {
  return t && t->dtype() == DType::kFloat32 && t->rank() == rank && t->numel() > 0;
}

class FuseMatMulBiasGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseMatMulBiasGelu"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!ctx.supports(graph, "MatMulBiasGelu", kOnyxDomain)) return ok_status();
    GraphEditor editor(graph);
    int fused = 0;
    for (const ir::Node& act : graph.nodes) {
      if (act.domain != kMsDomain || act.outputs.empty() || act.inputs.empty() || editor.is_removed(act)) continue;
      const bool bias_gelu = act.op_type == "BiasGelu";
      const bool gelu = act.op_type == "Gelu";
      const bool fast_gelu = act.op_type == "FastGelu";
      if (!bias_gelu && !gelu && !fast_gelu) continue;
      const ir::Node* mm = editor.parent(act, 0, "MatMul");
      if (!mm || !mm->domain.empty() || editor.is_removed(*mm) || !mm->has_input(0) || !mm->has_input(1)) continue;
      const Tensor* w = editor.constant(mm->inputs[1]);
      if (!is_f32_constant(w, 2) || editor.constant(mm->inputs[0])) continue;
      // (Unknown after RemovePadding's com.onyx.PackTokens; the kernel checks X's dtype at run time.)
      const DType x_dtype = editor.dtype(mm->inputs[0]);
      if (x_dtype != DType::kFloat32 && x_dtype != DType::kUndefined) continue;
      std::string bias;
      if (act.has_input(1)) {
        if (gelu) continue;
        bias = act.inputs[1];
        const Tensor* b = editor.constant(bias);
        if (!is_f32_constant(b, 1) || b->dim(0) != w->dim(1)) continue;
      } else if (bias_gelu) {
        continue;
      }
      if (!editor.only_used_inside({mm, &act}, {act.outputs[0]})) continue;
      editor.remove({mm, &act});
      std::vector<std::string> inputs = {mm->inputs[0], mm->inputs[1]};
      if (!bias.empty()) inputs.push_back(bias);
      ir::Node fused_node = make_node("MatMulBiasGelu", std::string(kOnyxDomain), std::move(inputs),
                                      {act.outputs[0]}, gelu::fused_name(act, "MatMulBiasGelu"));
      if (fast_gelu) fused_node.attributes["approximation"] = string_attr("tanh");
      editor.add(std::move(fused_node));
      ++fused;
    }
    if (fused) {
      editor.ensure_opset(std::string(kOnyxDomain), 1);
      ctx.record("MatMulBiasGelu", fused);
      changed = true;
    }
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_matmul_bias_gelu_pass() { return std::make_unique<FuseMatMulBiasGeluPass>(); }

}  // namespace onyx::opt
