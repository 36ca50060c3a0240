// ApproximateGelu: Gelu / BiasGelu -> FastGelu (tanh approximation), as Optimum's O3.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class ApproximateGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "ApproximateGelu"; }
  Level level() const override { return Level::kApproximate; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_approximate_gelu_pass() { return std::make_unique<ApproximateGeluPass>(); }

}  // namespace onyx::opt
