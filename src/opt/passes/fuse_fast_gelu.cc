// FuseFastGelu: Tanh-form GELU (gelu_new) -> com.microsoft.FastGelu.
//
//   y = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), as GPT-2 / ALBERT (gelu_new), T5 v1.1 gated-gelu
//   (NewGELUActivation) and torch's F.gelu(approximate="tanh") export it:
//
//        x ─┬─► Pow(3) ─► Mul(0.044715) ─► Add ─► Mul(0.7979) ─► Tanh ─► Add(1) ─┐
//           ├──────────────────────────────►┘                                      ▼
//           └─► Mul(0.5) ─────────────────────────────────────────────────────► Mul ─► y
//                                                                                  =>   x ─► FastGelu ─► y
//
// and the other arrangements of the same formula: x*x*x (or x * (x*x)) instead of Pow, Megatron's
// 0.7979 * x * (1 + 0.044715 * x * x), 0.5 applied last or to the (1 + tanh) factor, operands in either order,
// constants rounded to float (matched within 1e-3 relative: gelu_match.h reads the subgraph as a polynomial in x and
// tanh(...)). An intermediate read outside the pattern, a non-scalar constant or any other leaf blocks the fusion.
//
// Also: an opset-20 ai.onnx Gelu (approximate="tanh") becomes com.microsoft.FastGelu when the EP has no ai.onnx Gelu.
#include <cmath>

#include "src/opt/passes/gelu_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class FuseFastGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseFastGelu"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    GraphEditor editor(graph);
    const double sqrt_2_over_pi = std::sqrt(2.0 / M_PI);
    const int fused = gelu::fuse_all(editor, ctx, "Tanh", sqrt_2_over_pi, /*cubic=*/0.044715, "FastGelu");
    const int replaced = gelu::replace_onnx_gelu(editor, ctx, "tanh", "FastGelu");
    changed = fused + replaced > 0;
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_fast_gelu_pass() { return std::make_unique<FuseFastGeluPass>(); }

}  // namespace onyx::opt
