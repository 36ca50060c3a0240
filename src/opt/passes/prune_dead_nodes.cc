// PruneDeadNodes: Removes nodes whose outputs nothing reads, and unused initializers.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class PruneDeadNodesPass final : public Pass {
 public:
  std::string_view name() const override { return "PruneDeadNodes"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_prune_dead_nodes_pass() { return std::make_unique<PruneDeadNodesPass>(); }

}  // namespace onyx::opt
