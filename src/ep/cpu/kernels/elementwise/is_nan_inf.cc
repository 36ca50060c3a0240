// IsNaN (opsets 9-17) and IsInf (opset 10-17): float types in, bool out; two one-line predicates, one file.
// IsInf's detect_negative / detect_positive attributes (default 1) select which infinities count.
// Variants: per dtype (float32/64, float16, bfloat16), one contiguous loop.
#include <cmath>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

using namespace elementwise;

Result<std::unique_ptr<Kernel>> create_is_nan(const KernelInfo&) {
  return make_unary_kernel<FloatTypes, true>([](auto x) { return std::isnan(x); });
}

Result<std::unique_ptr<Kernel>> create_is_inf(const KernelInfo& info) {
  const bool negative = info.node.attr_int("detect_negative", 1) != 0;
  const bool positive = info.node.attr_int("detect_positive", 1) != 0;
  return make_unary_kernel<FloatTypes, true>(
      [negative, positive](auto x) { return std::isinf(x) && (x > 0 ? positive : negative); });
}

}  // namespace onyx::cpu
