// Erf (opsets 9-17): y = erf(x). Hot in BERT-style GELU (x * 0.5 * (1 + erf(x / sqrt 2))).
// Variants: reference std::erf for every dtype (float types; integers computed in double and truncated).
#include <cmath>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

using namespace elementwise;

Result<std::unique_ptr<Kernel>> create_erf(const KernelInfo&) {
  return make_unary_kernel<NumericTypes>([]<typename C>(C x) {
    if constexpr (std::is_floating_point_v<C>)
      return std::erf(x);
    else
      return static_cast<C>(std::erf(static_cast<double>(x)));
  });
}

}  // namespace onyx::cpu
