// ReducedPrecision: bf16 weights and compute on CPUs with AVX512-BF16 (fp32 accumulation, LayerNorm/Softmax in fp32).
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class ReducedPrecisionPass final : public Pass {
 public:
  std::string_view name() const override { return "ReducedPrecision"; }
  Level level() const override { return Level::kReducedPrecision; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_reduced_precision_pass() { return std::make_unique<ReducedPrecisionPass>(); }

}  // namespace onyx::opt
