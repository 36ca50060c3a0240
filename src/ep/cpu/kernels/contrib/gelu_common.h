// Shared by Gelu, FastGelu and BiasGelu: the two GELU formulas and a row loop that adds an optional bias over the
// last dimension before applying one of them.
//   gelu_erf(x)  = 0.5 x (1 + erf(x / sqrt 2))                                  (Gelu, BiasGelu)
//   gelu_tanh(x) = 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))            (FastGelu)
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu::contrib {

inline float gelu_erf(float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); }

inline float gelu_tanh(float x) {
  constexpr float kAlpha = 0.7978845608028654f;  // sqrt(2 / pi)
  constexpr float kBeta = 0.044715f;
  return 0.5f * x * (1.0f + std::tanh(kAlpha * (x + kBeta * x * x * x)));
}

// Y = fn(X + bias) with bias (may be null) broadcast over X's last dimension; float32 only.
template <float (*Fn)(float)>
Status gelu_with_bias(KernelContext& ctx, const Tensor& x, const Tensor* bias, const char* op) {
  if (x.dtype() != DType::kFloat32 || (bias && bias->dtype() != DType::kFloat32))
    return not_implemented(ctx.node().describe() + ": " + op +
                           " supports float32 (and float16/bfloat16 via float32), got " +
                           std::string(dtype_name(x.dtype())));
  const int64_t n = x.numel();
  const int64_t d = x.rank() == 0 ? 1 : x.dim(x.rank() - 1);
  if (bias && (bias->numel() != d || (bias->rank() > 0 && bias->dim(bias->rank() - 1) != d)))
    return ctx.invalid(std::string("bias ") + shape_to_string(bias->shape()) +
                       " must be 1-D with the input's last dimension " + std::to_string(d) + " (input " +
                       shape_to_string(x.shape()) + ")");
  Tensor& y = ctx.allocate_output(0, DType::kFloat32, x.shape());
  const float* xd = x.data<float>();
  const float* bd = bias ? bias->data<float>() : nullptr;
  float* yd = y.data<float>();
  if (d == 0) return ok_status();
  const int64_t rows = n / d;
  parallel_for(rows, std::max<int64_t>(1, 16384 / d), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = xd + r * d;
      float* yr = yd + r * d;
      if (bd) {
        for (int64_t j = 0; j < d; ++j) yr[j] = Fn(xr[j] + bd[j]);
      } else {
        for (int64_t j = 0; j < d; ++j) yr[j] = Fn(xr[j]);
      }
    }
  });
  return ok_status();
}

}  // namespace onyx::cpu::contrib
