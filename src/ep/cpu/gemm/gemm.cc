// fp32 GEMM entry points (see gemm.h for the variants).
#include "src/ep/cpu/gemm/gemm.h"

#include <algorithm>
#include <string>
#include <vector>

#include <omp.h>

#include "src/core/parallel.h"

#if defined(ONYX_WITH_DNNL) && ONYX_WITH_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

namespace onyx::cpu {

namespace {

// C rows [i0, i1) of the loop fallback. The inner loops run over contiguous memory: C's row and B's row
// (no trans_b), or A's and B's rows as a dot product (trans_b).
[[maybe_unused]] void gemm_rows_loop(const GemmParams& p, const float* a, const float* b, float* c, int64_t i0, int64_t i1) {
  constexpr int64_t kBlockK = 256;
  for (int64_t i = i0; i < i1; ++i) {
    float* crow = c + i * p.ldc;
    if (p.beta == 0.0f) std::fill(crow, crow + p.n, 0.0f);
    else if (p.beta != 1.0f)
      for (int64_t j = 0; j < p.n; ++j) crow[j] *= p.beta;
  }
  if (p.trans_b && !p.trans_a) {
    for (int64_t i = i0; i < i1; ++i) {
      const float* arow = a + i * p.lda;
      for (int64_t j = 0; j < p.n; ++j) {
        const float* brow = b + j * p.ldb;
        float acc = 0.0f;
        for (int64_t l = 0; l < p.k; ++l) acc += arow[l] * brow[l];
        c[i * p.ldc + j] += p.alpha * acc;
      }
    }
    return;
  }
  for (int64_t l0 = 0; l0 < p.k; l0 += kBlockK) {
    const int64_t l1 = std::min(p.k, l0 + kBlockK);
    for (int64_t i = i0; i < i1; ++i) {
      float* crow = c + i * p.ldc;
      for (int64_t l = l0; l < l1; ++l) {
        const float av = p.alpha * (p.trans_a ? a[l * p.lda + i] : a[i * p.lda + l]);
        if (p.trans_b) {
          for (int64_t j = 0; j < p.n; ++j) crow[j] += av * b[j * p.ldb + l];
        } else {
          const float* brow = b + l * p.ldb;
          for (int64_t j = 0; j < p.n; ++j) crow[j] += av * brow[j];
        }
      }
    }
  }
}

// C = beta * C for the degenerate k == 0 case (beta == 0 writes zeros without reading C).
void scale_c(const GemmParams& p, float* c) {
  for (int64_t i = 0; i < p.m; ++i) {
    float* crow = c + i * p.ldc;
    for (int64_t j = 0; j < p.n; ++j) crow[j] = p.beta == 0.0f ? 0.0f : p.beta * crow[j];
  }
}

Status check_params(const GemmParams& p) {
  const int64_t a_cols = p.trans_a ? p.m : p.k, b_cols = p.trans_b ? p.k : p.n;
  if (p.m < 0 || p.n < 0 || p.k < 0 || p.lda < std::max<int64_t>(1, a_cols) ||
      p.ldb < std::max<int64_t>(1, b_cols) || p.ldc < std::max<int64_t>(1, p.n))
    return invalid_argument("gemm_f32: bad shape m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
                            " k=" + std::to_string(p.k) + " lda=" + std::to_string(p.lda) +
                            " ldb=" + std::to_string(p.ldb) + " ldc=" + std::to_string(p.ldc));
  return ok_status();
}

// One GEMM on `threads` threads (1 inside a parallel batch). p is resolved and checked.
Status gemm_one(const GemmParams& p, const float* a, const float* b, float* c, int threads) {
  if (p.m == 0 || p.n == 0) return ok_status();
  if (p.k == 0) {
    scale_c(p, c);
    return ok_status();
  }
#if defined(ONYX_WITH_DNNL) && ONYX_WITH_DNNL
  // oneDNN reads the OpenMP thread count of the calling thread; set it to this run's intra-op count.
  if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
  const dnnl_status_t st = dnnl_sgemm(p.trans_a ? 'T' : 'N', p.trans_b ? 'T' : 'N', p.m, p.n, p.k, p.alpha, a, p.lda,
                                      b, p.ldb, p.beta, c, p.ldc);
  if (st != dnnl_success)
    return internal_error("gemm_f32: dnnl_sgemm failed with status " + std::to_string(static_cast<int>(st)));
  return ok_status();
#else
  if (threads <= 1) {
    gemm_rows_loop(p, a, b, c, 0, p.m);
    return ok_status();
  }
  const int64_t min_rows = std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, p.n * p.k));
  parallel_for(p.m, min_rows, [&](int64_t i0, int64_t i1) { gemm_rows_loop(p, a, b, c, i0, i1); });
  return ok_status();
#endif
}

}  // namespace

GemmParams gemm_resolved(GemmParams p) {
  if (p.lda == 0) p.lda = std::max<int64_t>(1, p.trans_a ? p.m : p.k);
  if (p.ldb == 0) p.ldb = std::max<int64_t>(1, p.trans_b ? p.k : p.n);
  if (p.ldc == 0) p.ldc = std::max<int64_t>(1, p.n);
  return p;
}

Status gemm_f32(const GemmParams& params, const float* a, const float* b, float* c) {
  const GemmParams p = gemm_resolved(params);
  ONYX_RETURN_IF_ERROR(check_params(p));
  return gemm_one(p, a, b, c, intra_op_threads());
}

Status gemm_f32_batched(const GemmParams& params, const float* a, std::span<const int64_t> a_offsets,
                        const float* b, std::span<const int64_t> b_offsets, float* c,
                        std::span<const int64_t> c_offsets) {
  const GemmParams p = gemm_resolved(params);
  ONYX_RETURN_IF_ERROR(check_params(p));
  const int64_t count = static_cast<int64_t>(c_offsets.size());
  if (a_offsets.size() != c_offsets.size() || b_offsets.size() != c_offsets.size())
    return invalid_argument("gemm_f32_batched: offset lists differ in length");
  const int threads = intra_op_threads();
  const int64_t flops = p.m * p.n * p.k;
  // Big GEMMs (or few of them): one at a time, each threaded. Small ones: spread the batch over the threads.
  if (threads <= 1 || count < 2 || flops >= (int64_t{1} << 22)) {
    for (int64_t i = 0; i < count; ++i)
      ONYX_RETURN_IF_ERROR(gemm_one(p, a + a_offsets[i], b + b_offsets[i], c + c_offsets[i], threads));
    return ok_status();
  }
  std::vector<Status> errors(static_cast<size_t>(threads));
  const int64_t min_chunk = std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, flops));
  parallel_for(count, min_chunk, [&](int64_t begin, int64_t end) {
    const size_t slot = static_cast<size_t>(omp_get_thread_num()) % errors.size();
    for (int64_t i = begin; i < end; ++i) {
      Status s = gemm_one(p, a + a_offsets[i], b + b_offsets[i], c + c_offsets[i], 1);
      if (!s.ok()) errors[slot] = s;
    }
  });
  for (const Status& s : errors) ONYX_RETURN_IF_ERROR(s);
  return ok_status();
}

void gemm_f32_reference(const GemmParams& params, const float* a, const float* b, float* c) {
  const GemmParams p = gemm_resolved(params);
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      double acc = 0.0;
      for (int64_t l = 0; l < p.k; ++l) {
        const float av = p.trans_a ? a[l * p.lda + i] : a[i * p.lda + l];
        const float bv = p.trans_b ? b[j * p.ldb + l] : b[l * p.ldb + j];
        acc += static_cast<double>(av) * bv;
      }
      float& cv = c[i * p.ldc + j];
      cv = static_cast<float>(p.alpha * acc + (p.beta == 0.0f ? 0.0 : static_cast<double>(p.beta) * cv));
    }
}

}  // namespace onyx::cpu
