// Attribute-free unary math ops: the same UnaryKernel loop with a different functor, hence one file.
//   float types (float32/64, float16, bfloat16): Sqrt Reciprocal Exp Log Tanh Floor Ceil Round Sin Cos Tan
//       Asin Acos Atan Sinh Cosh Asinh Acosh Atanh
//   signed types (float types + int8..int64): Neg
//   all numeric types: Abs Sign
// Variants: per dtype; one contiguous loop each (float16/bfloat16 computed in float). Round is half-to-even
// (std::nearbyint in the default rounding mode). Integer Neg/Abs wrap (INT_MIN stays INT_MIN).
#include <cmath>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

using namespace elementwise;

namespace {
template <typename Op>
Result<std::unique_ptr<Kernel>> float_unary(Op op) {
  return make_unary_kernel<FloatTypes>(op);
}
}  // namespace

// One line per op (x is float or double).
Result<std::unique_ptr<Kernel>> create_sqrt(const KernelInfo&) {
  return float_unary([](auto x) { return std::sqrt(x); });
}
Result<std::unique_ptr<Kernel>> create_reciprocal(const KernelInfo&) {
  return float_unary([](auto x) { return decltype(x)(1) / x; });
}
Result<std::unique_ptr<Kernel>> create_exp(const KernelInfo&) {
  return float_unary([](auto x) { return std::exp(x); });
}
Result<std::unique_ptr<Kernel>> create_log(const KernelInfo&) {
  return float_unary([](auto x) { return std::log(x); });
}
Result<std::unique_ptr<Kernel>> create_tanh(const KernelInfo&) {
  return float_unary([](auto x) { return std::tanh(x); });
}
Result<std::unique_ptr<Kernel>> create_floor(const KernelInfo&) {
  return float_unary([](auto x) { return std::floor(x); });
}
Result<std::unique_ptr<Kernel>> create_ceil(const KernelInfo&) {
  return float_unary([](auto x) { return std::ceil(x); });
}
Result<std::unique_ptr<Kernel>> create_round(const KernelInfo&) {
  return float_unary([](auto x) { return std::nearbyint(x); });
}
Result<std::unique_ptr<Kernel>> create_sin(const KernelInfo&) {
  return float_unary([](auto x) { return std::sin(x); });
}
Result<std::unique_ptr<Kernel>> create_cos(const KernelInfo&) {
  return float_unary([](auto x) { return std::cos(x); });
}
Result<std::unique_ptr<Kernel>> create_tan(const KernelInfo&) {
  return float_unary([](auto x) { return std::tan(x); });
}
Result<std::unique_ptr<Kernel>> create_asin(const KernelInfo&) {
  return float_unary([](auto x) { return std::asin(x); });
}
Result<std::unique_ptr<Kernel>> create_acos(const KernelInfo&) {
  return float_unary([](auto x) { return std::acos(x); });
}
Result<std::unique_ptr<Kernel>> create_atan(const KernelInfo&) {
  return float_unary([](auto x) { return std::atan(x); });
}
Result<std::unique_ptr<Kernel>> create_sinh(const KernelInfo&) {
  return float_unary([](auto x) { return std::sinh(x); });
}
Result<std::unique_ptr<Kernel>> create_cosh(const KernelInfo&) {
  return float_unary([](auto x) { return std::cosh(x); });
}
Result<std::unique_ptr<Kernel>> create_asinh(const KernelInfo&) {
  return float_unary([](auto x) { return std::asinh(x); });
}
Result<std::unique_ptr<Kernel>> create_acosh(const KernelInfo&) {
  return float_unary([](auto x) { return std::acosh(x); });
}
Result<std::unique_ptr<Kernel>> create_atanh(const KernelInfo&) {
  return float_unary([](auto x) { return std::atanh(x); });
}

Result<std::unique_ptr<Kernel>> create_neg(const KernelInfo&) {
  return make_unary_kernel<SignedTypes>([]<typename C>(C x) {
    if constexpr (std::is_integral_v<C>)
      return wrap_sub(C(0), x);
    else
      return -x;  // keeps -0.0 and NaN
  });
}

Result<std::unique_ptr<Kernel>> create_abs(const KernelInfo&) {
  return make_unary_kernel<NumericTypes>([]<typename C>(C x) {
    if constexpr (std::is_unsigned_v<C>)
      return x;
    else
      return x < C(0) ? wrap_sub(C(0), x) : x;
  });
}

Result<std::unique_ptr<Kernel>> create_sign(const KernelInfo&) {
  // NaN and +-0 pass through unchanged.
  return make_unary_kernel<NumericTypes>([]<typename C>(C x) { return x > C(0) ? C(1) : (x < C(0) ? C(-1) : x); });
}

}  // namespace onyx::cpu
