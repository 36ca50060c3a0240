// PackedQGemm: the int8 GEMM. A constant quantized weight W_q[K, N] (int8 or uint8, per-tensor or per-column
// scale and zero point) is packed once, at session creation, into the layout the u8 x s8 kernel reads fastest;
// each run multiplies a uint8 activation X_q[M, K] (one scale and zero point for the whole matrix) with int32
// accumulation and writes fp32 (dequantized, + bias, + GELU) or raw int32.
//
//   QGemmWeights w{.data = wq, .dtype = DType::kInt8, .k = 768, .n = 3072, .scales = s, .num_scales = 3072};
//   ONYX_ASSIGN_OR_RETURN(auto g, PackedQGemm::create(w, bias, {.epilogue = PackedGemmEpilogue::kGeluErf}));
//   ONYX_RETURN_IF_ERROR(g->run_dynamic(x, m, /*ldx=*/768, y, /*ldy=*/3072));       // fp32 in, fp32 out
//
// Math (for every variant, exactly in int32 before the final fp32 scaling):
//   acc[m, n] = sum_k (X_q[m, k] - zp_x) * (W_q[k, n] - zp_w[n])
//   fp32 out:  y[m, n] = epilogue(scale_x * scale_w[n] * acc[m, n] + bias[n])
//   int32 out: y[m, n] = acc[m, n]                                  (ONNX MatMulInteger)
// A uint8 weight is stored as int8 (w - 128, zero point - 128): same acc, so the u8 x s8 instructions apply.
//
// Variants (chosen at creation from cpu_features(), or forced with QGemmOptions::isa for tests):
//   avx512vnni  vpdpbusd (u8 x s8 -> s32, no intermediate saturation), W packed in 4-k x 16-column panels
//   avx2        exact 16-bit widening (vpmovzxbw / vpmovsxbw + vpmaddwd): vpmaddubsw would saturate
//   reference   plain loops over the same packed data: what the tests compare the others against
// Thread safety: create() once; every run_*() is const and may be called from several threads at once. Runs use
// the calling thread's intra_op_threads() (src/core/parallel.h) and allocate nothing after the first call with a
// given shape (per-thread scratch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/ep/cpu/gemm/packed_gemm.h"  // PackedGemmEpilogue

namespace onyx::cpu {

// The quantized constant weight handed to create(). All pointers are read during create() only (data is copied).
struct QGemmWeights {
  const void* data = nullptr;     // [K, N] row-major, or [N, K] with transposed
  DType dtype = DType::kInt8;     // kInt8 or kUInt8
  int64_t k = 0;
  int64_t n = 0;
  bool transposed = false;
  const float* scales = nullptr;  // num_scales values (needed for fp32 output; may be null for int32 output only)
  int64_t num_scales = 1;         // 1 (per tensor) or n (per column)
  const void* zero_points = nullptr;  // same dtype as data, num_scales values; null = all 0
};

enum class QGemmIsa { kAuto, kReference, kAvx2, kAvx512Vnni };

struct QGemmOptions {
  PackedGemmEpilogue epilogue = PackedGemmEpilogue::kNone;  // applied to fp32 outputs only
  QGemmIsa isa = QGemmIsa::kAuto;  // a forced ISA the CPU lacks -> create() fails (FailedPrecondition)
};

// One scale + zero point for a whole uint8 activation matrix (ONNX DynamicQuantizeLinear / QuantizeLinear).
struct QuantParams {
  float scale = 1.0f;
  uint8_t zero_point = 0;
};

class PackedQGemm {
 public:
  // bias: [N] fp32 or null (fp32 outputs only). Errors: k or n <= 0, bad dtype / num_scales, a forced ISA the CPU
  // lacks.
  // Also an error: k > 33025, beyond which |acc| <= 255 * 255 * k could overflow int32.
  static Result<std::unique_ptr<PackedQGemm>> create(const QGemmWeights& w, const float* bias,
                                                     const QGemmOptions& options = {});
  virtual ~PackedQGemm() = default;

  // fp32 X (row stride ldx >= k): quantized to uint8 with ONNX DynamicQuantizeLinear's parameters computed over
  // the whole m x k matrix (dynamic_quant_params below), then the fp32 output. The com.microsoft
  // DynamicQuantizeMatMul op, and MatMuls quantized at run time.
  virtual Status run_dynamic(const float* x, int64_t m, int64_t ldx, float* y, int64_t ldy) const = 0;
  // uint8 X with its parameters -> fp32 Y (MatMulIntegerToFloat, QAttention, QDQ-fused MatMul).
  virtual Status run_quantized(const uint8_t* x, int64_t m, int64_t ldx, QuantParams xq, float* y,
                               int64_t ldy) const = 0;
  // uint8 X with zero point -> raw int32 acc (MatMulInteger).
  virtual Status run_int32(const uint8_t* x, int64_t m, int64_t ldx, uint8_t x_zero_point, int32_t* y,
                           int64_t ldy) const = 0;

  virtual int64_t k() const = 0;
  virtual int64_t n() const = 0;
  virtual QGemmIsa isa() const = 0;         // the variant chosen
  virtual size_t packed_bytes() const = 0;  // memory held for the packed weights
};

// ONNX DynamicQuantizeLinear's parameters for values in [min, max]: the range is widened to include 0,
// scale = (max - min) / 255 (1.0 when that is 0), zero point = saturate(round_half_even(-min / scale)).
QuantParams dynamic_quant_params(float min, float max);
// y[i] = saturate_u8(round_half_even(x[i] / q.scale) + q.zero_point) over m rows of k values (row strides ldx, ldy).
void quantize_u8(const float* x, int64_t m, int64_t k, int64_t ldx, QuantParams q, uint8_t* y, int64_t ldy);

// The weight quantization every onyx INT8 path uses (`onyx quantize`, Precision::kInt8, so both give the same
// numbers): symmetric int8, zero point 0, scale = max|w| / 127 over each column (per_column) or the whole matrix
// (1.0 when that max is 0), q = clamp(round_half_even(w / scale), -127, 127).
// w: [K, N] row-major, or [N, K] when transposed; q has w's layout; scales gets n values (per_column) or 1.
void quantize_weights_symmetric(const float* w, int64_t k, int64_t n, bool transposed, bool per_column, int8_t* q,
                                float* scales);

}  // namespace onyx::cpu
