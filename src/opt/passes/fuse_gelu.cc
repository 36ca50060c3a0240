// FuseGelu: Erf-form GELU -> com.microsoft.Gelu.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class FuseGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseGelu"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_gelu_pass() { return std::make_unique<FuseGeluPass>(); }

}  // namespace onyx::opt
