// QLinearMatMul (opset 10, 21): quantized numpy matmul.
//   inputs   a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
//   a / b    int8 or uint8 (each its own); scales float32 (float16 / bfloat16 from opset 21); zero points the
//            dtype of their tensor. a's scale and zero point: one value, M values (per row) or [..., M, 1];
//            b's: one value, N values (per column) or [..., 1, N]; y's: one value. y has y_zero_point's dtype.
//   math     acc = (a - a_zp) x (b - b_zp) exactly in int32;
//            y = saturate(round_half_even(acc * (a_scale * b_scale / y_scale)) + y_zp), the multiplier computed in
//            float32 per (row, column) as ONNX Runtime does, applied to float32(acc).
// Variants:
//   packed  b a constant 2-D initializer (b_zero_point absent or a constant scalar / per column): a PackedQGemm
//           made at creation, run_int32 into a per-thread int32 scratch, then the same requantization as the loops
//           (so both variants give identical outputs; run_quantized would round scale_a * scale_b * acc first)
//   loops   anything else: quant::matmul_int32_loops into the scratch, then requantization
#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/quant/quant_kernel_util.h"

namespace onyx::cpu {

namespace {

bool is_8bit(DType d) { return d == DType::kInt8 || d == DType::kUInt8; }

class QLinearMatMulKernel final : public Kernel {
 public:
  explicit QLinearMatMulKernel(std::unique_ptr<quant::PackedIntB> packed) : packed_(std::move(packed)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* a_scale, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(const Tensor* b_scale, required_input(ctx, 4));
    ONYX_ASSIGN_OR_RETURN(const Tensor* y_scale, required_input(ctx, 6));
    const Tensor* b = ctx.input(3);
    if (!packed_ && !b) return ctx.invalid("required input 3 (b) is missing");
    if (!is_8bit(a->dtype()) || (b && !is_8bit(b->dtype())))
      return ctx.invalid("a and b must be int8 or uint8, got " + dtype_name(a->dtype()) + " and " +
                         (b ? dtype_name(b->dtype()) : std::string("a packed constant")));
    const Tensor* y_zp = ctx.input(7);
    const DType y_dtype = y_zp ? y_zp->dtype() : a->dtype();
    if (!is_8bit(y_dtype)) return ctx.invalid("y_zero_point must be int8 or uint8, got " + dtype_name(y_dtype));
    if (y_scale->numel() != 1 || (y_zp && y_zp->numel() != 1))
      return ctx.invalid("y_scale and y_zero_point must hold one value (per-tensor output quantization), got " +
                         shape_to_string(y_scale->shape()) + " and " +
                         (y_zp ? shape_to_string(y_zp->shape()) : std::string("none")));
    const Shape b_shape = packed_ ? Shape{packed_->k(), packed_->n()} : b->shape();
    ONYX_ASSIGN_OR_RETURN(quant::MatMulShape s, quant::matmul_shape(ctx, a->shape(), b_shape));
    ONYX_ASSIGN_OR_RETURN(auto a_zp, quant::matrix_zero_points(ctx, ctx.input(2), a->dtype(), a->shape(),
                                                               /*per_row=*/true, s.m, "a_zero_point"));
    ONYX_ASSIGN_OR_RETURN(auto a_sc, quant::matrix_scales(ctx, *a_scale, a->shape(), true, s.m, "a_scale"));
    ONYX_ASSIGN_OR_RETURN(auto b_sc, quant::matrix_scales(ctx, *b_scale, b_shape, false, s.n, "b_scale"));
    ONYX_ASSIGN_OR_RETURN(auto y_sc, quant::read_scales(ctx, *y_scale, "y_scale"));
    int32_t y_z = 0;
    if (y_zp) {
      ONYX_ASSIGN_OR_RETURN(auto z, quant::read_zero_points(ctx, *y_zp, "y_zero_point"));
      y_z = z[0];
    }
    Tensor& y = ctx.allocate_output(0, y_dtype, s.out);
    if (y.numel() == 0) return ok_status();

    thread_local std::vector<int32_t> scratch;
    scratch.assign(static_cast<size_t>(y.numel()), 0);
    int32_t* acc = scratch.data();
    if (s.k > 0) {
      if (packed_) {
        ONYX_RETURN_IF_ERROR(packed_->run(ctx, *a, s, a_zp, acc));
      } else {
        ONYX_ASSIGN_OR_RETURN(auto b_zp, quant::matrix_zero_points(ctx, ctx.input(5), b->dtype(), b->shape(),
                                                                   /*per_row=*/false, s.n, "b_zero_point"));
        ONYX_RETURN_IF_ERROR(quant::matmul_int32_loops(ctx, *a, *b, s, a_zp, b_zp, acc));
      }
    }
    const float sy = y_sc[0];
    return visit_dtype<uint8_t, int8_t>(y_dtype, "QLinearMatMul output", [&]<typename Q>() -> Status {
      Q* yd = y.data<Q>();
      const int64_t m = s.m, n = s.n;
      parallel_for(s.batch * m, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
          const int64_t bi = row / m, i = row % m;
          const float sa = a_sc.at(s.a_index[static_cast<size_t>(bi)], i);
          const int64_t bm = s.b_index[static_cast<size_t>(bi)];
          for (int64_t j = 0; j < n; ++j) {
            const float mult = sa * b_sc.at(bm, j) / sy;
            const float v = std::nearbyint(static_cast<float>(acc[row * n + j]) * mult);
            yd[row * n + j] = quant::saturate_round<Q>(std::isnan(v) ? static_cast<float>(y_z) : v + y_z);
          }
        }
      });
      return ok_status();
    });
  }

  bool packed_constant_input(size_t i) const override { return packed_ && packed_->packed_input(i); }

 private:
  std::unique_ptr<quant::PackedIntB> packed_;  // null: plain loops
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_q_linear_mat_mul(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(auto packed, quant::make_packed_b(info, 3, 5));
  return std::unique_ptr<Kernel>(std::make_unique<QLinearMatMulKernel>(std::move(packed)));
}

}  // namespace onyx::cpu
