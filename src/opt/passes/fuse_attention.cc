// FuseAttention: Encoder self-attention (QKV MatMuls, mask, scaled softmax, context) -> com.microsoft.Attention.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class FuseAttentionPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseAttention"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_attention_pass() { return std::make_unique<FuseAttentionPass>(); }

}  // namespace onyx::opt
