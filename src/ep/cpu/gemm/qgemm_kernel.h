// Internal interface between the PackedQGemm driver (qgemm.cc: validation, packing, threading, quantization,
// GELU) and its ISA variants (qgemm.cc's reference, qgemm_avx512vnni.cc, qgemm_avx2.cc). Not part of the API.
//
// Packed W (int8; a uint8 weight arrives here already shifted by -128): blocks of block_cols columns; block b
// holds columns [b * block_cols, ...) as [kpad / k_group][stored_cols][k_group] bytes, stored_cols = the block's
// columns rounded up to panel_cols (only the last block can be narrower than block_cols), kpad = K rounded up to
// a multiple of 4. Padding bytes (k >= K, columns >= N) are 0, so they add nothing to a dot product whatever
// the activation bytes they meet. Block b starts at byte b * kpad * block_cols.
//
// Each variant computes, for rows [m0, m1) and the columns of one block (all exact in wrapping 32-bit math,
// which gives the true value because |acc| <= K * 255 * 255 < 2^31, see kQGemmMaxK):
//   dot[i, j] = sum_k x[i, k] * w[k, j]                         (u8 x s8)
//   acc[i, j] = dot + zx * col_c[j] - zw[j] * rowsum[i]         (col_c[j] = K zw[j] - sum_k w[k, j])
//   int32: y = acc    fp32: y = fma(float(acc), sx * scale_w[j], bias[j])   (the same fp32 ops in every variant)
#pragma once

#include <cstdint>

#include "src/ep/cpu/gemm/qgemm.h"

namespace onyx::cpu::detail {

// The largest K for which every acc fits in int32: |x - zx| <= 255 and |w - zw| <= 255, and
// 33025 * 255 * 255 = 2147450625 < 2^31 - 1 (33026 would not fit).
inline constexpr int64_t kQGemmMaxK = 33025;

// The packed weights and per-column constants (immutable after create()). Per-column arrays hold
// ceil(n / block_cols) * block_cols values (zeros past n) so a variant may load a whole block's worth.
struct QGemmPackedView {
  const int8_t* packed = nullptr;  // 64-byte aligned
  int64_t k = 0, kpad = 0, n = 0;
  int64_t block_cols = 0, panel_cols = 0, k_group = 0;
  const int32_t* col_c = nullptr;  // K * zw[j] - sum_k w[k, j]
  const int32_t* zw = nullptr;     // weight zero points (int8 domain); null when all are 0
  const float* scale_w = nullptr;  // null when no scales were given (int32 output only)
  const float* bias = nullptr;     // zeros when there is no bias
};

// One run's activation and output.
struct QGemmRunArgs {
  const uint8_t* x = nullptr;
  int64_t ldx = 0;
  int32_t zx = 0;                   // activation zero point
  const int32_t* rowsum = nullptr;  // rowsum[i] = sum_k x[i, k] (indexed by absolute row); set when zw is
  const uint16_t* x16 = nullptr;    // kernels with wide_x: x zero-extended to 16 bits, zero-padded to kpad
  int64_t ldx16 = 0;
  float sx = 1.0f;        // activation scale (fp32 output)
  float* yf = nullptr;    // fp32 output, or
  int32_t* yi = nullptr;  // int32 output
  int64_t ldy = 0;
};

// Rows [m0, m1) x the columns of block `block`.
using QGemmBlockFn = void (*)(const QGemmPackedView& w, const QGemmRunArgs& r, int64_t m0, int64_t m1, int64_t block);

struct QGemmKernels {
  const char* name;
  QGemmIsa isa;
  int64_t block_cols, panel_cols, k_group;
  int64_t rows;  // rows of the micro-kernel (the driver aligns row chunks to it)
  QGemmBlockFn block;
  bool wide_x = false;  // reads QGemmRunArgs::x16 (the driver widens X once per run) instead of x
};

const QGemmKernels& qgemm_kernels_reference();
// null when the CPU or the compiler lacks the ISA
const QGemmKernels* qgemm_kernels_avx512vnni();
const QGemmKernels* qgemm_kernels_avx2();

// Activation helpers (run_dynamic and the public quantize_u8), vectorized where the CPU allows.
struct QuantKernels {
  const char* name;
  // min and max over m rows of k values (row stride ldx); NaNs are ignored. m * k > 0.
  void (*min_max)(const float* x, int64_t m, int64_t k, int64_t ldx, float* mn, float* mx);
  void (*quantize)(const float* x, int64_t m, int64_t k, int64_t ldx, QuantParams q, uint8_t* y, int64_t ldy);
  // rowsum[i] = sum_k x[i, k] for i < m
  void (*row_sums)(const uint8_t* x, int64_t m, int64_t k, int64_t ldx, int32_t* rowsum);
};

const QuantKernels& quant_kernels_reference();
const QuantKernels* quant_kernels_avx512();  // null without AVX-512F/BW
const QuantKernels& quant_kernels();         // the best for this CPU

}  // namespace onyx::cpu::detail
