// PackedGemm implementations (see packed_gemm.h for the variants).
//
// oneDNN path: one matmul primitive per (M, ldx, ldy, threads), cached. oneDNN 2.6 has no fast runtime-M matmul
// (a DNNL_RUNTIME_DIM_VAL M falls back to its unpacked gemm:jit implementation), and its brgemm matmul sizes its
// blocking for the thread count at creation, so each is part of the key. Creating one costs 0.1-0.3 ms at the
// DistilBERT shapes (measured on the Zen 5 dev machine, oneDNN 2.6.3; ~1 ms for odd small shapes) and holds
// ~30-110 KiB (JIT code); the cache keeps at most kMaxCachedShapes per PackedGemm and drops the oldest beyond
// that. Every primitive is checked to want the weight layout packed at create(); one that wants another gets its
// own reordered copy.
#include "src/ep/cpu/gemm/packed_gemm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/half.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/bf16_convert.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/gemm/packed_sgemm_avx512.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

#if defined(ONYX_WITH_DNNL) && ONYX_WITH_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#define ONYX_PACKED_GEMM_HAS_DNNL true
#else
#define ONYX_PACKED_GEMM_HAS_DNNL false
#endif

namespace onyx::cpu {

namespace {

std::string shape_text(int64_t k, int64_t n) { return "K=" + std::to_string(k) + " N=" + std::to_string(n); }

// W as [K, N] row-major fp32 times alpha (and rounded to bf16 for the bf16 variants, so every variant
// multiplies the same numbers).
std::vector<float> scaled_weights(const float* w, int64_t k, int64_t n, bool w_transposed, float alpha, bool bf16) {
  std::vector<float> out(static_cast<size_t>(k * n));
  for (int64_t l = 0; l < k; ++l)
    for (int64_t j = 0; j < n; ++j) {
      const float v = alpha * (w_transposed ? w[j * k + l] : w[l * n + j]);
      out[static_cast<size_t>(l * n + j)] = bf16 ? to_float(to_bfloat16(v)) : v;
    }
  return out;
}

// X rows [m, k] (row stride ldx) rounded to bf16 into `out` ([m, k] tight), split over the intra-op threads.
[[maybe_unused]] void convert_rows_to_bf16(const float* x, int64_t m, int64_t k, int64_t ldx, BFloat16* out) {
  if (ldx == k) {
    parallel_for(m * k, 1 << 15, [&](int64_t b, int64_t e) { convert_to_bf16(x + b, e - b, out + b); });
    return;
  }
  parallel_for(m, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(1, k)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) convert_to_bf16(x + i * ldx, k, out + i * k);
  });
}

// ------------------------------------------------------------------------------------------------------------
// Portable variant: W kept [K, N] fp32, gemm_f32 + the epilogue loop.

class PortablePackedGemm final : public PackedGemm {
 public:
  PortablePackedGemm(std::vector<float> w, int64_t k, int64_t n, const float* bias, const PackedGemmOptions& o)
      : w_(std::move(w)), k_(k), n_(n), bf16_(o.bf16), epilogue_(o.epilogue) {
    if (bias) bias_.assign(bias, bias + n);
  }

  Status run(const float* x, int64_t m, int64_t ldx, float* y, int64_t ldy) const override {
    if (m < 0 || ldx < k_ || ldy < n_) return invalid_argument("PackedGemm::run: bad m / ldx / ldy");
    if (m == 0) return ok_status();
    thread_local std::vector<float> xr;  // reused across calls
    if (bf16_) {  // round X to bf16 (and back: gemm_f32 then multiplies bf16 values exactly in fp32)
      if (xr.size() < static_cast<size_t>(m * k_)) xr.resize(static_cast<size_t>(m * k_));
      for (int64_t i = 0; i < m; ++i)
        for (int64_t l = 0; l < k_; ++l) xr[static_cast<size_t>(i * k_ + l)] = to_float(to_bfloat16(x[i * ldx + l]));
      x = xr.data();
      ldx = k_;
    }
    ONYX_RETURN_IF_ERROR(gemm_f32({.m = m, .n = n_, .k = k_, .lda = ldx, .ldb = n_, .ldc = ldy}, x, w_.data(), y));
    if (bias_.empty() && epilogue_ == PackedGemmEpilogue::kNone) return ok_status();
    // bias + GELU in one pass through the dispatched row kernels (the ones Gelu / BiasGelu / FastGelu use)
    const RowKernelsF32& rk = row_kernels_f32();
    const auto gelu = epilogue_ == PackedGemmEpilogue::kGeluErf    ? rk.gelu_erf
                      : epilogue_ == PackedGemmEpilogue::kGeluTanh ? rk.gelu_tanh
                                                                   : nullptr;
    const float* bias = bias_.empty() ? nullptr : bias_.data();
    parallel_for(m, std::max<int64_t>(1, 4096 / n_), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        float* row = y + i * ldy;
        if (gelu)
          gelu(row, bias, row, n_);
        else
          for (int64_t j = 0; j < n_; ++j) row[j] += bias[j];
      }
    });
    return ok_status();
  }

  int64_t k() const override { return k_; }
  int64_t n() const override { return n_; }
  bool bf16() const override { return bf16_; }
  size_t packed_bytes() const override { return (w_.size() + bias_.size()) * sizeof(float); }

 private:
  std::vector<float> w_, bias_;
  int64_t k_, n_;
  bool bf16_;
  PackedGemmEpilogue epilogue_;
};

// ------------------------------------------------------------------------------------------------------------
// oneDNN variant.

#if defined(ONYX_WITH_DNNL) && ONYX_WITH_DNNL

using dnnl_dt = dnnl::memory::data_type;
using dnnl_tag = dnnl::memory::format_tag;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// W reordered once into the primitive's blocked layout (memory oneDNN allocates and owns); bias and GELU as
// post-ops; bf16 X converted into a per-thread scratch buffer.
class DnnlPackedGemm final : public PackedGemm {
 public:
  static constexpr size_t kMaxCachedShapes = 32;

  static Result<std::unique_ptr<PackedGemm>> create(const std::vector<float>& w, int64_t k, int64_t n,
                                                    const float* bias, const PackedGemmOptions& o) {
    auto g = std::unique_ptr<DnnlPackedGemm>(new DnnlPackedGemm(k, n, o));
    try {
      if (bias) {
        g->bias_ = dnnl::memory({{1, n}, dnnl_dt::f32, dnnl_tag::ab}, cpu_engine());
        std::copy(bias, bias + n, static_cast<float*>(g->bias_.get_data_handle()));
      }
      // The layout the primitive wants for a typical M (it does not depend on M in oneDNN 2.6; checked per M).
      const dnnl::matmul::primitive_desc pd = g->primitive_desc_for(128, /*ldx=*/k, /*ldy=*/n, g->any_weights_desc());
      g->weights_ = dnnl::memory(pd.weights_desc(), cpu_engine());
      dnnl::memory plain({{k, n}, dnnl_dt::f32, dnnl_tag::ab}, cpu_engine(), const_cast<float*>(w.data()));
      dnnl::stream stream(cpu_engine());
      dnnl::reorder(plain, g->weights_).execute(stream, plain, g->weights_);
      stream.wait();
    } catch (const dnnl::error& e) {
      return internal_error("PackedGemm (" + shape_text(k, n) + (o.bf16 ? ", bf16" : "") +
                            "): oneDNN failed to pack the weights: " + e.what());
    }
    return std::unique_ptr<PackedGemm>(std::move(g));
  }

  Status run(const float* x, int64_t m, int64_t ldx, float* y, int64_t ldy) const override {
    if (m < 0 || ldx < k_ || ldy < n_) return invalid_argument("PackedGemm::run: bad m / ldx / ldy");
    if (m == 0) return ok_status();
    const int threads = intra_op_threads();
    if (omp_get_max_threads() != threads) omp_set_num_threads(threads);  // oneDNN reads the caller's count
    thread_local std::vector<BFloat16> xb;  // reused: a fresh large buffer per call would page-fault each time
    if (bf16_) {
      if (xb.size() < static_cast<size_t>(m * k_)) xb.resize(static_cast<size_t>(m * k_));
      convert_rows_to_bf16(x, m, k_, ldx, xb.data());
      ldx = k_;
    }
    try {
      ONYX_ASSIGN_OR_RETURN(std::shared_ptr<const Entry> entry, entry_for(m, ldx, ldy, threads));
      std::unique_ptr<ExecSlot> slot = take_slot(*entry);
      slot->src.set_data_handle(bf16_ ? static_cast<void*>(xb.data()) : const_cast<float*>(x));
      slot->dst.set_data_handle(y);
      entry->primitive.execute(slot->stream, slot->args);
      slot->stream.wait();
      std::lock_guard<std::mutex> lock(mu_);
      entry->free_slots.push_back(std::move(slot));
    } catch (const dnnl::error& e) {
      return internal_error("PackedGemm::run (M=" + std::to_string(m) + " " + shape_text(k_, n_) +
                            "): oneDNN failed: " + e.what());
    }
    return ok_status();
  }

  int64_t k() const override { return k_; }
  int64_t n() const override { return n_; }
  bool bf16() const override { return bf16_; }
  size_t packed_bytes() const override {
    return weights_.get_desc().get_size() + (bias_ ? bias_.get_desc().get_size() : 0);
  }

 private:
  // What one execution needs besides the primitive: src/dst memory objects (their data handles are set per call),
  // the scratchpad, the argument map and a stream. Each entry keeps a free list of them (one per concurrent run),
  // so a steady-state run allocates nothing.
  struct ExecSlot {
    dnnl::memory src, dst;
    std::vector<uint8_t> scratch;
    std::unordered_map<int, dnnl::memory> args;
    dnnl::stream stream;
  };
  struct Entry {
    dnnl::matmul::primitive_desc pd;
    dnnl::matmul primitive;
    std::optional<dnnl::memory> weights;                        // set when this M wants another layout than weights_
    mutable std::vector<std::unique_ptr<ExecSlot>> free_slots;  // guarded by mu_
  };
  using Key = std::tuple<int64_t, int64_t, int64_t, int>;  // m, ldx, ldy, threads

  DnnlPackedGemm(int64_t k, int64_t n, const PackedGemmOptions& o)
      : k_(k), n_(n), bf16_(o.bf16), epilogue_(o.epilogue) {}

  dnnl_dt act_type() const { return bf16_ ? dnnl_dt::bf16 : dnnl_dt::f32; }
  dnnl::memory::desc any_weights_desc() const { return {{k_, n_}, act_type(), dnnl_tag::any}; }

  // Throws dnnl::error.
  dnnl::matmul::primitive_desc primitive_desc_for(int64_t m, int64_t ldx, int64_t ldy,
                                                  const dnnl::memory::desc& weights) const {
    const dnnl::memory::desc src({m, k_}, act_type(), dnnl::memory::dims{ldx, 1});
    const dnnl::memory::desc dst({m, n_}, dnnl_dt::f32, dnnl::memory::dims{ldy, 1});
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread scratch: run() may be concurrent
    if (epilogue_ != PackedGemmEpilogue::kNone) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.0f,
                         epilogue_ == PackedGemmEpilogue::kGeluErf ? dnnl::algorithm::eltwise_gelu_erf
                                                                   : dnnl::algorithm::eltwise_gelu_tanh,
                         0.0f, 0.0f);
      attr.set_post_ops(ops);
    }
    const dnnl::matmul::desc desc =
        bias_ ? dnnl::matmul::desc(src, weights, bias_.get_desc(), dst) : dnnl::matmul::desc(src, weights, dst);
    return dnnl::matmul::primitive_desc(desc, attr, cpu_engine());
  }

  // The cached primitive for this shape, created on first use. Throws dnnl::error.
  Result<std::shared_ptr<const Entry>> entry_for(int64_t m, int64_t ldx, int64_t ldy, int threads) const {
    const Key key{m, ldx, ldy, threads};
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    auto entry = std::make_shared<Entry>();
    entry->pd = primitive_desc_for(m, ldx, ldy, any_weights_desc());
    if (entry->pd.weights_desc() != weights_.get_desc()) {
      // This M prefers another layout: keep the packed one if the library takes it, else reorder a copy.
      try {
        entry->pd = primitive_desc_for(m, ldx, ldy, weights_.get_desc());
      } catch (const dnnl::error&) {
        entry->weights = dnnl::memory(entry->pd.weights_desc(), cpu_engine());
        dnnl::stream stream(cpu_engine());
        dnnl::reorder(weights_, *entry->weights).execute(stream, const_cast<dnnl::memory&>(weights_), *entry->weights);
        stream.wait();
      }
    }
    entry->primitive = dnnl::matmul(entry->pd);
    if (cache_order_.size() >= kMaxCachedShapes) {
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
    cache_.emplace(key, entry);
    cache_order_.push_back(key);
    return std::shared_ptr<const Entry>(std::move(entry));
  }

  // A free execution slot of `entry`, or a new one. Throws dnnl::error.
  std::unique_ptr<ExecSlot> take_slot(const Entry& entry) const {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!entry.free_slots.empty()) {
        std::unique_ptr<ExecSlot> slot = std::move(entry.free_slots.back());
        entry.free_slots.pop_back();
        return slot;
      }
    }
    const dnnl::engine& engine = cpu_engine();
    auto slot = std::make_unique<ExecSlot>();
    slot->src = dnnl::memory(entry.pd.src_desc(), engine, DNNL_MEMORY_NONE);
    slot->dst = dnnl::memory(entry.pd.dst_desc(), engine, DNNL_MEMORY_NONE);
    slot->scratch.resize(entry.pd.scratchpad_desc().get_size());
    slot->args = {{DNNL_ARG_SRC, slot->src},
                  {DNNL_ARG_WEIGHTS, entry.weights ? *entry.weights : weights_},
                  {DNNL_ARG_DST, slot->dst},
                  {DNNL_ARG_SCRATCHPAD, dnnl::memory(entry.pd.scratchpad_desc(), engine, slot->scratch.data())}};
    if (bias_) slot->args.emplace(DNNL_ARG_BIAS, bias_);
    slot->stream = dnnl::stream(engine);
    return slot;
  }

  int64_t k_, n_;
  bool bf16_;
  PackedGemmEpilogue epilogue_;
  dnnl::memory weights_;  // packed, owned by oneDNN
  dnnl::memory bias_;     // [1, N] f32, or empty
  mutable std::mutex mu_;
  mutable std::map<Key, std::shared_ptr<const Entry>> cache_;
  mutable std::deque<Key> cache_order_;  // oldest first
};

#endif  // ONYX_WITH_DNNL

}  // namespace

Result<std::unique_ptr<PackedGemm>> PackedGemm::create(const float* w, int64_t k, int64_t n, bool w_transposed,
                                                       const float* bias, const PackedGemmOptions& options) {
  if (k <= 0 || n <= 0) return invalid_argument("PackedGemm: K and N must be positive, got " + shape_text(k, n));
  if (!w) return invalid_argument("PackedGemm: no weights");
  const bool use_dnnl = ONYX_PACKED_GEMM_HAS_DNNL && !options.portable;
  if (options.bf16 && use_dnnl && !cpu_features().avx512bf16)
    return failed_precondition("PackedGemm: bf16 weights need a CPU with AVX512-BF16 (this CPU has: " +
                               cpu_features().to_string() + "); use fp32 precision");
  std::vector<float> wk = scaled_weights(w, k, n, w_transposed, options.alpha, options.bf16 && !use_dnnl);
  if (!options.bf16 && !options.portable && !options.onednn)
    if (auto g = detail::make_packed_sgemm_avx512(wk, k, n, bias, options.epilogue)) return g;
#if defined(ONYX_WITH_DNNL) && ONYX_WITH_DNNL
  if (use_dnnl) return DnnlPackedGemm::create(wk, k, n, bias, options);
#endif
  return std::unique_ptr<PackedGemm>(std::make_unique<PortablePackedGemm>(std::move(wk), k, n, bias, options));
}

}  // namespace onyx::cpu
