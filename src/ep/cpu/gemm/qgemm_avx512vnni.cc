// PackedQGemm's avx512vnni variant and the AVX-512 activation helpers (see qgemm_kernel.h). Compiled with
// per-function target attributes, so the file builds for any x86-64 baseline; the getters return null when the
// CPU lacks the ISA.
//
// Micro-kernel: kRows (6) rows x up to 64 columns (4 panels of 16) in 24 zmm accumulators. Per group of 4 k: 4
// aligned loads of W (16 columns x 4 k each), one 32-bit broadcast of 4 u8 activations per row, 24 vpdpbusd
// (u8 x s8 -> s32, no intermediate saturation; the sum wraps like the reference's 32-bit math). The epilogue
// (zero-point corrections, scaling, bias) runs on the accumulators before the single store of the tile. While a
// block's tiles run, the next block's W is prefetched into L2, spread over the tiles and evenly over each tile's
// k groups (with the weights of a model coming from L3 / memory, W otherwise arrived on demand).
#include <algorithm>
#include <cstring>
#include <limits>

#include "src/core/cpu_features.h"
#include "src/ep/cpu/gemm/l2_prefetch.h"
#include "src/ep/cpu/gemm/qgemm_kernel.h"

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12's _mm512_reduce_* helpers trip -W(maybe-)uninitialized on their own _mm256_undefined_* temporaries.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#define ONYX_QGEMM_AVX512 1
#endif

namespace onyx::cpu::detail {

#ifdef ONYX_QGEMM_AVX512

namespace {

#define ONYX_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define ONYX_AVX512BW __attribute__((target("avx512f,avx512bw,avx512vl")))

constexpr int kRows = 6;
constexpr int kPanels = 4;  // 64 columns

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

ONYX_AVX512BW inline __mmask16 mask16(int64_t left) {
  return left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
}

ONYX_AVX512BW inline __mmask64 mask64(int64_t left) {
  return left >= 64 ? ~__mmask64{0} : static_cast<__mmask64>((uint64_t{1} << left) - 1u);
}

// Rows [i0, i0 + MR) x the block's columns [c0, c0 + cols) (cols <= 16 NP); wb: the block's packed W, gstride:
// bytes per group of 4 k.
// acc += vpdpbusd(x (u8), w (s8)) in place. Inline asm: with the intrinsic GCC 12 copies every accumulator
// between registers and to the stack on each iteration (it does not tie the accumulator to one register).
ONYX_VNNI inline void dpbusd(__m512i& acc, __m512i x, __m512i w) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
}

// One group of 4 k for row a: acc[a][p] += X[a, 4 k] (broadcast, u8) . W[4 k, panel p] (s8). Named accumulators
// (GCC keeps an array of __m512i in memory across the loop).
#define ONYX_QG_ROW(a, XV)                                         \
  if constexpr (MR > (a)) {                                        \
    const __m512i xb = _mm512_set1_epi32(static_cast<int>(XV(a))); \
    dpbusd(c##a##0, xb, w0);                                       \
    if constexpr (NP > 1) dpbusd(c##a##1, xb, w1);                 \
    if constexpr (NP > 2) dpbusd(c##a##2, xb, w2);                 \
    if constexpr (NP > 3) dpbusd(c##a##3, xb, w3);                 \
  }
#define ONYX_QG_STEP(XV)                                                                                              \
  {                                                                                                                   \
    const __m512i w0 = _mm512_load_si512(wp);                                                                         \
    const __m512i w1 = NP > 1 ? _mm512_load_si512(wp + 64) : _mm512_setzero_si512();                                  \
    const __m512i w2 = NP > 2 ? _mm512_load_si512(wp + 128) : _mm512_setzero_si512();                                 \
    const __m512i w3 = NP > 3 ? _mm512_load_si512(wp + 192) : _mm512_setzero_si512();                                 \
    ONYX_QG_ROW(0, XV) ONYX_QG_ROW(1, XV) ONYX_QG_ROW(2, XV) ONYX_QG_ROW(3, XV) ONYX_QG_ROW(4, XV) ONYX_QG_ROW(5, XV) \
  }
#define ONYX_QG_DECL(a) __m512i c##a##0 = zero, c##a##1 = zero, c##a##2 = zero, c##a##3 = zero;
#define ONYX_QG_SAVE(a)                        \
  if constexpr (MR > (a)) {                    \
    acc[a][0] = c##a##0;                       \
    if constexpr (NP > 1) acc[a][1] = c##a##1; \
    if constexpr (NP > 2) acc[a][2] = c##a##2; \
    if constexpr (NP > 3) acc[a][3] = c##a##3; \
  }

// Rows [i0, i0 + MR) x the block's columns [c0, c0 + cols) (cols <= 16 NP); wb: the block's packed W, gstride:
// bytes per group of 4 k.
// pf: cache lines to prefetch into L2 while the tile runs (spread over its k groups).
template <int MR, int NP>
ONYX_VNNI void micro(const QGemmPackedView& w, const QGemmRunArgs& r, int64_t i0, int64_t c0, int64_t cols,
                     const int8_t* wb, int64_t gstride, PrefetchRange pf) {
  static_assert(MR >= 1 && MR <= kRows && NP >= 1 && NP <= kPanels);
  const __m512i zero = _mm512_setzero_si512();
  ONYX_QG_DECL(0)
  ONYX_QG_DECL(1) ONYX_QG_DECL(2) ONYX_QG_DECL(3) ONYX_QG_DECL(4) ONYX_QG_DECL(5) const int64_t ldx = r.ldx;
  const uint8_t* x = r.x + i0 * ldx;
  const int64_t groups = w.k / 4;
  const int8_t* wp = wb;
  int64_t g = 0;
#define ONYX_QG_XMAIN(a) load_u32(x + (a)*ldx + 4 * g)
  SpreadPrefetch prefetch(pf, groups);
  if (prefetch.active())
    for (; g < groups; ++g, wp += gstride) {
      prefetch.step();
      ONYX_QG_STEP(ONYX_QG_XMAIN)
    }
  for (; g < groups; ++g, wp += gstride) ONYX_QG_STEP(ONYX_QG_XMAIN)
  prefetch.finish();
  if (const int64_t left = w.k - 4 * groups; left > 0) {  // last partial group: W is 0 past K
    uint32_t xt[MR];
    for (int a = 0; a < MR; ++a) {
      xt[a] = 0;
      std::memcpy(&xt[a], x + a * ldx + 4 * groups, static_cast<size_t>(left));
    }
#define ONYX_QG_XTAIL(a) xt[(a) < MR ? (a) : 0]
    ONYX_QG_STEP(ONYX_QG_XTAIL)
  }
  __m512i acc[MR][NP];
  ONYX_QG_SAVE(0)
  ONYX_QG_SAVE(1)
  ONYX_QG_SAVE(2) ONYX_QG_SAVE(3) ONYX_QG_SAVE(4) ONYX_QG_SAVE(5)

      // acc + zx col_c[j] - zw[j] rowsum[i], then int32 or fma(float(acc), sx scale_w[j], bias[j])
      const __m512i zx = _mm512_set1_epi32(r.zx);
  __m512i corr[NP];
  for (int p = 0; p < NP; ++p) corr[p] = _mm512_mullo_epi32(zx, _mm512_loadu_si512(w.col_c + c0 + 16 * p));
  for (int a = 0; a < MR; ++a)
    for (int p = 0; p < NP; ++p) acc[a][p] = _mm512_add_epi32(acc[a][p], corr[p]);
  if (w.zw) {
    for (int a = 0; a < MR; ++a) {
      const __m512i rs = _mm512_set1_epi32(r.rowsum[i0 + a]);
      for (int p = 0; p < NP; ++p)
        acc[a][p] = _mm512_sub_epi32(acc[a][p], _mm512_mullo_epi32(rs, _mm512_loadu_si512(w.zw + c0 + 16 * p)));
    }
  }
  const __mmask16 last = mask16(cols - 16 * (NP - 1));
  if (r.yi) {
    for (int a = 0; a < MR; ++a) {
      int32_t* y = r.yi + (i0 + a) * r.ldy + c0;
      for (int p = 0; p < NP - 1; ++p) _mm512_storeu_si512(y + 16 * p, acc[a][p]);
      _mm512_mask_storeu_epi32(y + 16 * (NP - 1), last, acc[a][NP - 1]);
    }
    return;
  }
  const __m512 sx = _mm512_set1_ps(r.sx);
  __m512 s[NP], b[NP];
  for (int p = 0; p < NP; ++p) {
    s[p] = _mm512_mul_ps(sx, _mm512_loadu_ps(w.scale_w + c0 + 16 * p));
    b[p] = _mm512_loadu_ps(w.bias + c0 + 16 * p);
  }
  for (int a = 0; a < MR; ++a) {
    float* y = r.yf + (i0 + a) * r.ldy + c0;
    for (int p = 0; p < NP - 1; ++p)
      _mm512_storeu_ps(y + 16 * p, _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[a][p]), s[p], b[p]));
    _mm512_mask_storeu_ps(y + 16 * (NP - 1), last,
                          _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[a][NP - 1]), s[NP - 1], b[NP - 1]));
  }
}

#undef ONYX_QG_ROW
#undef ONYX_QG_STEP
#undef ONYX_QG_DECL
#undef ONYX_QG_SAVE
#undef ONYX_QG_XMAIN
#undef ONYX_QG_XTAIL

using MicroFn = void (*)(const QGemmPackedView&, const QGemmRunArgs&, int64_t, int64_t, int64_t, const int8_t*, int64_t,
                         PrefetchRange);

template <int MR>
constexpr MicroFn micro_for(int np) {
  return np == 1 ? &micro<MR, 1> : np == 2 ? &micro<MR, 2> : np == 3 ? &micro<MR, 3> : &micro<MR, 4>;
}

constexpr MicroFn micro_for(int rows, int np) {
  switch (rows) {
    case 1:
      return micro_for<1>(np);
    case 2:
      return micro_for<2>(np);
    case 3:
      return micro_for<3>(np);
    case 4:
      return micro_for<4>(np);
    case 5:
      return micro_for<5>(np);
    default:
      return micro_for<6>(np);
  }
}

void block_vnni(const QGemmPackedView& w, const QGemmRunArgs& r, int64_t m0, int64_t m1, int64_t block) {
  const int64_t c0 = block * w.block_cols;
  const int64_t cols = std::min<int64_t>(w.block_cols, w.n - c0);
  const int np = static_cast<int>((cols + 15) / 16);
  const int8_t* wb = w.packed + block * w.kpad * w.block_cols;
  const int64_t gstride = np * 64;
  const MicroFn full = micro_for(kRows, np);
  // The next block's W (the thread's next task is this block's next row chunk or, usually, the next block).
  PrefetchRange next;
  if (block + 1 < (w.n + w.block_cols - 1) / w.block_cols)
    next = {reinterpret_cast<const char*>(wb + w.kpad * w.block_cols), w.kpad * w.block_cols / kCacheLine};
  PrefetchSlicer slices(next, (m1 - m0 + kRows - 1) / kRows);
  int64_t i = m0;
  for (; i + kRows <= m1; i += kRows) full(w, r, i, c0, cols, wb, gstride, slices.next());
  if (i < m1) micro_for(static_cast<int>(m1 - i), np)(w, r, i, c0, cols, wb, gstride, slices.next());
}

// ---- activation helpers ----

ONYX_AVX512BW void min_max_avx512(const float* x, int64_t m, int64_t k, int64_t ldx, float* mn, float* mx) {
  __m512 lo0 = _mm512_set1_ps(std::numeric_limits<float>::infinity()), lo1 = lo0;
  __m512 hi0 = _mm512_set1_ps(-std::numeric_limits<float>::infinity()), hi1 = hi0;
  for (int64_t i = 0; i < m; ++i) {
    const float* row = x + i * ldx;
    int64_t l = 0;
    for (; l + 32 <= k; l += 32) {  // min/max(v, acc) return acc for a NaN v: NaNs are ignored
      const __m512 a = _mm512_loadu_ps(row + l), b = _mm512_loadu_ps(row + l + 16);
      lo0 = _mm512_min_ps(a, lo0);
      hi0 = _mm512_max_ps(a, hi0);
      lo1 = _mm512_min_ps(b, lo1);
      hi1 = _mm512_max_ps(b, hi1);
    }
    for (; l < k; l += 16) {
      const __mmask16 t = mask16(k - l);
      const __m512 a = _mm512_maskz_loadu_ps(t, row + l);
      lo0 = _mm512_mask_min_ps(lo0, t, a, lo0);
      hi0 = _mm512_mask_max_ps(hi0, t, a, hi0);
    }
  }
  *mn = _mm512_reduce_min_ps(_mm512_min_ps(lo0, lo1));
  *mx = _mm512_reduce_max_ps(_mm512_max_ps(hi0, hi1));
}

// Same fp32 operations as the reference's quantize_value: round(x / scale) + zp, clamped (a NaN becomes 0).
ONYX_AVX512BW inline __m512i quantize16(__m512 v, __m512 scale, __m512 zp) {
  __m512 q = _mm512_roundscale_ps(_mm512_div_ps(v, scale), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  q = _mm512_add_ps(q, zp);
  q = _mm512_max_ps(q, _mm512_setzero_ps());
  q = _mm512_min_ps(q, _mm512_set1_ps(255.0f));
  return _mm512_cvttps_epi32(q);
}

ONYX_AVX512BW void quantize_avx512(const float* x, int64_t m, int64_t k, int64_t ldx, QuantParams qp, uint8_t* y,
                                   int64_t ldy) {
  const __m512 scale = _mm512_set1_ps(qp.scale), zp = _mm512_set1_ps(qp.zero_point);
  for (int64_t i = 0; i < m; ++i) {
    const float* row = x + i * ldx;
    uint8_t* out = y + i * ldy;
    int64_t l = 0;
    for (; l + 64 <= k; l += 64) {
      const __m512i q0 = quantize16(_mm512_loadu_ps(row + l), scale, zp);
      const __m512i q1 = quantize16(_mm512_loadu_ps(row + l + 16), scale, zp);
      const __m512i q2 = quantize16(_mm512_loadu_ps(row + l + 32), scale, zp);
      const __m512i q3 = quantize16(_mm512_loadu_ps(row + l + 48), scale, zp);
      // values are in [0, 255]: two saturating packs keep them (in a lane-interleaved order, fixed by the permute)
      const __m512i w01 = _mm512_packus_epi32(q0, q1), w23 = _mm512_packus_epi32(q2, q3);
      const __m512i b = _mm512_packus_epi16(w01, w23);
      _mm512_storeu_si512(out + l, _mm512_permutexvar_epi32(
                                       _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), b));
    }
    for (; l < k; l += 16) {
      const __mmask16 t = mask16(k - l);
      _mm512_mask_cvtepi32_storeu_epi8(out + l, t, quantize16(_mm512_maskz_loadu_ps(t, row + l), scale, zp));
    }
  }
}

ONYX_AVX512BW void row_sums_avx512(const uint8_t* x, int64_t m, int64_t k, int64_t ldx, int32_t* rowsum) {
  const __m512i zero = _mm512_setzero_si512();
  for (int64_t i = 0; i < m; ++i) {
    const uint8_t* row = x + i * ldx;
    __m512i s = zero;
    for (int64_t l = 0; l < k; l += 64)
      s = _mm512_add_epi64(s, _mm512_sad_epu8(_mm512_maskz_loadu_epi8(mask64(k - l), row + l), zero));
    rowsum[i] = static_cast<int32_t>(_mm512_reduce_add_epi64(s));
  }
}

}  // namespace

const QGemmKernels* qgemm_kernels_avx512vnni() {
  static const QGemmKernels k{"avx512vnni", QGemmIsa::kAvx512Vnni, 16 * kPanels, 16, 4, kRows, &block_vnni};
  const CpuFeatures& f = cpu_features();
  return f.avx512f && f.avx512bw && f.avx512vnni ? &k : nullptr;
}

const QuantKernels* quant_kernels_avx512() {
  static const QuantKernels k{"avx512", &min_max_avx512, &quantize_avx512, &row_sums_avx512};
  const CpuFeatures& f = cpu_features();
  return f.avx512f && f.avx512bw ? &k : nullptr;
}

#else

const QGemmKernels* qgemm_kernels_avx512vnni() { return nullptr; }
const QuantKernels* quant_kernels_avx512() { return nullptr; }

#endif

}  // namespace onyx::cpu::detail
