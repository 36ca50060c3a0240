// EliminateTranspose: Merges consecutive Transposes; removes identity permutations.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class EliminateTransposePass final : public Pass {
 public:
  std::string_view name() const override { return "EliminateTranspose"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_transpose_pass() { return std::make_unique<EliminateTransposePass>(); }

}  // namespace onyx::opt
