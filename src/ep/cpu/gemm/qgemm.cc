// PackedQGemm driver (see qgemm.h for the math and the variants, qgemm_kernel.h for the packed layout) and its
// reference variant; the public quantization helpers (dynamic_quant_params, quantize_u8,
// quantize_weights_symmetric).
//
// A run is one OpenMP region on the calling thread's intra_op_threads():
//   run_dynamic:   min/max of X over each thread's rows | barrier | every thread derives the same QuantParams,
//                  quantizes its rows into the caller's scratch (+ row sums when a weight zero point != 0) |
//                  barrier | GEMM tiles
//   run_quantized, run_int32: row sums (only when a weight zero point != 0) | barrier | GEMM tiles
// GEMM tiles: (block of block_cols columns) x (chunk of rows), block-major, split into contiguous ranges, one per
// thread: at small M every thread gets whole column blocks (its own part of W stays in its L2), at larger M or
// small N rows are split too (chunks of at most kMaxChunkRows rows, aligned to the micro-kernel's rows). The GELU
// epilogue runs on each tile right after the tile is written, while it is still in cache.
#include "src/ep/cpu/gemm/qgemm.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/qgemm_kernel.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu {

namespace detail {

namespace {

// ------------------------------------------------------------------------------------------------------------
// Reference variant: plain loops over the packed data (64-column blocks of 16-column panels, 4-k groups: the
// avx512vnni layout).

constexpr int64_t kRefBlockCols = 64, kRefPanelCols = 16, kRefKGroup = 4;

void block_reference(const QGemmPackedView& w, const QGemmRunArgs& r, int64_t m0, int64_t m1, int64_t block) {
  const int64_t c0 = block * kRefBlockCols;
  const int64_t cols = std::min(kRefBlockCols, w.n - c0);
  const int64_t stored = (cols + kRefPanelCols - 1) / kRefPanelCols * kRefPanelCols;
  const int8_t* wb = w.packed + block * w.kpad * kRefBlockCols;
  for (int64_t i = m0; i < m1; ++i) {
    const uint8_t* xr = r.x + i * r.ldx;
    for (int64_t jj = 0; jj < cols; ++jj) {
      const int64_t j = c0 + jj;
      const int8_t* wc = wb + jj * kRefKGroup;  // W[l, j] at wc[(l / 4) * stored * 4 + l % 4]
      uint32_t acc = 0;                         // wrapping 32-bit math (see qgemm_kernel.h)
      for (int64_t l = 0; l < w.k; ++l)
        acc += static_cast<uint32_t>(xr[l]) *
               static_cast<uint32_t>(static_cast<int32_t>(wc[(l / kRefKGroup) * stored * kRefKGroup + l % kRefKGroup]));
      acc += static_cast<uint32_t>(r.zx) * static_cast<uint32_t>(w.col_c[j]);
      if (w.zw) acc -= static_cast<uint32_t>(w.zw[j]) * static_cast<uint32_t>(r.rowsum[i]);
      const auto a = static_cast<int32_t>(acc);
      if (r.yi)
        r.yi[i * r.ldy + j] = a;
      else
        r.yf[i * r.ldy + j] = std::fma(static_cast<float>(a), r.sx * w.scale_w[j], w.bias[j]);
    }
  }
}

// quantize_u8's rounding and clamping for one value; the vector variants do the same fp32 operations
// (x86 max/min semantics: a NaN becomes 0, as in ONNX Runtime's MLAS).
inline uint8_t quantize_value(float v, float scale, float zp) {
  float r = std::nearbyint(v / scale) + zp;  // the default rounding mode: half to even
  r = r > 0.0f ? r : 0.0f;
  r = r < 255.0f ? r : 255.0f;
  return static_cast<uint8_t>(r);
}

void min_max_reference(const float* x, int64_t m, int64_t k, int64_t ldx, float* mn, float* mx) {
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t l = 0; l < k; ++l) {
      const float v = x[i * ldx + l];
      lo = v < lo ? v : lo;  // NaN compares false: ignored
      hi = v > hi ? v : hi;
    }
  *mn = lo;
  *mx = hi;
}

void quantize_reference(const float* x, int64_t m, int64_t k, int64_t ldx, QuantParams q, uint8_t* y, int64_t ldy) {
  const float zp = q.zero_point;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t l = 0; l < k; ++l) y[i * ldy + l] = quantize_value(x[i * ldx + l], q.scale, zp);
}

void row_sums_reference(const uint8_t* x, int64_t m, int64_t k, int64_t ldx, int32_t* rowsum) {
  for (int64_t i = 0; i < m; ++i) {
    int32_t s = 0;
    for (int64_t l = 0; l < k; ++l) s += x[i * ldx + l];
    rowsum[i] = s;
  }
}

}  // namespace

const QGemmKernels& qgemm_kernels_reference() {
  static const QGemmKernels k{"reference", QGemmIsa::kReference, kRefBlockCols, kRefPanelCols, kRefKGroup,
                              6,           &block_reference};
  return k;
}

const QuantKernels& quant_kernels_reference() {
  static const QuantKernels k{"reference", &min_max_reference, &quantize_reference, &row_sums_reference};
  return k;
}

const QuantKernels& quant_kernels() {
  static const QuantKernels& k = quant_kernels_avx512() ? *quant_kernels_avx512() : quant_kernels_reference();
  return k;
}

}  // namespace detail

namespace {

using detail::QGemmKernels;
using detail::QGemmPackedView;
using detail::QGemmRunArgs;

constexpr int64_t kMaxChunkRows = 192;  // rows of X one tile reads (192 x 3072 bytes stays in L2)
constexpr int64_t kTasksPerThread = 4;  // tiles per thread to balance uneven tiles
constexpr int64_t kMinParallelMacs = int64_t{1} << 17;
constexpr int64_t kPrivateQuantValues = 48 * 1024;  // run_dynamic: X up to this many values is quantized per thread

std::string shape_text(int64_t k, int64_t n) { return "K=" + std::to_string(k) + " N=" + std::to_string(n); }

const char* isa_name(QGemmIsa isa) {
  switch (isa) {
    case QGemmIsa::kAuto:
      return "auto";
    case QGemmIsa::kReference:
      return "reference";
    case QGemmIsa::kAvx2:
      return "avx2";
    case QGemmIsa::kAvx512Vnni:
      return "avx512vnni";
  }
  return "?";
}

struct FreeDeleter {
  void operator()(int8_t* p) const { std::free(p); }
};

// Calls body(thread, threads) on `threads` OpenMP threads (fewer if OpenMP gives fewer); body may use
// `#pragma omp barrier`.
template <typename Body>
void in_parallel(int threads, Body&& body) {
  if (threads <= 1) {
    body(0, 1);
    return;
  }
#pragma omp parallel num_threads(threads)
  body(omp_get_thread_num(), omp_get_num_threads());
}

// Per-calling-thread buffers, grown only (a run allocates nothing once it has seen its shape).
struct RunScratch {
  std::vector<uint8_t> xq;
  std::vector<int32_t> rowsum;
  std::vector<uint16_t> x16;
  std::vector<float> min_max;
};

RunScratch& run_scratch() {
  thread_local RunScratch s;
  return s;
}

template <typename T>
T* grown(std::vector<T>& v, size_t n) {
  if (v.size() < n) {
    v.clear();
    v.shrink_to_fit();
    v.resize(n);
  }
  return v.data();
}

class QGemmImpl final : public PackedQGemm {
 public:
  static Result<std::unique_ptr<PackedQGemm>> create(const QGemmWeights& w, const float* bias, const QGemmOptions& o,
                                                     const QGemmKernels& kernels);

  Status run_dynamic(const float* x, int64_t m, int64_t ldx, float* y, int64_t ldy) const override {
    ONYX_RETURN_IF_ERROR(check_run("run_dynamic", x, m, ldx, y, ldy, /*fp32=*/true));
    if (m == 0) return ok_status();
    const int threads = threads_for(m);
    const Plan plan = plan_for(m, threads);
    RunScratch& s = run_scratch();
    // Small X: every thread quantizes all of it into its own scratch (no barrier, no X_q crossing cores), which
    // costs less than the two barriers of the shared path at these sizes.
    const bool private_x = threads > 1 && m * k_ <= kPrivateQuantValues;
    uint8_t* xq = private_x ? nullptr : grown(s.xq, static_cast<size_t>(m * k_));
    const Prepared prep = private_x ? Prepared{} : prepared_scratch(m, s);
    float* mm = grown(s.min_max, static_cast<size_t>(2 * threads));
    const detail::QuantKernels& qk = detail::quant_kernels();
    in_parallel(threads, [&](int t, int nt) {
      QuantParams q;
      const uint8_t* xr = xq;
      Prepared pr = prep;
      if (private_x) {
        float lo, hi;
        qk.min_max(x, m, k_, ldx, &lo, &hi);
        q = dynamic_quant_params(lo, hi);
        RunScratch& own = run_scratch();  // this OpenMP thread's (the caller's on thread 0)
        uint8_t* oq = grown(own.xq, static_cast<size_t>(m * k_));
        qk.quantize(x, m, k_, ldx, q, oq, k_);
        pr = prepared_scratch(m, own);
        prepare_rows(oq, k_, 0, m, pr);
        xr = oq;
      } else {
        const int64_t r0 = m * t / nt, r1 = m * (t + 1) / nt;
        mm[2 * t] = std::numeric_limits<float>::infinity();
        mm[2 * t + 1] = -std::numeric_limits<float>::infinity();
        if (r1 > r0) qk.min_max(x + r0 * ldx, r1 - r0, k_, ldx, &mm[2 * t], &mm[2 * t + 1]);
#pragma omp barrier
        float lo = mm[0], hi = mm[1];
        for (int u = 1; u < nt; ++u) {
          lo = std::min(lo, mm[2 * u]);
          hi = std::max(hi, mm[2 * u + 1]);
        }
        q = dynamic_quant_params(lo, hi);
        if (r1 > r0) {
          qk.quantize(x + r0 * ldx, r1 - r0, k_, ldx, q, xq + r0 * k_, k_);
          prepare_rows(xq, k_, r0, r1, prep);
        }
#pragma omp barrier
      }
      QGemmRunArgs r;
      r.x = xr;
      r.ldx = k_;
      r.zx = q.zero_point;
      r.rowsum = pr.rowsum;
      r.x16 = pr.x16;
      r.ldx16 = view_.kpad;
      r.sx = q.scale;
      r.yf = y;
      r.ldy = ldy;
      run_tiles(plan, m, r, t, nt);
    });
    return ok_status();
  }

  Status run_quantized(const uint8_t* x, int64_t m, int64_t ldx, QuantParams xq, float* y, int64_t ldy) const override {
    ONYX_RETURN_IF_ERROR(check_run("run_quantized", x, m, ldx, y, ldy, /*fp32=*/true));
    QGemmRunArgs r;
    r.x = x;
    r.ldx = ldx;
    r.zx = xq.zero_point;
    r.sx = xq.scale;
    r.yf = y;
    r.ldy = ldy;
    run_on_uint8(m, r);
    return ok_status();
  }

  Status run_int32(const uint8_t* x, int64_t m, int64_t ldx, uint8_t x_zero_point, int32_t* y,
                   int64_t ldy) const override {
    ONYX_RETURN_IF_ERROR(check_run("run_int32", x, m, ldx, y, ldy, /*fp32=*/false));
    QGemmRunArgs r;
    r.x = x;
    r.ldx = ldx;
    r.zx = x_zero_point;
    r.yi = y;
    r.ldy = ldy;
    run_on_uint8(m, r);
    return ok_status();
  }

  int64_t k() const override { return k_; }
  int64_t n() const override { return n_; }
  QGemmIsa isa() const override { return kernels_->isa; }
  size_t packed_bytes() const override {
    return packed_size_ + (col_c_.size() + zw_.size()) * sizeof(int32_t) +
           (scale_w_.size() + bias_.size()) * sizeof(float);
  }

 private:
  struct Plan {
    int64_t blocks, chunks, chunk_rows;
    int64_t tasks() const { return blocks * chunks; }
  };

  QGemmImpl(const QGemmKernels& kernels, int64_t k, int64_t n, PackedGemmEpilogue epilogue)
      : kernels_(&kernels), k_(k), n_(n), epilogue_(epilogue) {}

  Status check_run(const char* what, const void* x, int64_t m, int64_t ldx, const void* y, int64_t ldy,
                   bool fp32) const {
    const std::string where = std::string("PackedQGemm::") + what + " (" + shape_text(k_, n_) + "): ";
    if (m < 0) return invalid_argument(where + "m must be >= 0, got " + std::to_string(m));
    if (ldx < k_ || ldy < n_)
      return invalid_argument(where + "row strides must be ldx >= K and ldy >= N, got ldx=" + std::to_string(ldx) +
                              " ldy=" + std::to_string(ldy));
    if (m > 0 && (!x || !y)) return invalid_argument(where + "null x or y");
    if (fp32 && !view_.scale_w)
      return failed_precondition(where + "fp32 output needs weight scales; create() was given none (use run_int32)");
    return ok_status();
  }

  int threads_for(int64_t m) const {
    if (m * k_ * n_ < kMinParallelMacs) return 1;
    return std::max(1, intra_op_threads());
  }

  Plan plan_for(int64_t m, int threads) const {
    Plan p;
    p.blocks = (n_ + view_.block_cols - 1) / view_.block_cols;
    const int64_t rows = kernels_->rows;
    const int64_t max_chunks = (m + rows - 1) / rows;
    int64_t chunks = (m + kMaxChunkRows - 1) / kMaxChunkRows;
    const int64_t wanted = threads > 1 ? kTasksPerThread * threads : 1;
    if (p.blocks * chunks < wanted) chunks = std::min(max_chunks, (wanted + p.blocks - 1) / p.blocks);
    chunks = std::max<int64_t>(1, chunks);
    p.chunk_rows = ((m + chunks - 1) / chunks + rows - 1) / rows * rows;
    p.chunks = (m + p.chunk_rows - 1) / p.chunk_rows;
    return p;
  }

  // Thread t of nt: its contiguous share of the tiles, each followed by the GELU epilogue on the tile.
  void run_tiles(const Plan& p, int64_t m, const QGemmRunArgs& r, int t, int nt) const {
    const int64_t tasks = p.tasks();
    const int64_t b = tasks * t / nt, e = tasks * (t + 1) / nt;
    const RowKernelsF32& rk = row_kernels_f32();
    const auto gelu = !r.yf                                        ? nullptr
                      : epilogue_ == PackedGemmEpilogue::kGeluErf  ? rk.gelu_erf
                      : epilogue_ == PackedGemmEpilogue::kGeluTanh ? rk.gelu_tanh
                                                                   : nullptr;
    for (int64_t task = b; task < e; ++task) {
      const int64_t block = task / p.chunks, chunk = task % p.chunks;
      const int64_t m0 = chunk * p.chunk_rows, m1 = std::min(m, m0 + p.chunk_rows);
      if (m0 >= m1) continue;
      kernels_->block(view_, r, m0, m1, block);
      if (gelu) {
        const int64_t c0 = block * view_.block_cols, cols = std::min(view_.block_cols, n_ - c0);
        for (int64_t i = m0; i < m1; ++i) {
          float* row = r.yf + i * r.ldy + c0;
          gelu(row, nullptr, row, cols);
        }
      }
    }
  }

  // Per-row data some runs need besides X (in the caller's scratch): row sums when a weight zero point != 0, X
  // widened to 16 bits for wide_x kernels.
  struct Prepared {
    int32_t* rowsum = nullptr;
    uint16_t* x16 = nullptr;
    bool any() const { return rowsum || x16; }
  };
  Prepared prepared_scratch(int64_t m, RunScratch& s) const {
    Prepared p;
    if (view_.zw) p.rowsum = grown(s.rowsum, static_cast<size_t>(m));
    if (kernels_->wide_x) p.x16 = grown(s.x16, static_cast<size_t>(m * view_.kpad));
    return p;
  }
  void prepare_rows(const uint8_t* x, int64_t ldx, int64_t r0, int64_t r1, const Prepared& p) const {
    if (r1 <= r0) return;
    if (p.rowsum) detail::quant_kernels().row_sums(x + r0 * ldx, r1 - r0, k_, ldx, p.rowsum + r0);
    if (p.x16)
      for (int64_t i = r0; i < r1; ++i) {
        uint16_t* out = p.x16 + i * view_.kpad;
        for (int64_t l = 0; l < k_; ++l) out[l] = x[i * ldx + l];
        for (int64_t l = k_; l < view_.kpad; ++l) out[l] = 0;
      }
  }

  // run_quantized / run_int32: the prepared rows (when needed) into the caller's scratch, then the tiles.
  void run_on_uint8(int64_t m, QGemmRunArgs r) const {
    if (m == 0) return;
    const int threads = threads_for(m);
    const Plan plan = plan_for(m, threads);
    const Prepared prep = prepared_scratch(m, run_scratch());
    r.rowsum = prep.rowsum;
    r.x16 = prep.x16;
    r.ldx16 = view_.kpad;
    in_parallel(threads, [&](int t, int nt) {
      if (prep.any()) {
        prepare_rows(r.x, r.ldx, m * t / nt, m * (t + 1) / nt, prep);
#pragma omp barrier
      }
      run_tiles(plan, m, r, t, nt);
    });
  }

  const QGemmKernels* kernels_;
  int64_t k_, n_;
  PackedGemmEpilogue epilogue_;
  std::unique_ptr<int8_t, FreeDeleter> packed_;
  size_t packed_size_ = 0;
  std::vector<int32_t> col_c_, zw_;
  std::vector<float> scale_w_, bias_;
  QGemmPackedView view_;
};

Result<std::unique_ptr<PackedQGemm>> QGemmImpl::create(const QGemmWeights& w, const float* bias, const QGemmOptions& o,
                                                       const QGemmKernels& kernels) {
  const int64_t k = w.k, n = w.n;
  auto g = std::unique_ptr<QGemmImpl>(new QGemmImpl(kernels, k, n, o.epilogue));
  const bool u8 = w.dtype == DType::kUInt8;
  const auto* raw = static_cast<const uint8_t*>(w.data);
  // W as int8 (a uint8 weight shifted by -128: same differences w - zw).
  const auto w_at = [&](int64_t l, int64_t j) -> int32_t {
    const uint8_t b = raw[w.transposed ? j * k + l : l * n + j];
    return u8 ? static_cast<int32_t>(b) - 128 : static_cast<int32_t>(static_cast<int8_t>(b));
  };
  const auto zp_at = [&](int64_t j) -> int32_t {  // null zero points: 0 in the weight's own type
    const uint8_t b = w.zero_points ? static_cast<const uint8_t*>(w.zero_points)[w.num_scales == 1 ? 0 : j] : 0;
    return u8 ? static_cast<int32_t>(b) - 128 : static_cast<int32_t>(static_cast<int8_t>(b));
  };

  const int64_t bc = kernels.block_cols, pc = kernels.panel_cols, kg = kernels.k_group;
  const int64_t blocks = (n + bc - 1) / bc, npad = blocks * bc, kpad = (k + 3) / 4 * 4;
  g->col_c_.assign(static_cast<size_t>(npad), 0);
  g->bias_.assign(static_cast<size_t>(npad), 0.0f);
  if (bias) std::copy(bias, bias + n, g->bias_.begin());
  if (w.scales) {
    g->scale_w_.assign(static_cast<size_t>(npad), 0.0f);
    for (int64_t j = 0; j < n; ++j) g->scale_w_[static_cast<size_t>(j)] = w.scales[w.num_scales == 1 ? 0 : j];
  }
  bool any_zp = false;
  for (int64_t j = 0; j < n && !any_zp; ++j) any_zp = zp_at(j) != 0;
  if (any_zp) {
    g->zw_.assign(static_cast<size_t>(npad), 0);
    for (int64_t j = 0; j < n; ++j) g->zw_[static_cast<size_t>(j)] = zp_at(j);
  }

  g->packed_size_ = static_cast<size_t>(blocks * kpad * bc);
  g->packed_.reset(static_cast<int8_t*>(std::aligned_alloc(64, (g->packed_size_ + 63) / 64 * 64)));
  if (!g->packed_) return internal_error("PackedQGemm (" + shape_text(k, n) + "): out of memory packing W");
  int8_t* packed = g->packed_.get();
  std::memset(packed, 0, g->packed_size_);
  std::vector<int64_t> colsum(static_cast<size_t>(n), 0);
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t c0 = b * bc, cols = std::min(bc, n - c0), stored = (cols + pc - 1) / pc * pc;
    int8_t* wb = packed + b * kpad * bc;
    for (int64_t l = 0; l < k; ++l)
      for (int64_t jj = 0; jj < cols; ++jj) {
        const int32_t v = w_at(l, c0 + jj);
        wb[(l / kg) * stored * kg + jj * kg + l % kg] = static_cast<int8_t>(v);
        colsum[static_cast<size_t>(c0 + jj)] += v;
      }
  }
  for (int64_t j = 0; j < n; ++j)
    g->col_c_[static_cast<size_t>(j)] = static_cast<int32_t>(k * zp_at(j) - colsum[static_cast<size_t>(j)]);

  QGemmPackedView& v = g->view_;
  v.packed = packed;
  v.k = k;
  v.kpad = kpad;
  v.n = n;
  v.block_cols = bc;
  v.panel_cols = pc;
  v.k_group = kg;
  v.col_c = g->col_c_.data();
  v.zw = any_zp ? g->zw_.data() : nullptr;
  v.scale_w = w.scales ? g->scale_w_.data() : nullptr;
  v.bias = g->bias_.data();
  return std::unique_ptr<PackedQGemm>(std::move(g));
}

}  // namespace

Result<std::unique_ptr<PackedQGemm>> PackedQGemm::create(const QGemmWeights& w, const float* bias,
                                                         const QGemmOptions& options) {
  const std::string where = "PackedQGemm (" + shape_text(w.k, w.n) + "): ";
  if (w.k <= 0 || w.n <= 0) return invalid_argument(where + "K and N must be positive");
  if (w.k > detail::kQGemmMaxK)
    return invalid_argument(where + "K above " + std::to_string(detail::kQGemmMaxK) +
                            " could overflow the int32 accumulator; split the reduction or keep this MatMul in fp32");
  if (!w.data) return invalid_argument(where + "no weight data");
  if (w.dtype != DType::kInt8 && w.dtype != DType::kUInt8)
    return invalid_argument(where + "weights must be int8 or uint8");
  if (w.num_scales != 1 && w.num_scales != w.n)
    return invalid_argument(where + "num_scales must be 1 (per tensor) or N (per column), got " +
                            std::to_string(w.num_scales));
  const CpuFeatures& cpu = cpu_features();
  const QGemmKernels* avx512 = detail::qgemm_kernels_avx512vnni();
  const QGemmKernels* avx2 = detail::qgemm_kernels_avx2();
  const QGemmKernels* kernels = nullptr;
  switch (options.isa) {
    case QGemmIsa::kAuto:
      kernels = avx512 ? avx512 : avx2 ? avx2 : &detail::qgemm_kernels_reference();
      break;
    case QGemmIsa::kReference:
      kernels = &detail::qgemm_kernels_reference();
      break;
    case QGemmIsa::kAvx2:
      kernels = avx2;
      break;
    case QGemmIsa::kAvx512Vnni:
      kernels = avx512;
      break;
  }
  if (!kernels)
    return failed_precondition(where + "the " + isa_name(options.isa) +
                               " variant needs a CPU (and compiler) with that ISA; this CPU has: " + cpu.to_string() +
                               " (use QGemmIsa::kAuto)");
  return QGemmImpl::create(w, bias, options, *kernels);
}

QuantParams dynamic_quant_params(float min, float max) {
  // fminf / fmaxf drop a NaN; infinities are clamped so the range stays finite.
  min = std::max(std::fmin(min, 0.0f), -FLT_MAX);
  max = std::min(std::fmax(max, 0.0f), FLT_MAX);
  const float range = max - min;
  float scale = range / 255.0f;
  if (!std::isfinite(range)) scale = max / 255.0f - min / 255.0f;  // max - min overflowed
  if (scale == 0.0f) scale = 1.0f;
  float z = -min / scale;
  z = std::min(std::max(z, 0.0f), 255.0f);
  return {scale, static_cast<uint8_t>(std::nearbyint(z))};
}

void quantize_u8(const float* x, int64_t m, int64_t k, int64_t ldx, QuantParams q, uint8_t* y, int64_t ldy) {
  if (m <= 0 || k <= 0) return;
  detail::quant_kernels().quantize(x, m, k, ldx, q, y, ldy);
}

void quantize_weights_symmetric(const float* w, int64_t k, int64_t n, bool transposed, bool per_column, int8_t* q,
                                float* scales) {
  if (k <= 0 || n <= 0) return;
  const auto at = [&](int64_t l, int64_t j) { return transposed ? j * k + l : l * n + j; };
  const auto scale_for = [](float max_abs) { return max_abs > 0.0f ? max_abs / 127.0f : 1.0f; };
  const auto q_of = [](float v, float scale) {
    const float r = std::nearbyint(v / scale);
    return static_cast<int8_t>(std::min(127.0f, std::max(-127.0f, r)));
  };
  if (per_column) {
    for (int64_t j = 0; j < n; ++j) {
      float max_abs = 0.0f;
      for (int64_t l = 0; l < k; ++l) max_abs = std::max(max_abs, std::fabs(w[at(l, j)]));
      const float s = scale_for(max_abs);
      scales[j] = s;
      for (int64_t l = 0; l < k; ++l) q[at(l, j)] = q_of(w[at(l, j)], s);
    }
    return;
  }
  float max_abs = 0.0f;
  for (int64_t i = 0; i < k * n; ++i) max_abs = std::max(max_abs, std::fabs(w[i]));
  const float s = scale_for(max_abs);
  scales[0] = s;
  for (int64_t i = 0; i < k * n; ++i) q[i] = q_of(w[i], s);
}

}  // namespace onyx::cpu
