// The optimizer's pass list, in run order. One line per pass; the pass manager runs those at or below the requested
// level, in this order, and repeats the list until no pass changes anything.
//
// Order matters: LayerNorm fusions come before the fusions that consume LayerNormalization (EmbedLayerNorm,
// SkipLayerNorm); EmbedLayerNorm before SkipLayerNorm (the embedding Add + LayerNorm would otherwise become a
// SkipLayerNormalization); Gelu before BiasGelu; attention before SkipLayerNorm takes the output-projection bias.
#include <mutex>

#include "src/opt/pass_manager.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

const std::vector<std::unique_ptr<Pass>>& registered_passes() {
  static std::vector<std::unique_ptr<Pass>> passes;
  static std::once_flag once;
  std::call_once(once, [] {
    std::unique_ptr<Pass> list[] = {
        make_constant_folding_pass(),
        make_eliminate_no_ops_pass(),
        make_eliminate_reshape_pass(),
        make_eliminate_transpose_pass(),
        make_common_subexpression_pass(),
        make_prune_dead_nodes_pass(),
        make_fuse_layer_norm_pass(),
        make_fuse_simplified_layer_norm_pass(),
        make_fuse_gelu_pass(),
        make_fuse_fast_gelu_pass(),
        make_fuse_embed_layer_norm_pass(),
        make_fuse_attention_pass(),
        make_fuse_causal_attention_pass(),
        make_fuse_skip_layer_norm_pass(),
        make_fuse_bias_gelu_pass(),
        make_fuse_qdq_matmul_pass(),
        make_fuse_qdq_attention_pass(),
        make_fuse_matmul_add_pass(),
        make_approximate_gelu_pass(),
        make_reduced_precision_pass(),
    };
    for (auto& p : list) passes.push_back(std::move(p));
  });
  return passes;
}

}  // namespace onyx::opt
