// The quant family's com.microsoft kernels (ONNX Runtime's contrib-op semantics, docs/ContribOperators.md and
// onnxruntime/contrib_ops/cpu/quantization/): factories listed in quant_contrib_kernels.cc, and QuantMatMul, the
// matrix product DynamicQuantizeMatMul and MatMulIntegerToFloat share:
//
//   Y[..., N] = (A_q - zp_a) · (B_q - zp_b[n]) * (scale_a * scale_b[n]) + bias[n]     (int32 sums, fp32 scaling)
//
// with A_q, zp_a, scale_a the uint8 activation and its parameters (DynamicQuantizeMatMul computes them from its fp32
// A as DynamicQuantizeLinear does, one scale for the whole tensor), B_q int8 or uint8 with per-tensor or per-column
// scales and zero points.
// Variants (of QuantMatMul):
//   packed   B a constant 2-D initializer with constant scale (and zero point): a PackedQGemm made at creation (a
//            constant bias folded in); A's leading dims merged into M; B, its scale / zero point and a constant
//            bias are reported packed, so the plan frees them
//   per-run  any other B ([K, N], or [..., K, N] with A's batch dims): A quantized once (dynamic), then each matrix
//            of B packed into a PackedQGemm at each run (allocates; O(K * N) extra work per matrix)
// Thread safety: compute() is const and reentrant.
#pragma once

#include <cstdint>
#include <memory>

#include "src/ep/cpu/gemm/qgemm.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_dynamic_quantize_mat_mul(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_mat_mul_integer_to_float(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_q_attention(const KernelInfo& info);

namespace quant {

// Which node inputs hold B, its scale and zero point, and the bias (the op's layout).
struct QuantMatMulInputs {
  size_t b = 1, b_scale = 2, b_zero_point = 3, bias = 4;
};

class QuantMatMul {
 public:
  // Packs B when it (2-D) and its scale and zero point are constants. Errors (naming the node): bad B / scale /
  // zero point / bias dtypes or shapes, a PackedQGemm failure.
  static Result<QuantMatMul> create(const KernelInfo& info, QuantMatMulInputs inputs);

  bool packed_input(size_t i) const;

  // Output 0 = A · B as above. a: float32 (dynamic: quantized here, one scale for all of a) when aq is null, else
  // uint8 with *aq.
  Status compute(KernelContext& ctx, const Tensor& a, const QuantParams* aq) const;

 private:
  QuantMatMulInputs in_;
  std::unique_ptr<PackedQGemm> packed_;
  bool zero_point_packed_ = false, bias_packed_ = false;
};

// The value of a per-tensor quantization parameter (a scalar or 1-element tensor: float32 scale, uint8 zero point),
// or an InvalidArgument naming `what` and the shape wanted.
Result<float> scalar_scale(const KernelContext& ctx, const Tensor& t, const char* what);
Result<uint8_t> scalar_zero_point(const KernelContext& ctx, const Tensor* t, const char* what);  // null = 0

}  // namespace quant
}  // namespace onyx::cpu
