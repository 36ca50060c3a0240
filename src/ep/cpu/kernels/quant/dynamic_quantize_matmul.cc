// DynamicQuantizeMatMul (com.microsoft): Y = MatMul(A, dequantize(B)) + bias with A float32 quantized at each run as
// DynamicQuantizeLinear does (uint8, one scale and zero point over the whole tensor, round half to even), int32
// accumulation, fp32 output (ONNX Runtime's CPU kernel). The op `onyx quantize --mode dynamic` writes for a MatMul.
// Inputs: A float32 [..., K], B int8 / uint8 [K, N] (or [..., K, N] with A's batch dims), b_scale float32 (1 or N
// values, or [..., 1, N] per matrix), b_zero_point? (B's dtype, likewise), bias? float32 [N]. Output Y float32.
// Variants (quant::QuantMatMul, quant_contrib_util.h):
//   packed   B, b_scale, b_zero_point constants (B 2-D): a PackedQGemm made at creation (a constant bias folded
//            in); each run is PackedQGemm::run_dynamic over A's rows; the plan frees the packed inputs
//   per-run  otherwise: A quantized once, then each matrix of B packed into a PackedQGemm at each run
// NotImplemented: a batched B whose batch dims differ from A's (MatMul broadcasting).
#include <memory>

#include "src/ep/cpu/kernels/quant/quant_contrib_util.h"

namespace onyx::cpu {

namespace {

class DynamicQuantizeMatMulKernel final : public Kernel {
 public:
  explicit DynamicQuantizeMatMulKernel(quant::QuantMatMul matmul) : matmul_(std::move(matmul)) {}

  bool packed_constant_input(size_t i) const override { return matmul_.packed_input(i); }

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
    return matmul_.compute(ctx, *a, /*aq=*/nullptr);
  }

 private:
  quant::QuantMatMul matmul_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_dynamic_quantize_mat_mul(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(quant::QuantMatMul matmul,
                        quant::QuantMatMul::create(info, {.b = 1, .b_scale = 2, .b_zero_point = 3, .bias = 4}));
  return std::unique_ptr<Kernel>(std::make_unique<DynamicQuantizeMatMulKernel>(std::move(matmul)));
}

}  // namespace onyx::cpu
