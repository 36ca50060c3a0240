// SkipSimplifiedLayerNormalization (com.microsoft): output = RMSNorm(input + skip + bias) * gamma over the last dim.
// Inputs input, skip (input's shape, [1,S,H] or [S,H]), gamma [H], bias? [H]; attribute epsilon (1e-12);
// outputs output, mean? (written as 0: RMSNorm has no mean), inv_std_var?, input_skip_bias_sum?.
// Variants:
//   float32  fused add + scalar RMS row, rows in parallel
#include "src/ep/cpu/kernels/contrib/skip_norm_common.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_skip_simplified_layer_normalization(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(
      std::make_unique<contrib::SkipNormKernel<true>>(info.node.attr_float("epsilon", 1e-12f)));
}

}  // namespace onyx::cpu
