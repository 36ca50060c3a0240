// Contiguous fp32 row kernels behind Softmax, LogSoftmax, LayerNormalization, last-axis ReduceSum/Mean/Max and
// the GELU family (Gelu, BiasGelu, FastGelu), picked once per process from the detected CPU features (ISA dispatch
// into a table of function pointers).
// Variants:
//   reference  plain scalar loops (row_kernels.cc) with std::exp / std::erf / std::tanh: the oracle for tests, and
//              the fallback on any CPU
//   avx512     AVX-512F (row_kernels_avx512.cc): 16 lanes, a Cephes-style polynomial exp (max rel. error
//              ~2 ulp; inputs below -104 give 0, above 88.7 give inf); erf as the rational approximation of
//              elementwise/erf.cc (x * P(x^2) / Q(x^2) on x clamped to [-4, 4], max rel. error 4.6e-7);
//              tanh-GELU as x / (1 + exp(-2u)); NaN propagates
// Thread safety: the table is immutable after first use; the kernels are pure functions of their arguments.
#pragma once

#include <cstdint>

namespace onyx::cpu {

struct RowKernelsF32 {
  const char* name;
  float (*max)(const float* x, int64_t n);  // -inf for n == 0; NaN if any x is NaN
  float (*sum)(const float* x, int64_t n);
  // y[i] = exp(x[i] - shift); returns the sum of the y[i]. y may equal x.
  float (*exp_shift_sum)(const float* x, float shift, float* y, int64_t n);
  // y[i] = x[i] * s + t (y may equal x).
  void (*scale_shift)(const float* x, float s, float t, float* y, int64_t n);
  // y = (x - mean) * inv_std * scale + bias (bias may be null); writes the row's mean and 1/sqrt(var + eps).
  void (*layer_norm)(const float* x, const float* scale, const float* bias, float* y, int64_t n, float eps,
                     float* mean, float* inv_std);
  // y[i] = gelu(x[i] + bias[i]) (bias may be null; y may equal x), gelu_erf(v) = 0.5 v (1 + erf(v / sqrt 2)),
  // gelu_tanh(v) = 0.5 v (1 + tanh(sqrt(2 / pi) (v + 0.044715 v^3))).
  void (*gelu_erf)(const float* x, const float* bias, float* y, int64_t n);
  void (*gelu_tanh)(const float* x, const float* bias, float* y, int64_t n);
};

// The best table for this CPU (chosen on first call).
const RowKernelsF32& row_kernels_f32();
const RowKernelsF32& row_kernels_f32_reference();
// The AVX-512 table, or nullptr when the CPU (or the compiler) lacks AVX-512F.
const RowKernelsF32* row_kernels_f32_avx512();

}  // namespace onyx::cpu
