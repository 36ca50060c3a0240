// Activation functions: unary ops whose functors capture float attributes read once at kernel creation, hence
// one file. All take float types (float32/64, float16, bfloat16); Relu and Shrink also int8..int64.
//   Relu                 max(x, 0)
//   Sigmoid              1 / (1 + e^-x), computed without overflow for large |x|
//   LeakyRelu(alpha)     x < 0 ? alpha x : x                     alpha = 0.01
//   Elu(alpha)           x < 0 ? alpha (e^x - 1) : x             alpha = 1
//   Selu(alpha, gamma)   gamma (x <= 0 ? alpha (e^x - 1) : x)    alpha = 1.6732632, gamma = 1.050701
//   Celu(alpha)          max(0,x) + min(0, alpha (e^(x/alpha) - 1))   alpha = 1
//   ThresholdedRelu      x > alpha ? x : 0                        alpha = 1
//   Softplus             log(1 + e^x), as max(x,0) + log1p(e^-|x|) so it does not overflow
//   Softsign             x / (1 + |x|)
//   HardSigmoid          max(0, min(1, alpha x + beta))          alpha = 0.2, beta = 0.5
//   HardSwish            x * HardSigmoid(x; 1/6, 0.5)
//   Shrink(bias, lambd)  x < -lambd ? x + bias : x > lambd ? x - bias : 0
// Variants: per dtype, one contiguous loop each (elementwise_util.h unary_apply).
#include <algorithm>
#include <cmath>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

using namespace elementwise;

Result<std::unique_ptr<Kernel>> create_relu(const KernelInfo&) {
  return make_unary_kernel<SignedTypes>([]<typename C>(C x) { return x < C(0) ? C(0) : x; });  // NaN stays NaN
}

Result<std::unique_ptr<Kernel>> create_sigmoid(const KernelInfo&) {
  return make_unary_kernel<FloatTypes>([]<typename C>(C x) {
    if (x >= C(0)) return C(1) / (C(1) + std::exp(-x));
    const C e = std::exp(x);
    return e / (C(1) + e);
  });
}

Result<std::unique_ptr<Kernel>> create_leaky_relu(const KernelInfo& info) {
  const float alpha = info.node.attr_float("alpha", 0.01f);
  return make_unary_kernel<FloatTypes>([alpha]<typename C>(C x) { return x < C(0) ? C(alpha) * x : x; });
}

Result<std::unique_ptr<Kernel>> create_elu(const KernelInfo& info) {
  const float alpha = info.node.attr_float("alpha", 1.0f);
  return make_unary_kernel<FloatTypes>([alpha]<typename C>(C x) { return x < C(0) ? C(alpha) * std::expm1(x) : x; });
}

Result<std::unique_ptr<Kernel>> create_selu(const KernelInfo& info) {
  const float alpha = info.node.attr_float("alpha", 1.67326319217681884765625f);
  const float gamma = info.node.attr_float("gamma", 1.05070102214813232421875f);
  return make_unary_kernel<FloatTypes>(
      [alpha, gamma]<typename C>(C x) { return C(gamma) * (x <= C(0) ? C(alpha) * std::expm1(x) : x); });
}

Result<std::unique_ptr<Kernel>> create_celu(const KernelInfo& info) {
  const float alpha = info.node.attr_float("alpha", 1.0f);
  if (alpha == 0.0f) return info.invalid("alpha must be non-zero");
  return make_unary_kernel<FloatTypes>(
      [alpha]<typename C>(C x) { return std::max(C(0), x) + std::min(C(0), C(alpha) * std::expm1(x / C(alpha))); });
}

Result<std::unique_ptr<Kernel>> create_thresholded_relu(const KernelInfo& info) {
  const float alpha = info.node.attr_float("alpha", 1.0f);
  return make_unary_kernel<FloatTypes>([alpha]<typename C>(C x) { return x > C(alpha) ? x : C(0); });
}

Result<std::unique_ptr<Kernel>> create_softplus(const KernelInfo&) {
  return make_unary_kernel<FloatTypes>(
      []<typename C>(C x) { return std::max(x, C(0)) + std::log1p(std::exp(-std::fabs(x))); });
}

Result<std::unique_ptr<Kernel>> create_softsign(const KernelInfo&) {
  return make_unary_kernel<FloatTypes>([]<typename C>(C x) { return x / (C(1) + std::fabs(x)); });
}

namespace {
template <typename C>
C hard_sigmoid(C x, float alpha, float beta) {
  return std::max(C(0), std::min(C(1), C(alpha) * x + C(beta)));
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_hard_sigmoid(const KernelInfo& info) {
  const float alpha = info.node.attr_float("alpha", 0.2f);
  const float beta = info.node.attr_float("beta", 0.5f);
  return make_unary_kernel<FloatTypes>([alpha, beta]<typename C>(C x) { return hard_sigmoid(x, alpha, beta); });
}

Result<std::unique_ptr<Kernel>> create_hard_swish(const KernelInfo&) {
  return make_unary_kernel<FloatTypes>([]<typename C>(C x) { return x * hard_sigmoid(x, 1.0f / 6.0f, 0.5f); });
}

Result<std::unique_ptr<Kernel>> create_shrink(const KernelInfo& info) {
  const float bias = info.node.attr_float("bias", 0.0f);
  const float lambd = info.node.attr_float("lambd", 0.5f);
  // Compared and shifted in double so integer inputs never convert a negative float to an unsigned type.
  return make_unary_kernel<SignedTypes>([bias, lambd]<typename C>(C x) {
    const double v = static_cast<double>(x);
    if (v < -lambd) return static_cast<C>(v + bias);
    if (v > lambd) return static_cast<C>(v - bias);
    return C(0);
  });
}

}  // namespace onyx::cpu
