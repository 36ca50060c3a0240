// Scalar reference row kernels and the once-per-process dispatch (see row_kernels.h).
#include "src/ep/cpu/kernels/math/row_kernels.h"

#include <cmath>
#include <limits>

#include "src/core/cpu_features.h"

namespace onyx::cpu {

namespace {

float max_ref(const float* x, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) m = (std::isnan(x[i]) || x[i] > m) ? x[i] : m;
  for (int64_t i = 0; i < n; ++i)
    if (std::isnan(x[i])) return x[i];
  return m;
}

float sum_ref(const float* x, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  return s;
}

float exp_shift_sum_ref(const float* x, float shift, float* y, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    y[i] = std::exp(x[i] - shift);
    s += y[i];
  }
  return s;
}

void scale_shift_ref(const float* x, float s, float t, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * s + t;
}

void layer_norm_ref(const float* x, const float* scale, const float* bias, float* y, int64_t n, float eps,
                    float* mean_out, float* inv_out) {
  const float mean = sum_ref(x, n) / static_cast<float>(n);
  float sq = 0.0f;
  for (int64_t i = 0; i < n; ++i) sq += (x[i] - mean) * (x[i] - mean);
  const float inv = 1.0f / std::sqrt(sq / static_cast<float>(n) + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - mean) * inv * scale[i] + (bias ? bias[i] : 0.0f);
  *mean_out = mean;
  *inv_out = inv;
}

void gelu_erf_ref(const float* x, const float* bias, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] + (bias ? bias[i] : 0.0f);
    y[i] = 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f));
  }
}

void gelu_tanh_ref(const float* x, const float* bias, float* y, int64_t n) {
  constexpr float kAlpha = 0.7978845608028654f;  // sqrt(2 / pi)
  constexpr float kBeta = 0.044715f;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] + (bias ? bias[i] : 0.0f);
    y[i] = 0.5f * v * (1.0f + std::tanh(kAlpha * (v + kBeta * v * v * v)));
  }
}

}  // namespace

const RowKernelsF32& row_kernels_f32_reference() {
  static const RowKernelsF32 table{"reference",  max_ref,        sum_ref,     exp_shift_sum_ref, scale_shift_ref,
                                   layer_norm_ref, gelu_erf_ref, gelu_tanh_ref};
  return table;
}

const RowKernelsF32& row_kernels_f32() {
  static const RowKernelsF32& table = []() -> const RowKernelsF32& {
    const RowKernelsF32* avx512 = row_kernels_f32_avx512();
    return avx512 ? *avx512 : row_kernels_f32_reference();
  }();
  return table;
}

}  // namespace onyx::cpu
