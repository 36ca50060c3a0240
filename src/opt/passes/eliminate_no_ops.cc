// EliminateNoOps: Removes Identity, Dropout (inference), Cast to the same type and other no-op nodes.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class EliminateNoOpsPass final : public Pass {
 public:
  std::string_view name() const override { return "EliminateNoOps"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_no_ops_pass() { return std::make_unique<EliminateNoOpsPass>(); }

}  // namespace onyx::opt
