// Pow (opsets 1-17): base T in {float32, float64, float16, bfloat16, int32, int64}, exponent of any numeric
// dtype (opset 12+ lets the two differ); the output has the base's dtype.
// Variants: float base -> std::pow in the base's compute type; integer base with an integer exponent ->
// exact exponentiation by squaring (wrapping; negative exponents give 1/base^n truncated: 0 unless |base| is
// 1); integer base with a float exponent -> std::pow in double, truncated toward zero (as ONNX Runtime).
#include <cmath>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

using BaseTypes = TypeList<float, double, Float16, BFloat16, int32_t, int64_t>;

template <typename T, typename E>
T int_pow(T base, E exp) {
  if constexpr (std::is_signed_v<E>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? 1 : -1;
      return 0;  // |1 / base^n| < 1 truncates to 0 (base 0: inf, reported as 0)
    }
  }
  T result = 1;
  uint64_t e = static_cast<uint64_t>(exp);
  while (e) {
    if (e & 1) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
    e >>= 1;
  }
  return result;
}

template <typename C, typename E>
C pow_value(C x, E y) {
  if constexpr (std::is_floating_point_v<C>)
    return std::pow(x, static_cast<C>(y));
  else if constexpr (std::is_integral_v<E>)
    return int_pow(x, y);
  else
    return float_to_int<C>(std::pow(static_cast<double>(x), static_cast<double>(y)));
}

Status compute_pow(KernelContext& ctx, const Tensor& a, ShapeView a_shape, const Tensor& b, ShapeView b_shape) {
  return visit(BaseTypes{}, a.dtype(), "Pow (base)", [&]<typename T>() {
    return visit(NumericTypes{}, b.dtype(), "Pow (exponent)", [&]<typename E>() {
      return binary_compute<T, E, T>(ctx, a, a_shape, b, b_shape,
                                     [](Compute<T> x, Compute<E> y) { return pow_value(x, y); });
    });
  });
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_pow(const KernelInfo& info) { return make_binary_kernel(info, &compute_pow); }

}  // namespace onyx::cpu
