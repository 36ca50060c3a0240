// DequantizeLinear (opset 10, 13, 19, 21, 23): y = (x - x_zero_point) * x_scale.
//   x             int8, uint8 (and int16, uint16 of opset 21; int32, whose zero point is 0 or absent). float8 / int4
//                 inputs are not supported (onyx has no such dtypes).
//   x_scale       one value (per tensor); from opset 13 a 1-D scale along `axis` (per axis, default axis 1); from
//                 opset 21 `block_size` > 0 (blocked). float32, or float16 / bfloat16 (opset 19): y has its dtype.
//   x_zero_point  optional (0), x's dtype, the scale's shape.
// (x - zero point) is exact in int32; its product with the scale is one float32 rounding (as ONNX Runtime).
// Variants: one loop over [outer, axis, inner] rows (parallel over rows), the scale index per row (per tensor,
// per axis) or per element (blocked).
#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/kernels/quant/quant_kernel_util.h"

namespace onyx::cpu {

namespace {

template <typename Y>
Y from_f32(float v) {
  if constexpr (std::is_same_v<Y, Float16>)
    return to_float16(v);
  else if constexpr (std::is_same_v<Y, BFloat16>)
    return to_bfloat16(v);
  else
    return v;
}

class DequantizeLinearKernel final : public Kernel {
 public:
  DequantizeLinearKernel(int64_t opset, int64_t axis, int64_t block_size, DType output_dtype)
      : opset_(opset), axis_(axis), block_size_(block_size), output_dtype_(output_dtype) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* scale, required_input(ctx, 1));
    const Tensor* zp = ctx.input(2);
    if (zp && zp->dtype() != x->dtype())
      return ctx.invalid("x_zero_point is " + dtype_name(zp->dtype()) + " but x is " + dtype_name(x->dtype()) +
                         " (they must match)");
    if (output_dtype_ != DType::kUndefined && output_dtype_ != scale->dtype())
      return ctx.invalid("output_dtype " + dtype_name(output_dtype_) + " differs from x_scale's dtype " +
                         dtype_name(scale->dtype()) + " (onyx outputs the scale's dtype)");
    ONYX_ASSIGN_OR_RETURN(quant::AxisQuantLayout l,
                          quant::axis_quant_layout(ctx, x->shape(), *scale, zp, axis_, block_size_, opset_));
    ONYX_ASSIGN_OR_RETURN(std::vector<float> scales, quant::read_scales(ctx, *scale, "x_scale"));
    std::vector<int32_t> zps(scales.size(), 0);
    if (zp) {
      ONYX_ASSIGN_OR_RETURN(zps, quant::read_zero_points(ctx, *zp, "x_zero_point"));
    }
    Tensor& y = ctx.allocate_output(0, scale->dtype(), x->shape());
    if (y.numel() == 0) return ok_status();
    return visit_dtype<float, Float16, BFloat16>(scale->dtype(), "DequantizeLinear x_scale", [&]<typename Y>() {
      return visit_dtype<uint8_t, int8_t, uint16_t, int16_t, int32_t>(
          x->dtype(), "DequantizeLinear input x", [&]<typename Q>() -> Status {
            dequantize<Q, Y>(x->data<Q>(), l, scales, zps, y.data<Y>());
            return ok_status();
          });
    });
  }

 private:
  template <typename Q, typename Y>
  static void dequantize(const Q* x, const quant::AxisQuantLayout& l, const std::vector<float>& scales,
                         const std::vector<int32_t>& zps, Y* y) {
    quant::for_each_scale_run(l, [&](int64_t offset, int64_t count, int64_t si) {
      const float scale = scales[static_cast<size_t>(si)];
      const int64_t zp = zps[static_cast<size_t>(si)];
      for (int64_t i = offset; i < offset + count; ++i)
        y[i] = from_f32<Y>(static_cast<float>(static_cast<int64_t>(x[i]) - zp) * scale);
    });
  }

  int64_t opset_, axis_, block_size_;
  DType output_dtype_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_dequantize_linear(const KernelInfo& info) {
  const int64_t block_size = info.node.attr_int("block_size", 0);
  if (block_size < 0) return info.invalid("block_size must be >= 0, got " + std::to_string(block_size));
  const int64_t od = info.node.attr_int("output_dtype", 0);
  return std::unique_ptr<Kernel>(std::make_unique<DequantizeLinearKernel>(
      info.opset, info.node.attr_int("axis", 1), block_size, od == 0 ? DType::kUndefined : static_cast<DType>(od)));
}

}  // namespace onyx::cpu
