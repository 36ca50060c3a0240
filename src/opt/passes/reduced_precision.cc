// ReducedPrecision (O4): MatMul / Gemm with constant fp32 weights compute in bfloat16 on CPUs with AVX512-BF16.
//
//        X (fp32)     W (fp32 initializer)              X (fp32)
//           \          /                                   |
//            MatMul                   ==>            Cast(to=bf16)    W' (bf16 initializer)
//              |                                           \          /
//              Y (fp32)                                     MatMul (bf16)
//                                                              |
//                                                        Cast(to=float) -> Y (fp32)
//
// (Gemm likewise, with its bias C converted too; the output head stays fp32, see feeds_graph_output.) Only the matrix products change precision: LayerNorm, Softmax,
// attention, GELU and residual additions stay in fp32, as the issue asks ("keeping LayerNorm/Softmax accumulation
// in fp32"). The result is standard ONNX (opset >= 13 has bf16 Cast/MatMul/Gemm). One Cast per activation value is
// shared by all MatMuls that read it (Q/K/V). On CPUs without AVX512-BF16 the pass changes nothing (bf16 would be
// emulated, slower than fp32); on GPUs O4 would mean fp16 (no GPU execution provider yet).
#include "src/core/cpu_features.h"
#include "src/core/half.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

constexpr int64_t kBf16 = static_cast<int64_t>(DType::kBFloat16);
constexpr int64_t kFloat = static_cast<int64_t>(DType::kFloat32);

Tensor to_bf16(const Tensor& t) {
  Tensor out = Tensor::empty(DType::kBFloat16, t.shape());
  const float* src = t.data<float>();
  BFloat16* dst = out.data<BFloat16>();
  for (int64_t i = 0; i < t.numel(); ++i) dst[i] = to_bfloat16(src[i]);
  return out;
}

// The output head (a MatMul/Gemm whose result, maybe through a bias Add, is a graph output: logits, classifier
// scores) stays fp32, as mixed-precision converters keep the last layer: bf16's 8-bit mantissa on large logits
// would cost accuracy for almost no speed.
bool feeds_graph_output(const GraphEditor& e, const ir::Node& n) {
  const std::string& y = n.outputs[0];
  if (e.is_graph_output(y)) return true;
  for (const ir::Node* c : e.consumers(y))
    if (c->op_type == "Add" && !c->outputs.empty() && e.is_graph_output(c->outputs[0])) return true;
  return false;
}

class ReducedPrecisionPass final : public Pass {
 public:
  std::string_view name() const override { return "ReducedPrecision"; }
  Level level() const override { return Level::kReducedPrecision; }

  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!cpu_features().avx512bf16 || graph.opset("") < 13) return ok_status();
    if (!ctx.supports(graph, "MatMul", "") || !ctx.supports(graph, "Cast", "")) return ok_status();
    GraphEditor e(graph);
    std::map<std::string, std::string> cast_of;     // fp32 activation -> its bf16 Cast output
    std::map<std::string, std::string> weight_of;   // fp32 initializer -> bf16 initializer
    auto bf16_weight = [&](const std::string& name) {
      auto it = weight_of.find(name);
      if (it != weight_of.end()) return it->second;
      const std::string w = e.add_initializer(name + "_bf16", to_bf16(*e.constant(name)));
      weight_of[name] = w;
      return w;
    };
    auto bf16_activation = [&](const std::string& x) {
      auto it = cast_of.find(x);
      if (it != cast_of.end()) return it->second;
      const std::string out = e.unique_name(x + "_bf16");
      ir::Node cast = make_node("Cast", "", {x}, {out});
      cast.attributes["to"] = int_attr(kBf16);
      e.add(std::move(cast));
      cast_of[x] = out;
      return out;
    };
    int converted = 0;
    for (const ir::Node& n : graph.nodes) {
      const bool matmul = n.op_type == "MatMul" && n.domain.empty() && n.inputs.size() == 2;
      const bool gemm = n.op_type == "Gemm" && n.domain.empty() && n.inputs.size() >= 2;
      if (!matmul && !gemm) continue;
      const Tensor* w = e.constant(n.inputs[1]);
      // (MatMul/Gemm take one type T for A and B, so a float32 weight means a float32 activation.)
      if (!w || w->dtype() != DType::kFloat32 || w->rank() != 2 || e.constant(n.inputs[0])) continue;
      const Tensor* c = gemm && n.has_input(2) ? e.constant(n.inputs[2]) : nullptr;
      if (gemm && n.has_input(2) && (!c || c->dtype() != DType::kFloat32)) continue;
      if (feeds_graph_output(e, n)) continue;
      ir::Node low = n;
      low.name = e.unique_name(n.name.empty() ? n.op_type + "_bf16" : n.name + "_bf16");
      low.inputs[0] = bf16_activation(n.inputs[0]);
      low.inputs[1] = bf16_weight(n.inputs[1]);
      if (c) low.inputs[2] = bf16_weight(n.inputs[2]);
      const std::string y = n.outputs[0];
      const std::string y_bf16 = e.unique_name(y + "_bf16");
      low.outputs = {y_bf16};
      ir::Node back = make_node("Cast", "", {y_bf16}, {y});
      back.attributes["to"] = int_attr(kFloat);
      e.remove(n);
      e.add(std::move(low));
      e.add(std::move(back));
      ++converted;
    }
    if (converted == 0) return ok_status();
    e.commit();
    ctx.count(name(), converted);
    changed = true;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_reduced_precision_pass() { return std::make_unique<ReducedPrecisionPass>(); }

}  // namespace onyx::opt
