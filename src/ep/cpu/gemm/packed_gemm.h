// PackedGemm: Y[M, N] = X[M, K] · W[K, N] (+ bias[N]) (+ GELU) with a constant W packed once, at session creation,
// into the layout the GEMM kernel reads fastest (oneDNN's blocked weight format), in fp32 or bf16.
//
//   PackedGemmOptions o;  o.bf16 = info.bf16_weights;  o.epilogue = PackedGemmEpilogue::kGeluErf;
//   ONYX_ASSIGN_OR_RETURN(auto g, PackedGemm::create(w, /*k=*/768, /*n=*/3072, /*w_transposed=*/false, bias, o));
//   ONYX_RETURN_IF_ERROR(g->run(x, m, /*ldx=*/768, y, /*ldy=*/3072));
//
// Variants (chosen at creation, ISA from cpu_features()):
//   fp32   on AVX-512: onyx's own kernel (packed_sgemm_avx512.h: W in 64-column blocks, the next W chunk
//          prefetched while the current one is computed, bias + GELU on the cache-hot tile); elsewhere, or with
//          options.onednn, oneDNN with W packed in its blocked layout. X read in place
//   bf16   W packed bf16 (needs AVX512-BF16); X rounded to bf16 (round to nearest even) into per-call scratch;
//          fp32 accumulation and fp32 Y
//   portable (no oneDNN, or options.portable): W kept [K, N] fp32 and gemm_f32 + the epilogue loop; bf16 rounds W
//          and X to bf16 (round to nearest even) and multiplies them in fp32 (same numbers, no AVX512-BF16 needed)
// The epilogue (bias, GELU) is applied inside the GEMM (oneDNN post-ops) where the library supports it.
// Thread safety: create() once; run() is const and may be called from several threads at once (primitives for a
// new M are created under a lock and cached). run() uses the calling thread's intra_op_threads().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "onyx/status.h"

namespace onyx::cpu {

enum class PackedGemmEpilogue {
  kNone,
  kGeluErf,   // y = 0.5 y (1 + erf(y / sqrt 2))  (com.microsoft BiasGelu / Gelu)
  kGeluTanh,  // y = 0.5 y (1 + tanh(sqrt(2/pi) (y + 0.044715 y^3)))  (FastGelu)
};

struct PackedGemmOptions {
  bool bf16 = false;
  PackedGemmEpilogue epilogue = PackedGemmEpilogue::kNone;
  float alpha = 1.0f;  // Y = alpha * X·W (+ bias): folded into the packed weights
  // The portable variant (W fp32 [K, N], gemm_f32 + the epilogue loop; bf16 by rounding W and X) even where
  // oneDNN is built in: tests compare the variants, and it is what builds without oneDNN always use.
  bool portable = false;
  // fp32: oneDNN even on AVX-512 CPUs, where onyx's own kernel is the default (tests and onyx_packed_gemm_bench
  // compare the two). No effect on bf16 (always oneDNN) or with portable.
  bool onednn = false;
};

class PackedGemm {
 public:
  // w: [K, N] row-major, or [N, K] with w_transposed (ONNX Gemm transB). bias: [N] or null. The data is copied.
  // Errors: k or n <= 0, bf16 with oneDNN on a CPU without AVX512-BF16 (FailedPrecondition), a oneDNN failure.
  static Result<std::unique_ptr<PackedGemm>> create(const float* w, int64_t k, int64_t n, bool w_transposed,
                                                    const float* bias, const PackedGemmOptions& options);
  virtual ~PackedGemm() = default;

  // y[i, :] (row stride ldy >= n) = epilogue(alpha * x[i, :] (row stride ldx >= k) · W + bias) for i < m.
  // m may differ call to call (0 is a no-op). x and y must not overlap.
  virtual Status run(const float* x, int64_t m, int64_t ldx, float* y, int64_t ldy) const = 0;

  virtual int64_t k() const = 0;
  virtual int64_t n() const = 0;
  virtual bool bf16() const = 0;
  virtual size_t packed_bytes() const = 0;  // memory held for the packed weights
};

}  // namespace onyx::cpu
