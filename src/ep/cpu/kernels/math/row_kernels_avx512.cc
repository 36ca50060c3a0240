// AVX-512F row kernels (see row_kernels.h). Compiled with per-function target attributes, so the file
// builds for any x86-64 baseline and row_kernels_f32_avx512() returns it only when the CPU has AVX-512F.
#include "src/ep/cpu/kernels/math/row_kernels.h"

#include <cmath>
#include <limits>

#include "src/core/cpu_features.h"

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12's _mm512_reduce_* helpers trip -W(maybe-)uninitialized on their own _mm256_undefined_ps temporaries.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#define ONYX_ROW_AVX512 1
#endif

namespace onyx::cpu {

#ifdef ONYX_ROW_AVX512

namespace {

#define ONYX_AVX512 __attribute__((target("avx512f")))

ONYX_AVX512 inline __mmask16 tail_mask(int64_t left) {
  return left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
}

// exp(x) for 16 lanes: Cephes expf (range reduction by ln 2, degree-5 polynomial), scaled with vscalefps.
ONYX_AVX512 inline __m512 exp16(__m512 x) {
  const __m512 hi = _mm512_set1_ps(88.7228f), lo = _mm512_set1_ps(-104.0f);
  const __m512 v = _mm512_max_ps(_mm512_min_ps(x, hi), lo);
  const __m512 fx = _mm512_roundscale_ps(_mm512_mul_ps(v, _mm512_set1_ps(1.44269504088896341f)),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(fx, _mm512_set1_ps(0.693359375f), v);
  r = _mm512_fnmadd_ps(fx, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  const __m512 y = _mm512_scalef_ps(p, fx);
  // lanes above the range overflow to +inf; NaN lanes stay NaN
  const __mmask16 big = _mm512_cmp_ps_mask(x, hi, _CMP_GT_OQ);
  const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  const __m512 out = _mm512_mask_blend_ps(big, y, _mm512_set1_ps(std::numeric_limits<float>::infinity()));
  return _mm512_mask_blend_ps(nan, out, x);
}

ONYX_AVX512 float max_avx512(const float* x, int64_t n) {
  __m512 m = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  __mmask16 nan = 0;
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 v = _mm512_mask_loadu_ps(m, k, x + i);
    nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    m = _mm512_max_ps(m, v);
  }
  if (nan) return std::numeric_limits<float>::quiet_NaN();
  return _mm512_reduce_max_ps(m);
}

ONYX_AVX512 float sum_avx512(const float* x, int64_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
    s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + i + 16));
  }
  for (; i < n; i += 16) s0 = _mm512_add_ps(s0, _mm512_maskz_loadu_ps(tail_mask(n - i), x + i));
  return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

ONYX_AVX512 float exp_shift_sum_avx512(const float* x, float shift, float* y, int64_t n) {
  const __m512 sh = _mm512_set1_ps(shift);
  __m512 s = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), sh));
    _mm512_mask_storeu_ps(y + i, k, e);
    s = _mm512_mask_add_ps(s, k, s, e);
  }
  return _mm512_reduce_add_ps(s);
}

ONYX_AVX512 void scale_shift_avx512(const float* x, float s, float t, float* y, int64_t n) {
  const __m512 vs = _mm512_set1_ps(s), vt = _mm512_set1_ps(t);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, x + i), vs, vt));
  }
}

ONYX_AVX512 void layer_norm_avx512(const float* x, const float* scale, const float* bias, float* y, int64_t n,
                                   float eps, float* mean_out, float* inv_out) {
  const float mean = sum_avx512(x, n) / static_cast<float>(n);
  const __m512 vm = _mm512_set1_ps(mean);
  __m512 sq = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, x + i), vm);
    sq = _mm512_fmadd_ps(d, d, sq);
  }
  const float inv = 1.0f / std::sqrt(_mm512_reduce_add_ps(sq) / static_cast<float>(n) + eps);
  const __m512 vi = _mm512_set1_ps(inv);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), vm), vi);
    const __m512 b = bias ? _mm512_maskz_loadu_ps(k, bias + i) : _mm512_setzero_ps();
    _mm512_mask_storeu_ps(y + i, k, _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(k, scale + i), b));
  }
  *mean_out = mean;
  *inv_out = inv;
}

// erf(x) for 16 lanes: the rational approximation of elementwise/erf.cc (Eigen's / XLA's float erf), x clamped to
// [-4, 4] (erf is +-1 to float precision beyond). NaN lanes are restored at the end (min/max would drop them).
ONYX_AVX512 inline __m512 erf16(__m512 x) {
  const __m512 c = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(4.0f)), _mm512_set1_ps(-4.0f));
  const __m512 x2 = _mm512_mul_ps(c, c);
  __m512 p = _mm512_set1_ps(-2.72614225801306e-10f);
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(2.77068142495902e-08f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-2.10102402082508e-06f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-5.69250639462346e-05f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-7.34990630326855e-04f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-2.95459980854025e-03f));
  p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(-1.60960333262415e-02f));
  __m512 q = _mm512_set1_ps(-1.45660718464996e-05f);
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-2.13374055278905e-04f));
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-1.68282697438203e-03f));
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-7.37332916720468e-03f));
  q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(-1.42647390514189e-02f));
  const __m512 y = _mm512_mul_ps(c, _mm512_div_ps(p, q));  // c * p first would underflow for tiny subnormal x
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x);
}

ONYX_AVX512 inline __m512 load_plus_bias(const float* x, const float* bias, int64_t i, __mmask16 k) {
  const __m512 v = _mm512_maskz_loadu_ps(k, x + i);
  return bias ? _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, bias + i)) : v;
}

ONYX_AVX512 void gelu_erf_avx512(const float* x, const float* bias, float* y, int64_t n) {
  const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f), rsqrt2 = _mm512_set1_ps(0.70710678118654752f);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 v = load_plus_bias(x, bias, i, k);
    const __m512 e = erf16(_mm512_mul_ps(v, rsqrt2));
    _mm512_mask_storeu_ps(y + i, k, _mm512_mul_ps(_mm512_mul_ps(half, v), _mm512_add_ps(one, e)));
  }
}

// 0.5 v (1 + tanh(u)) = v / (1 + exp(-2u)) with u = sqrt(2/pi) (v + 0.044715 v^3): exp overflows to +inf for very
// negative v, giving -0 (the limit), and underflows to 0 for large v, giving v.
ONYX_AVX512 void gelu_tanh_avx512(const float* x, const float* bias, float* y, int64_t n) {
  const __m512 one = _mm512_set1_ps(1.0f), m2alpha = _mm512_set1_ps(-2.0f * 0.7978845608028654f),
               beta = _mm512_set1_ps(0.044715f);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 v = load_plus_bias(x, bias, i, k);
    const __m512 inner = _mm512_fmadd_ps(_mm512_mul_ps(beta, v), _mm512_mul_ps(v, v), v);  // v + beta v^3
    const __m512 e = exp16(_mm512_mul_ps(m2alpha, inner));
    _mm512_mask_storeu_ps(y + i, k, _mm512_div_ps(v, _mm512_add_ps(one, e)));
  }
}

#undef ONYX_AVX512

}  // namespace

const RowKernelsF32* row_kernels_f32_avx512() {
  static const RowKernelsF32 table{"avx512",          max_avx512,        sum_avx512,      exp_shift_sum_avx512,
                                   scale_shift_avx512, layer_norm_avx512, gelu_erf_avx512, gelu_tanh_avx512};
  return cpu_features().avx512f ? &table : nullptr;
}

#else

const RowKernelsF32* row_kernels_f32_avx512() { return nullptr; }

#endif

}  // namespace onyx::cpu
