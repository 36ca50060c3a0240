// FuseCausalAttention: GPT-2 style causal self-attention (with or without past key/values) -> com.microsoft Attention / MultiHeadAttention.
//
// STUB: not implemented yet (being written); it changes nothing.
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class FuseCausalAttentionPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseCausalAttention"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    (void)graph;
    (void)ctx;
    changed = false;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_causal_attention_pass() { return std::make_unique<FuseCausalAttentionPass>(); }

}  // namespace onyx::opt
