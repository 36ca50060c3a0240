// FuseMatMulAdd: MatMul + Add(bias) on 2-D inputs -> Gemm.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class FuseMatMulAddPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseMatMulAdd"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_matmul_add_pass() { return std::make_unique<FuseMatMulAddPass>(); }

}  // namespace onyx::opt
