// Row helpers shared by the contrib norms (SimplifiedLayerNormalization, SkipLayerNormalization,
// SkipSimplifiedLayerNormalization, EmbedLayerNormalization).
//   layer-norm rows: row_kernels_f32().layer_norm (math/row_kernels.h; two-pass mean / variance, AVX-512 when present)
//   rms_norm_row:    y = x * inv * scale with inv = 1 / sqrt(mean(x^2) + eps)  (RMSNorm, ORT's "simplified")
// Thread safety: pure functions.
#pragma once

#include <cmath>
#include <cstdint>

namespace onyx::cpu::contrib {

// RMSNorm of one row of n floats (y may equal x); returns inv = 1 / sqrt(mean(x^2) + eps).
inline float rms_norm_row(const float* x, const float* scale, float* y, int64_t n, float eps) {
  float sq = 0.0f;
  for (int64_t i = 0; i < n; ++i) sq += x[i] * x[i];
  const float inv = 1.0f / std::sqrt(sq / static_cast<float>(n) + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * inv * scale[i];
  return inv;
}

}  // namespace onyx::cpu::contrib
