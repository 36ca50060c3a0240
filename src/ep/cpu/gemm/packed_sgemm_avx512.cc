// onyx's fp32 PackedGemm for AVX-512 (see packed_sgemm_avx512.h). Compiled with per-function target attributes,
// so the file builds for any x86-64 baseline; make_packed_sgemm_avx512 returns null on a CPU without AVX-512F.
//
// Micro-kernel: 6 rows x 64 columns (one block) in 24 zmm accumulators; per k: 4 aligned loads of W, one
// broadcast of X per row, 24 FMAs. Work: tasks = (64-column block) x (chunk of rows), block-major, split into
// contiguous ranges, one per thread, so each thread streams its own blocks of W (handing tasks out one at a time
// from a shared counter measured ~1% slower). While a thread computes one (task, K chunk) it prefetches (into L2)
// the W chunk of its next one, spread over the current chunk's tiles and, inside a tile, evenly over its K steps:
// W arrives before it is needed instead of on demand. The last K chunk adds the bias (or bias + GELU, through
// the dispatched row kernel) to the tile while it is in cache.
#include "src/ep/cpu/gemm/packed_sgemm_avx512.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "src/core/cpu_features.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/l2_prefetch.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ONYX_SGEMM_AVX512 1
#endif

namespace onyx::cpu::detail {

#ifdef ONYX_SGEMM_AVX512

namespace {

#define ONYX_SG_AVX512 __attribute__((target("avx512f")))

constexpr int64_t kBlockCols = 64;
constexpr int kRows = 6;
// K chunk: 768 x 64 floats of W (192 KiB) plus the matching 768 columns of a chunk of rows stay in the 1-2 MiB L2.
constexpr int64_t kKChunk = 768;
// Rows per task at large M: 144 rows x 768 floats of X (432 KiB) + a W chunk fit in L2 together.
constexpr int64_t kChunkRows = 144;

struct AlignedFree {
  void operator()(float* p) const { std::free(p); }
};

// W's buffer, 64-byte aligned. (2 MiB transparent huge pages were tried: ~2% faster runs, but the kernel's page
// compaction on first touch made session creation 230-570 ms instead of ~245.)
float* allocate_packed(size_t bytes) { return static_cast<float*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64)); }

// The epilogue of the last K chunk.
struct Epilogue {
  const float* bias = nullptr;  // the block's 64 (zero-padded) bias values, or null
  void (*gelu)(const float* x, const float* bias, float* y, int64_t n) = nullptr;  // y = gelu(x + bias)
};

#define ONYX_SG_DECL(a)                                            \
  __m512 c##a##0 = zero, c##a##1 = zero, c##a##2 = zero, c##a##3 = zero; \
  if constexpr (MR > (a))                                          \
    if (!first) {                                                  \
      c##a##0 = _mm512_maskz_loadu_ps(m0, c + (a)*ldc);            \
      c##a##1 = _mm512_maskz_loadu_ps(m1, c + (a)*ldc + 16);       \
      c##a##2 = _mm512_maskz_loadu_ps(m2, c + (a)*ldc + 32);       \
      c##a##3 = _mm512_maskz_loadu_ps(m3, c + (a)*ldc + 48);       \
    }
#define ONYX_SG_ROW(a)                                \
  if constexpr (MR > (a)) {                           \
    const __m512 xa = _mm512_set1_ps(ap[(a)*lda]);    \
    c##a##0 = _mm512_fmadd_ps(xa, b0, c##a##0);       \
    c##a##1 = _mm512_fmadd_ps(xa, b1, c##a##1);       \
    c##a##2 = _mm512_fmadd_ps(xa, b2, c##a##2);       \
    c##a##3 = _mm512_fmadd_ps(xa, b3, c##a##3);       \
  }
#define ONYX_SG_STORE(a)                                                         \
  if constexpr (MR > (a)) {                                                      \
    if (add_bias) {                                                              \
      c##a##0 = _mm512_add_ps(c##a##0, bias0);                                   \
      c##a##1 = _mm512_add_ps(c##a##1, bias1);                                   \
      c##a##2 = _mm512_add_ps(c##a##2, bias2);                                   \
      c##a##3 = _mm512_add_ps(c##a##3, bias3);                                   \
    }                                                                            \
    _mm512_mask_storeu_ps(c + (a)*ldc, m0, c##a##0);                             \
    _mm512_mask_storeu_ps(c + (a)*ldc + 16, m1, c##a##1);                        \
    _mm512_mask_storeu_ps(c + (a)*ldc + 32, m2, c##a##2);                        \
    _mm512_mask_storeu_ps(c + (a)*ldc + 48, m3, c##a##3);                        \
  }

ONYX_SG_AVX512 inline __mmask16 mask16(int64_t left) {
  return left >= 16 ? static_cast<__mmask16>(0xffff) : left <= 0 ? 0 : static_cast<__mmask16>((1u << left) - 1u);
}

// c[MR rows (stride ldc), cols] (+)= a[MR rows (stride lda), kc] . b[kc][64]; `first`: c starts at 0, else it holds
// the previous K chunks' sums; `last`: apply the epilogue. Prefetches `pf` into L2, spread over the k steps.
template <int MR>
ONYX_SG_AVX512 void micro(const float* a, int64_t lda, const float* b, int64_t kc, float* c, int64_t ldc,
                          int64_t cols, bool first, bool last, const Epilogue& ep, PrefetchRange pf) {
  static_assert(MR >= 1 && MR <= kRows);
  const __mmask16 m0 = mask16(cols), m1 = mask16(cols - 16), m2 = mask16(cols - 32), m3 = mask16(cols - 48);
  const __m512 zero = _mm512_setzero_ps();
  ONYX_SG_DECL(0) ONYX_SG_DECL(1) ONYX_SG_DECL(2) ONYX_SG_DECL(3) ONYX_SG_DECL(4) ONYX_SG_DECL(5)
  const float* ap = a;
  SpreadPrefetch prefetch(pf, kc);
  int64_t k = 0;
  if (prefetch.active())
    for (; k < kc; ++k, ++ap, b += kBlockCols) {
      prefetch.step();
      const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16), b2 = _mm512_load_ps(b + 32),
                   b3 = _mm512_load_ps(b + 48);
      ONYX_SG_ROW(0) ONYX_SG_ROW(1) ONYX_SG_ROW(2) ONYX_SG_ROW(3) ONYX_SG_ROW(4) ONYX_SG_ROW(5)
    }
  for (; k < kc; ++k, ++ap, b += kBlockCols) {
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16), b2 = _mm512_load_ps(b + 32),
                 b3 = _mm512_load_ps(b + 48);
    ONYX_SG_ROW(0) ONYX_SG_ROW(1) ONYX_SG_ROW(2) ONYX_SG_ROW(3) ONYX_SG_ROW(4) ONYX_SG_ROW(5)
  }
  prefetch.finish();
  const bool add_bias = last && ep.bias && !ep.gelu;
  __m512 bias0 = zero, bias1 = zero, bias2 = zero, bias3 = zero;
  if (add_bias) {
    bias0 = _mm512_loadu_ps(ep.bias);
    bias1 = _mm512_loadu_ps(ep.bias + 16);
    bias2 = _mm512_loadu_ps(ep.bias + 32);
    bias3 = _mm512_loadu_ps(ep.bias + 48);
  }
  ONYX_SG_STORE(0) ONYX_SG_STORE(1) ONYX_SG_STORE(2) ONYX_SG_STORE(3) ONYX_SG_STORE(4) ONYX_SG_STORE(5)
  if (last && ep.gelu)
    for (int r = 0; r < MR; ++r) ep.gelu(c + r * ldc, ep.bias, c + r * ldc, cols);
}

#undef ONYX_SG_DECL
#undef ONYX_SG_ROW
#undef ONYX_SG_STORE

using MicroFn = void (*)(const float*, int64_t, const float*, int64_t, float*, int64_t, int64_t, bool, bool,
                         const Epilogue&, PrefetchRange);

constexpr MicroFn kMicro[kRows + 1] = {nullptr,   &micro<1>, &micro<2>, &micro<3>,
                                       &micro<4>, &micro<5>, &micro<6>};

class Avx512PackedSgemm final : public PackedGemm {
 public:
  Avx512PackedSgemm(const std::vector<float>& w, int64_t k, int64_t n, const float* bias, PackedGemmEpilogue e)
      : k_(k), n_(n), blocks_((n + kBlockCols - 1) / kBlockCols) {
    const size_t floats = static_cast<size_t>(blocks_ * kBlockCols * k);
    packed_.reset(allocate_packed(floats * sizeof(float)));
    if (!packed_) return;  // out of memory: make_packed_sgemm_avx512 returns null, the oneDNN variant is tried
    for (int64_t b = 0; b < blocks_; ++b) {
      float* dst = packed_.get() + b * k * kBlockCols;
      const int64_t c0 = b * kBlockCols, cols = std::min(kBlockCols, n - c0);
      for (int64_t l = 0; l < k; ++l) {
        float* row = dst + l * kBlockCols;
        std::memcpy(row, w.data() + l * n + c0, static_cast<size_t>(cols) * sizeof(float));
        std::fill(row + cols, row + kBlockCols, 0.0f);
      }
    }
    if (bias) {
      bias_.assign(static_cast<size_t>(blocks_ * kBlockCols), 0.0f);
      std::copy(bias, bias + n, bias_.begin());
    }
    const RowKernelsF32& rk = row_kernels_f32();
    gelu_ = e == PackedGemmEpilogue::kGeluErf ? rk.gelu_erf : e == PackedGemmEpilogue::kGeluTanh ? rk.gelu_tanh : nullptr;
    k_chunks_ = (k + kKChunk - 1) / kKChunk;
    k_chunk_ = (k + k_chunks_ - 1) / k_chunks_;
  }

  Status run(const float* x, int64_t m, int64_t ldx, float* y, int64_t ldy) const override {
    if (m < 0 || ldx < k_ || ldy < n_) return invalid_argument("PackedGemm::run: bad m / ldx / ldy");
    if (m == 0) return ok_status();
    const int max_threads = std::max(1, intra_op_threads());
    // Row chunks: whole M when it is small (each thread then owns whole blocks of W), else kChunkRows; more (of
    // whole tiles) when there are fewer blocks than threads.
    int64_t chunk_rows = m <= 2 * kChunkRows ? m : kChunkRows;
    if (blocks_ * ((m + chunk_rows - 1) / chunk_rows) < max_threads && m > kRows) {
      const int64_t want_chunks = (max_threads + blocks_ - 1) / blocks_;
      chunk_rows = std::max<int64_t>(kRows, ((m + want_chunks - 1) / want_chunks + kRows - 1) / kRows * kRows);
    }
    const int64_t row_chunks = (m + chunk_rows - 1) / chunk_rows;
    const int64_t tasks = blocks_ * row_chunks;
    const int threads = static_cast<int>(std::min<int64_t>(max_threads, tasks));
    auto body = [&] {
      const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
      const int64_t begin = tasks * t / nt, end = tasks * (t + 1) / nt;
      for (int64_t task = begin; task < end; ++task)
        run_task(x, m, ldx, y, ldy, task, row_chunks, chunk_rows, task + 1 < end ? task + 1 : -1);
    };
    if (threads <= 1) {
      body();
      return ok_status();
    }
#pragma omp parallel num_threads(threads)
    body();
    return ok_status();
  }

  bool packed() const { return packed_ != nullptr; }
  int64_t k() const override { return k_; }
  int64_t n() const override { return n_; }
  bool bf16() const override { return false; }
  size_t packed_bytes() const override {
    return static_cast<size_t>(blocks_ * kBlockCols * k_) * sizeof(float) + bias_.size() * sizeof(float);
  }

 private:
  const float* w_chunk(int64_t block, int64_t kchunk) const {
    return packed_.get() + block * k_ * kBlockCols + kchunk * k_chunk_ * kBlockCols;
  }
  int64_t chunk_len(int64_t kchunk) const { return std::min(k_chunk_, k_ - kchunk * k_chunk_); }
  PrefetchRange chunk_range(int64_t block, int64_t kchunk) const {
    return {reinterpret_cast<const char*>(w_chunk(block, kchunk)),
            chunk_len(kchunk) * kBlockCols * static_cast<int64_t>(sizeof(float)) / kCacheLine};
  }

  // Task = (block, row chunk); `next_task`: the thread's next task (its W is prefetched), or -1.
  ONYX_SG_AVX512 void run_task(const float* x, int64_t m, int64_t ldx, float* y, int64_t ldy, int64_t task,
                               int64_t row_chunks, int64_t chunk_rows, int64_t next_task) const {
    const int64_t block = task / row_chunks, r0 = (task % row_chunks) * chunk_rows;
    const int64_t r1 = std::min(m, r0 + chunk_rows);
    const int64_t c0 = block * kBlockCols, cols = std::min(kBlockCols, n_ - c0);
    const int64_t tiles = (r1 - r0 + kRows - 1) / kRows;
    Epilogue ep;
    ep.bias = bias_.empty() ? nullptr : bias_.data() + c0;
    ep.gelu = gelu_;
    for (int64_t kc = 0; kc < k_chunks_; ++kc) {
      // The W chunk this thread reads next: the block's next K chunk, or the next task's first.
      PrefetchRange next;
      if (kc + 1 < k_chunks_)
        next = chunk_range(block, kc + 1);
      else if (next_task >= 0)
        next = chunk_range(next_task / row_chunks, 0);
      PrefetchSlicer slices(next, tiles);
      const float* wk = w_chunk(block, kc);
      const int64_t k0 = kc * k_chunk_, len = chunk_len(kc);
      for (int64_t t = 0, i = r0; t < tiles; ++t) {
        // Rows spread evenly over the tiles (128 = 18 x 6 + 4 x 5, not 21 x 6 + 2): a tile of 1-3 rows reads as
        // much W from L2 per k as a full one for a third of the FMAs.
        const int rows = static_cast<int>((r1 - r0) / tiles + (t < (r1 - r0) % tiles ? 1 : 0));
        kMicro[rows](x + i * ldx + k0, ldx, wk, len, y + i * ldy + c0, ldy, cols, kc == 0, kc + 1 == k_chunks_, ep,
                     slices.next());
        i += rows;
      }
    }
  }

  int64_t k_, n_, blocks_;
  int64_t k_chunks_ = 1, k_chunk_ = 0;
  std::unique_ptr<float[], AlignedFree> packed_;
  std::vector<float> bias_;  // blocks_ * 64, zero-padded; empty without bias
  void (*gelu_)(const float*, const float*, float*, int64_t) = nullptr;
};

}  // namespace

std::unique_ptr<PackedGemm> make_packed_sgemm_avx512(const std::vector<float>& w, int64_t k, int64_t n,
                                                     const float* bias, PackedGemmEpilogue epilogue) {
  if (!cpu_features().avx512f) return nullptr;
  auto g = std::make_unique<Avx512PackedSgemm>(w, k, n, bias, epilogue);
  return g->packed() ? std::move(g) : nullptr;
}

#else

std::unique_ptr<PackedGemm> make_packed_sgemm_avx512(const std::vector<float>&, int64_t, int64_t, const float*,
                                                     PackedGemmEpilogue) {
  return nullptr;
}

#endif

}  // namespace onyx::cpu::detail
