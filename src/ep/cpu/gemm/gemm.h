// onyx::cpu GEMM: C = alpha * op(A) * op(B) + beta * C on row-major matrices.
//
//   GemmParams p{.trans_a = false, .trans_b = true, .m = M, .n = N, .k = K, .lda = K, .ldb = K, .ldc = N};
//   ONYX_RETURN_IF_ERROR(gemm_f32(p, a, b, c));
//
// op(A) is A ([M, K], leading dimension lda >= K) or, with trans_a, A^T where A is stored [K, M] (lda >= M);
// likewise op(B) is [K, N] (ldb >= N) or B^T with B stored [N, K] (ldb >= K). C is [M, N] with ldc >= N.
// beta == 0 means C is not read (it may hold garbage or NaN). Leading dimensions are in elements.
//
// Variants:
//   gemm_f32                 oneDNN's dnnl_sgemm (ONYX_WITH_DNNL) or a blocked loop fallback; multi-threaded
//                            on the intra-op threads (oneDNN and parallel_for share one OpenMP pool)
//   gemm_f32_batched         many independent GEMMs of one shape at element offsets (broadcast = repeated
//                            offsets): parallel over the batch for small GEMMs, one threaded GEMM at a time else
//   gemm_f32_reference       plain triple loop with double accumulation (what tests compare against)
//   gemm_generic<T>          loop kernel for double and integer types (MatMul/Gemm on non-float dtypes)
//
// Thread safety: all functions are reentrant; the caller owns every buffer.
#pragma once

#include <cstdint>
#include <span>

#include "onyx/status.h"

namespace onyx::cpu {

struct GemmParams {
  bool trans_a = false;
  bool trans_b = false;
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
  float alpha = 1.0f;
  float beta = 0.0f;
  int64_t lda = 0;  // 0 = tight: op(A)'s stored row length (k, or m with trans_a)
  int64_t ldb = 0;  // 0 = tight (n, or k with trans_b)
  int64_t ldc = 0;  // 0 = tight (n)
};

// The params with tight leading dimensions filled in where they were 0.
GemmParams gemm_resolved(GemmParams p);

// C = alpha * op(A) * op(B) + beta * C. Errors only if oneDNN fails (bad leading dimensions are programmer
// errors and also reported as InvalidArgument).
Status gemm_f32(const GemmParams& p, const float* a, const float* b, float* c);

// For i in [0, count): C + c_offsets[i] = alpha * op(A + a_offsets[i]) * op(B + b_offsets[i]) + beta * C...
// (offsets in elements; the spans have equal length; C blocks must not overlap).
Status gemm_f32_batched(const GemmParams& p, const float* a, std::span<const int64_t> a_offsets, const float* b,
                        std::span<const int64_t> b_offsets, float* c, std::span<const int64_t> c_offsets);

// Plain reference (tests): triple loop, double accumulation.
void gemm_f32_reference(const GemmParams& p, const float* a, const float* b, float* c);

// Loop kernel for any arithmetic T (alpha/beta converted to T; integer math wraps like the element type).
// i-k-j order so the inner loop is contiguous in B and C when B is not transposed.
template <typename T>
void gemm_generic(const GemmParams& params, const T* a, const T* b, T* c) {
  const GemmParams p = gemm_resolved(params);
  const T alpha = static_cast<T>(p.alpha), beta = static_cast<T>(p.beta);
  for (int64_t i = 0; i < p.m; ++i) {
    T* crow = c + i * p.ldc;
    for (int64_t j = 0; j < p.n; ++j) crow[j] = p.beta == 0.0f ? T(0) : static_cast<T>(beta * crow[j]);
    for (int64_t l = 0; l < p.k; ++l) {
      const T av = static_cast<T>(alpha * (p.trans_a ? a[l * p.lda + i] : a[i * p.lda + l]));
      if (p.trans_b) {
        for (int64_t j = 0; j < p.n; ++j) crow[j] += av * b[j * p.ldb + l];
      } else {
        const T* brow = b + l * p.ldb;
        for (int64_t j = 0; j < p.n; ++j) crow[j] += av * brow[j];
      }
    }
  }
}

}  // namespace onyx::cpu
