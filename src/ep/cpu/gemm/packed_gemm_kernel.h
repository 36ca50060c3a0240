// A Kernel around a PackedGemm or a PackedQGemm: Y[..., N] = X[..., K] · W (+ bias), the rows of X (all dims but the
// last) being M. Used by MatMul and Gemm when their weight is a constant (the weight, and a folded bias, are packed at
// creation and reported by packed_constant_input, so the plan may free them and pass nullptr at run time), by
// MatMulBiasGelu, and by com.microsoft DynamicQuantizeMatMul with a constant B.
//
//   ONYX_ASSIGN_OR_RETURN(auto g, PackedGemm::create(...));                     // fp32 / bf16: PackedGemm::run
//   return make_packed_gemm_kernel(std::move(g), {.packed_inputs = 0b010, .rank2_only = false});
//   ONYX_ASSIGN_OR_RETURN(auto q, pack_int8_weights(w, k, n, false, bias, {}));  // Precision::kInt8
//   return make_packed_gemm_kernel(std::move(q), {.packed_inputs = 0b010});     // PackedQGemm::run_dynamic
//
// Thread safety: compute() is const and may run concurrently (PackedGemm::run and PackedQGemm::run_* are).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/ep/cpu/gemm/packed_gemm.h"
#include "src/ep/cpu/gemm/qgemm.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

struct PackedGemmKernelOptions {
  uint32_t packed_inputs = 0b010;  // bit i: input i was copied into the pack (never read at run time)
  bool rank2_only = false;         // X must be 2-D (Gemm); else rank >= 1 (MatMul: 1-D X gives a 1-D Y)
  int bias_input = -1;             // >= 0: a non-constant float32 [N] bias read from this input and added to Y
};

// fp32 X through PackedGemm::run (fp32 or bf16 weights).
std::unique_ptr<Kernel> make_packed_gemm_kernel(std::unique_ptr<PackedGemm> gemm, PackedGemmKernelOptions options);
// fp32 X through PackedQGemm::run_dynamic (quantized to uint8 per run, one scale and zero point for all of X).
std::unique_ptr<Kernel> make_packed_gemm_kernel(std::unique_ptr<PackedQGemm> gemm, PackedGemmKernelOptions options);

// The fp32 values of a constant 2-D weight: float32 in place, or bfloat16 widened (exactly) into `storage`.
// nullptr for other dtypes or ranks, or when it has no elements.
const float* constant_weight_data(const Tensor& w, std::vector<float>& storage);

// SessionOptions::Precision::kInt8 for a constant fp32 weight w ([K, N], or [N, K] when transposed): int8 symmetric
// per output column (quantize_weights_symmetric, the weights `onyx quantize` writes), each column's scale times
// alpha (Gemm), then PackedQGemm::create with bias ([N] or null) and options.
Result<std::unique_ptr<PackedQGemm>> pack_int8_weights(const float* w, int64_t k, int64_t n, bool transposed,
                                                       const float* bias, const QGemmOptions& options = {},
                                                       float alpha = 1.0f);

// A quantized weight as the com.microsoft ops give it: w int8 / uint8 [..., K, N] with a scale (float32) and an
// optional zero point (w's dtype), each per tensor (1 value), per column (N values: [N], [1, N]) or per column of
// each matrix ([..., 1, N] matching w's batch dims). `weights` describes matrix `batch` of w (0 for a 2-D w) and
// points into w and into the vectors here (so move it, never copy it); scales / zero points are copied (expanded to
// N values when either is per column).
struct QuantizedWeights {
  QGemmWeights weights;
  std::vector<float> scales;
  std::vector<int8_t> zero_points;  // raw bytes in w's dtype; empty = all 0
};
// InvalidArgument naming `what` ("B", "weight") and the shapes wanted when the dtypes or shapes do not fit.
Result<QuantizedWeights> quantized_weights(const Tensor& w, const Tensor& scale, const Tensor* zero_point,
                                           int64_t batch, const std::string& what);

}  // namespace onyx::cpu
