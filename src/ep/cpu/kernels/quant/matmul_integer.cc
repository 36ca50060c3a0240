// MatMulInteger (opset 10): Y int32 = (A - a_zero_point) x (B - b_zero_point), numpy matmul shapes and batch
// broadcasting (1-D A or B as in MatMul).
//   A, B           int8 or uint8 (each its own)
//   a_zero_point   optional, A's dtype: one value, M values (per row) or [..., M, 1] (per row of each A matrix)
//   b_zero_point   optional, B's dtype: one value, N values (per column) or [..., 1, N]
// Exact in int32 (wraps beyond 2^31 like the spec's 32-bit accumulation).
// Variants:
//   packed  B a constant 2-D initializer (and b_zero_point absent or a constant scalar / per-column): a PackedQGemm
//           made at creation (run_int32; per-row A zero points applied with B's column sums); B and its zero point
//           are reported packed (packed_constant_input), the plan frees them
//   loops   anything else: quant::matmul_int32_loops (plain int32 i-k-j loops, parallel over output rows)
#include "src/ep/cpu/kernels/quant/quant_kernel_util.h"

namespace onyx::cpu {

namespace {

bool is_8bit(DType d) { return d == DType::kInt8 || d == DType::kUInt8; }

class MatMulIntegerKernel final : public Kernel {
 public:
  explicit MatMulIntegerKernel(std::unique_ptr<quant::PackedIntB> packed) : packed_(std::move(packed)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
    const Tensor* b = ctx.input(1);
    if (!packed_ && !b) return ctx.invalid("required input 1 (B) is missing");
    if (!is_8bit(a->dtype()) || (b && !is_8bit(b->dtype())))
      return ctx.invalid("A and B must be int8 or uint8, got " + dtype_name(a->dtype()) + " and " +
                         (b ? dtype_name(b->dtype()) : std::string("a packed constant")));
    const Shape b_shape = packed_ ? Shape{packed_->k(), packed_->n()} : b->shape();
    ONYX_ASSIGN_OR_RETURN(quant::MatMulShape s, quant::matmul_shape(ctx, a->shape(), b_shape));
    ONYX_ASSIGN_OR_RETURN(auto a_zp, quant::matrix_zero_points(ctx, ctx.input(2), a->dtype(), a->shape(),
                                                               /*per_row=*/true, s.m, "a_zero_point"));
    Tensor& y = ctx.allocate_output(0, DType::kInt32, s.out);
    int32_t* acc = y.data<int32_t>();
    if (y.numel() == 0) return ok_status();
    if (s.k == 0) {
      std::fill(acc, acc + y.numel(), 0);
      return ok_status();
    }
    if (packed_) return packed_->run(ctx, *a, s, a_zp, acc);
    ONYX_ASSIGN_OR_RETURN(auto b_zp, quant::matrix_zero_points(ctx, ctx.input(3), b->dtype(), b->shape(),
                                                               /*per_row=*/false, s.n, "b_zero_point"));
    return quant::matmul_int32_loops(ctx, *a, *b, s, a_zp, b_zp, acc);
  }

  bool packed_constant_input(size_t i) const override { return packed_ && packed_->packed_input(i); }

 private:
  std::unique_ptr<quant::PackedIntB> packed_;  // null: plain loops
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_mat_mul_integer(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(auto packed, quant::make_packed_b(info, 1, 3));
  return std::unique_ptr<Kernel>(std::make_unique<MatMulIntegerKernel>(std::move(packed)));
}

}  // namespace onyx::cpu
