// CommonSubexpression: Merges nodes computing the same op on the same inputs with the same attributes.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class CommonSubexpressionPass final : public Pass {
 public:
  std::string_view name() const override { return "CommonSubexpression"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_common_subexpression_pass() { return std::make_unique<CommonSubexpressionPass>(); }

}  // namespace onyx::opt
