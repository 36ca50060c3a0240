// AVX-512F inner kernels of the attention core (see attention_core.h). Compiled with per-function target attributes,
// so the file builds for any x86-64 baseline and attention_core_kernels_avx512() returns them only when the CPU has
// AVX-512F.
//   scores   8 query rows x 32 keys per register tile (16 accumulators), K^T rows loaded whole, Q broadcast
//   add_max  one pass: + attention_bias, + mask, running max
//   probs_v  4 query rows x 64 value columns per tile over the packed V rows (masked loads past the head size)
#include <algorithm>
#include <limits>

#include "src/core/cpu_features.h"
#include "src/ep/cpu/kernels/contrib/attention_core.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12's _mm512_reduce_* helpers trip -W(maybe-)uninitialized on their own _mm256_undefined_ps temporaries.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#define ONYX_ATTN_AVX512 1
#endif

namespace onyx::cpu::contrib {

#ifdef ONYX_ATTN_AVX512

namespace {

#define ONYX_AVX512 __attribute__((target("avx512f")))

ONYX_AVX512 inline __mmask16 tail_mask(int64_t left) {
  if (left <= 0) return 0;
  return left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
}

// R query rows x 32 keys starting at column j; named accumulators (see probs_v_tile).
#define ONYX_QK_ROW(r)                                \
  if constexpr (R > r) {                              \
    const __m512 qb = _mm512_set1_ps(q[r * ldq + d]); \
    x##r = _mm512_fmadd_ps(qb, k0, x##r);             \
    y##r = _mm512_fmadd_ps(qb, k1, y##r);             \
  }
#define ONYX_QK_STORE(r)                                                  \
  if constexpr (R > r) {                                                  \
    _mm512_mask_storeu_ps(s + r * lds, m0, _mm512_mul_ps(x##r, sc));      \
    _mm512_mask_storeu_ps(s + r * lds + 16, m1, _mm512_mul_ps(y##r, sc)); \
  }

template <int R>
ONYX_AVX512 inline void scores_tile(const float* q, int64_t ldq, const float* kt, int64_t ldkt, int64_t dim,
                                    int64_t left, float scale, float* s, int64_t lds) {
  __m512 x0 = _mm512_setzero_ps(), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
  __m512 y0 = x0, y1 = x0, y2 = x0, y3 = x0, y4 = x0, y5 = x0, y6 = x0, y7 = x0;
  for (int64_t d = 0; d < dim; ++d) {
    const __m512 k0 = _mm512_loadu_ps(kt + d * ldkt), k1 = _mm512_loadu_ps(kt + d * ldkt + 16);
    ONYX_QK_ROW(0)
    ONYX_QK_ROW(1)
    ONYX_QK_ROW(2)
    ONYX_QK_ROW(3)
    ONYX_QK_ROW(4)
    ONYX_QK_ROW(5)
    ONYX_QK_ROW(6)
    ONYX_QK_ROW(7)
  }
  const __m512 sc = _mm512_set1_ps(scale);
  const __mmask16 m0 = tail_mask(left), m1 = tail_mask(left - 16);
  ONYX_QK_STORE(0)
  ONYX_QK_STORE(1)
  ONYX_QK_STORE(2)
  ONYX_QK_STORE(3)
  ONYX_QK_STORE(4)
  ONYX_QK_STORE(5)
  ONYX_QK_STORE(6)
  ONYX_QK_STORE(7)
}
#undef ONYX_QK_ROW
#undef ONYX_QK_STORE

template <int R>
ONYX_AVX512 void scores_rows(const float* q, int64_t ldq, const float* kt, int64_t ldkt, int64_t dim, int64_t cols,
                             float scale, float* s, int64_t lds) {
  for (int64_t j = 0; j < cols; j += 32) scores_tile<R>(q, ldq, kt + j, ldkt, dim, cols - j, scale, s + j, lds);
}

ONYX_AVX512 void scores_avx512(const float* q, int64_t ldq, int64_t rows, const float* kt, int64_t ldkt, int64_t dim,
                               int64_t cols, float scale, float* s, int64_t lds) {
  using Fn = void (*)(const float*, int64_t, const float*, int64_t, int64_t, int64_t, float, float*, int64_t);
  static constexpr Fn kByRows[] = {nullptr,        scores_rows<1>, scores_rows<2>, scores_rows<3>, scores_rows<4>,
                                   scores_rows<5>, scores_rows<6>, scores_rows<7>, scores_rows<8>};
  for (int64_t r = 0; r < rows; r += 8) {
    const int64_t n = std::min<int64_t>(8, rows - r);
    kByRows[n](q + r * ldq, ldq, kt, ldkt, dim, cols, scale, s + r * lds, lds);
  }
}

ONYX_AVX512 float add_max_avx512(float* row, const float* bias, const float* madd, int64_t n) {
  __m512 mx = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 k = tail_mask(n - j);
    __m512 x = _mm512_maskz_loadu_ps(k, row + j);
    if (bias) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(k, bias + j));
    if (madd) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(k, madd + j));
    _mm512_mask_storeu_ps(row + j, k, x);
    mx = _mm512_mask_max_ps(mx, k, mx, x);
  }
  return _mm512_reduce_max_ps(mx);
}

// R rows x C*16 value columns starting at column e (left = columns left in the head). The accumulators are named
// variables, not an array: GCC keeps an array of __m512 on the stack and reloads it every key.
#define ONYX_PV_ROW(r)                                               \
  if constexpr (R > r) {                                             \
    const __m512 pb = _mm512_set1_ps(p[r * ldp + j]);                \
    a##r##0 = _mm512_fmadd_ps(pb, v0, a##r##0);                      \
    if constexpr (C > 1) a##r##1 = _mm512_fmadd_ps(pb, v1, a##r##1); \
    if constexpr (C > 2) a##r##2 = _mm512_fmadd_ps(pb, v2, a##r##2); \
    if constexpr (C > 3) a##r##3 = _mm512_fmadd_ps(pb, v3, a##r##3); \
  }
#define ONYX_PV_STORE(r)                                                                           \
  if constexpr (R > r) {                                                                           \
    const __m512 s = _mm512_set1_ps(inv[r]);                                                       \
    _mm512_mask_storeu_ps(out + r * ldo, m0, _mm512_mul_ps(a##r##0, s));                           \
    if constexpr (C > 1) _mm512_mask_storeu_ps(out + r * ldo + 16, m1, _mm512_mul_ps(a##r##1, s)); \
    if constexpr (C > 2) _mm512_mask_storeu_ps(out + r * ldo + 32, m2, _mm512_mul_ps(a##r##2, s)); \
    if constexpr (C > 3) _mm512_mask_storeu_ps(out + r * ldo + 48, m3, _mm512_mul_ps(a##r##3, s)); \
  }

template <int R, int C>
ONYX_AVX512 inline void probs_v_tile(const float* p, int64_t ldp, int64_t cols, const float* v, int64_t ldv,
                                     int64_t left, const float* inv, float* out, int64_t ldo) {
  const __mmask16 m0 = tail_mask(left), m1 = tail_mask(left - 16), m2 = tail_mask(left - 32), m3 = tail_mask(left - 48);
  __m512 a00 = _mm512_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
         a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
  for (int64_t j = 0; j < cols; ++j) {
    const float* vr = v + j * ldv;
    const __m512 v0 = _mm512_maskz_loadu_ps(m0, vr);
    const __m512 v1 = C > 1 ? _mm512_maskz_loadu_ps(m1, vr + 16) : v0;
    const __m512 v2 = C > 2 ? _mm512_maskz_loadu_ps(m2, vr + 32) : v0;
    const __m512 v3 = C > 3 ? _mm512_maskz_loadu_ps(m3, vr + 48) : v0;
    ONYX_PV_ROW(0)
    ONYX_PV_ROW(1)
    ONYX_PV_ROW(2)
    ONYX_PV_ROW(3)
  }
  ONYX_PV_STORE(0)
  ONYX_PV_STORE(1)
  ONYX_PV_STORE(2)
  ONYX_PV_STORE(3)
}
#undef ONYX_PV_ROW
#undef ONYX_PV_STORE

template <int R>
ONYX_AVX512 void probs_v_rows(const float* p, int64_t ldp, int64_t cols, const float* v, int64_t ldv, int64_t dim,
                              const float* inv, float* out, int64_t ldo) {
  for (int64_t e = 0; e < dim; e += 64) {
    const int64_t left = dim - e;
    if (left > 48)
      probs_v_tile<R, 4>(p, ldp, cols, v + e, ldv, left, inv, out + e, ldo);
    else if (left > 32)
      probs_v_tile<R, 3>(p, ldp, cols, v + e, ldv, left, inv, out + e, ldo);
    else if (left > 16)
      probs_v_tile<R, 2>(p, ldp, cols, v + e, ldv, left, inv, out + e, ldo);
    else
      probs_v_tile<R, 1>(p, ldp, cols, v + e, ldv, left, inv, out + e, ldo);
  }
}

ONYX_AVX512 void probs_v_avx512(const float* p, int64_t ldp, int64_t rows, int64_t cols, const float* v, int64_t ldv,
                                int64_t dim, const float* inv, float* out, int64_t ldo) {
  using Fn = void (*)(const float*, int64_t, int64_t, const float*, int64_t, int64_t, const float*, float*, int64_t);
  static constexpr Fn kByRows[] = {nullptr, probs_v_rows<1>, probs_v_rows<2>, probs_v_rows<3>, probs_v_rows<4>};
  for (int64_t r = 0; r < rows; r += 4) {
    const int64_t n = std::min<int64_t>(4, rows - r);
    kByRows[n](p + r * ldp, ldp, cols, v, ldv, dim, inv + r, out + r * ldo, ldo);
  }
}

#undef ONYX_AVX512

}  // namespace

const AttentionCoreKernels* attention_core_kernels_avx512() {
  if (!cpu_features().avx512f) return nullptr;
  const RowKernelsF32* rows = row_kernels_f32_avx512();
  static const AttentionCoreKernels table{"avx512", scores_avx512, add_max_avx512, rows->exp_shift_sum, probs_v_avx512};
  return &table;
}

#else

const AttentionCoreKernels* attention_core_kernels_avx512() { return nullptr; }

#endif

}  // namespace onyx::cpu::contrib
