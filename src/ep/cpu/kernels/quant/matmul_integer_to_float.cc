// MatMulIntegerToFloat (com.microsoft): Y = (A - a_zero_point) · (B - b_zero_point) * (a_scale * b_scale) + bias,
// int32 accumulation, fp32 output (ONNX Runtime's CPU kernel). What static quantization writes after a
// QuantizeLinear of the activation.
// Inputs: A uint8 [..., K], B int8 / uint8 [K, N] (or [..., K, N] with A's batch dims), a_scale float32 (scalar),
// b_scale float32 (1 or N values, or [..., 1, N] per matrix), a_zero_point? uint8 (scalar), b_zero_point? (B's
// dtype, 1 or N values), bias? float32 [N]. Output Y float32.
// Variants (quant::QuantMatMul, quant_contrib_util.h):
//   packed   B, b_scale, b_zero_point constants (B 2-D): a PackedQGemm made at creation (a constant bias folded
//            in); each run is PackedQGemm::run_quantized over A's rows
//   per-run  otherwise: each matrix of B packed into a PackedQGemm at each run
// NotImplemented: int8 A (ONNX Runtime's CPU kernel takes uint8 only), a per-row a_scale, a batched B whose batch
// dims differ from A's.
#include <memory>

#include "src/ep/cpu/kernels/quant/quant_contrib_util.h"

namespace onyx::cpu {

namespace {

class MatMulIntegerToFloatKernel final : public Kernel {
 public:
  explicit MatMulIntegerToFloatKernel(quant::QuantMatMul matmul) : matmul_(std::move(matmul)) {}

  bool packed_constant_input(size_t i) const override { return matmul_.packed_input(i); }

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* a_scale, required_input(ctx, 2));
    QuantParams aq;
    ONYX_ASSIGN_OR_RETURN(aq.scale, quant::scalar_scale(ctx, *a_scale, "a_scale"));
    ONYX_ASSIGN_OR_RETURN(aq.zero_point, quant::scalar_zero_point(ctx, ctx.input(4), "a_zero_point"));
    return matmul_.compute(ctx, *a, &aq);
  }

 private:
  quant::QuantMatMul matmul_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_mat_mul_integer_to_float(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(quant::QuantMatMul matmul,
                        quant::QuantMatMul::create(info, {.b = 1, .b_scale = 3, .b_zero_point = 5, .bias = 6}));
  return std::unique_ptr<Kernel>(std::make_unique<MatMulIntegerToFloatKernel>(std::move(matmul)));
}

}  // namespace onyx::cpu
