// QuantizeLinear (opset 10, 13, 19, 21, 23): y = saturate(round_half_even(x / y_scale) + y_zero_point).
//   x        float32, float16, bfloat16 (computed in float32: x / scale as ONNX Runtime's MLAS does) or int32
//            (computed in double, so large values are not rounded to float first)
//   y_scale  one value (per tensor); from opset 13 a 1-D scale along `axis` (per axis, default axis 1); from
//            opset 21 `block_size` > 0 (blocked, scale of x's rank). float32 / float16 / bfloat16.
//   y        the zero point's dtype, else opset 21's `output_dtype`, else uint8. int8 / uint8 (and int16 / uint16,
//            which opset 21 adds). float8 / int4 outputs are not supported (onyx has no such dtypes).
// NaN x gives the zero point (ONNX leaves it undefined for integer outputs); +-inf saturate. The float8-only
// `saturate` attribute is accepted and has no effect on integer outputs.
// Variants: one loop over [outer, axis, inner] rows (parallel over rows), the scale index per row (per tensor,
// per axis) or per element (blocked).
#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/kernels/quant/quant_kernel_util.h"

namespace onyx::cpu {

namespace {

template <typename X>
float to_f32(X v) {
  if constexpr (std::is_same_v<X, Float16> || std::is_same_v<X, BFloat16>)
    return to_float(v);
  else
    return static_cast<float>(v);
}

class QuantizeLinearKernel final : public Kernel {
 public:
  QuantizeLinearKernel(int64_t opset, int64_t axis, int64_t block_size, DType output_dtype)
      : opset_(opset), axis_(axis), block_size_(block_size), output_dtype_(output_dtype) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* scale, required_input(ctx, 1));
    const Tensor* zp = ctx.input(2);
    DType out_dtype = zp ? zp->dtype() : output_dtype_ == DType::kUndefined ? DType::kUInt8 : output_dtype_;
    if (zp && output_dtype_ != DType::kUndefined && zp->dtype() != output_dtype_)
      return ctx.invalid("y_zero_point is " + dtype_name(zp->dtype()) + " but output_dtype asks for " +
                         dtype_name(output_dtype_) + " (they must match)");
    ONYX_ASSIGN_OR_RETURN(quant::AxisQuantLayout l,
                          quant::axis_quant_layout(ctx, x->shape(), *scale, zp, axis_, block_size_, opset_));
    ONYX_ASSIGN_OR_RETURN(std::vector<float> scales, quant::read_scales(ctx, *scale, "y_scale"));
    std::vector<int32_t> zps(scales.size(), 0);
    if (zp) {
      ONYX_ASSIGN_OR_RETURN(zps, quant::read_zero_points(ctx, *zp, "y_zero_point"));
    }
    if (out_dtype == DType::kInt32)
      return ctx.invalid("y_zero_point is int32: QuantizeLinear outputs int8, uint8, int16 or uint16");
    Tensor& y = ctx.allocate_output(0, out_dtype, x->shape());
    if (y.numel() == 0) return ok_status();
    return visit_dtype<uint8_t, int8_t, uint16_t, int16_t>(out_dtype, "QuantizeLinear output", [&]<typename Q>() {
      return visit_dtype<float, Float16, BFloat16, int32_t>(x->dtype(), "QuantizeLinear input x",
                                                            [&]<typename X>() -> Status {
                                                              quantize<X, Q>(x->data<X>(), l, scales, zps, y.data<Q>());
                                                              return ok_status();
                                                            });
    });
  }

 private:
  template <typename X, typename Q>
  static void quantize(const X* x, const quant::AxisQuantLayout& l, const std::vector<float>& scales,
                       const std::vector<int32_t>& zps, Q* y) {
    quant::for_each_scale_run(l, [&](int64_t offset, int64_t count, int64_t si) {
      const float scale = scales[static_cast<size_t>(si)];
      const int32_t zp = zps[static_cast<size_t>(si)];
      for (int64_t i = offset; i < offset + count; ++i) {
        if constexpr (std::is_same_v<X, int32_t>) {
          const double q = std::nearbyint(static_cast<double>(x[i]) / static_cast<double>(scale));
          const double v = std::isnan(q) ? zp : std::clamp(q + zp, -1e9, 1e9);
          y[i] = quant::saturate_round<Q>(static_cast<float>(v));
        } else {
          y[i] = quant::quantize_value<Q>(to_f32(x[i]), scale, zp);
        }
      }
    });
  }

  int64_t opset_, axis_, block_size_;
  DType output_dtype_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_quantize_linear(const KernelInfo& info) {
  const int64_t block_size = info.node.attr_int("block_size", 0);
  if (block_size < 0) return info.invalid("block_size must be >= 0, got " + std::to_string(block_size));
  const int64_t od = info.node.attr_int("output_dtype", 0);
  DType output_dtype = DType::kUndefined;
  if (od != 0) {
    output_dtype = static_cast<DType>(od);
    if (output_dtype != DType::kUInt8 && output_dtype != DType::kInt8 && output_dtype != DType::kUInt16 &&
        output_dtype != DType::kInt16)
      return not_implemented(info.node.describe() + ": output_dtype " + std::to_string(od) +
                             " is not supported (onyx quantizes to int8, uint8, int16 or uint16; float8 and int4 "
                             "outputs are not implemented)");
  }
  return std::unique_ptr<Kernel>(
      std::make_unique<QuantizeLinearKernel>(info.opset, info.node.attr_int("axis", 1), block_size, output_dtype));
}

}  // namespace onyx::cpu
