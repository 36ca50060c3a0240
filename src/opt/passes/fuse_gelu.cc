// FuseGelu: Erf-form GELU -> com.microsoft.Gelu.
//
//   y = x * 0.5 * (1 + erf(x / sqrt(2))), as torch exports nn.GELU / F.gelu (BERT, RoBERTa, DistilBERT, ...):
//
//        x ─┬─► Div(1.4142) ─► Erf ─► Add(1) ─► Mul ─► Mul(0.5) ─► y        x ──► Gelu ──► y
//           │   (or Mul(0.7071))                 ▲                    =>             (com.microsoft)
//           └────────────────────────────────────┘
//
// and every other arrangement of the same formula: 0.5 applied first (Mul(x, 0.5) * (1 + erf)) or to the (1 + erf)
// factor, operands of Add/Mul in either order, constants of any float/int type (gelu_match.h reads the subgraph as
// a polynomial in x and erf(...) and compares coefficients within 1e-3 relative). An intermediate read outside the
// pattern, a non-scalar constant or any other leaf blocks the fusion. Gelu(x) = 0.5 x (1 + erf(x / sqrt 2)).
//
// Also: an opset-20 ai.onnx Gelu (approximate="none") becomes com.microsoft.Gelu when the EP has no ai.onnx Gelu.
#include <cmath>

#include "src/opt/passes/gelu_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class FuseGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseGelu"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    GraphEditor editor(graph);
    const int fused = gelu::fuse_all(editor, ctx, "Erf", /*scale=*/1.0 / std::sqrt(2.0), /*cubic=*/0.0, "Gelu");
    const int replaced = gelu::replace_onnx_gelu(editor, ctx, "none", "Gelu");
    changed = fused + replaced > 0;
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_gelu_pass() { return std::make_unique<FuseGeluPass>(); }

}  // namespace onyx::opt
