// SkipLayerNormalization (com.microsoft): output = LayerNorm(input + skip + bias) * gamma + beta over the last dim.
// Inputs input [B,S,H] (or any rank >= 1), skip (input's shape, [1,S,H] or [S,H]), gamma [H], beta? [H], bias? [H];
// attribute epsilon (1e-12 in ORT's schema); outputs output, mean?, inv_std_var?, input_skip_bias_sum?.
// Variants:
//   float32  fused add + row layer norm (row_kernels_f32, AVX-512 when present), rows in parallel
#include "src/ep/cpu/kernels/contrib/skip_norm_common.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_skip_layer_normalization(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(
      std::make_unique<contrib::SkipNormKernel<false>>(info.node.attr_float("epsilon", 1e-12f)));
}

}  // namespace onyx::cpu
