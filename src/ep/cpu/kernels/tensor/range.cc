// Range (opset 11): [start, start + delta, ...) up to (excluding) limit; n = max(ceil((limit - start) / delta), 0).
// Scalar inputs of one dtype: float32, float64, int16, int32, int64.
// Variants: one.
#include <cmath>

#include "src/core/dtype_dispatch.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

Status compute_range(KernelContext& ctx) {
  const Tensor* in[3];
  for (size_t i = 0; i < 3; ++i) {
    ONYX_ASSIGN_OR_RETURN(in[i], required_input(ctx, i));
    if (in[i]->numel() != 1 || in[i]->dtype() != in[0]->dtype())
      return ctx.invalid("start, limit and delta must be one-element tensors of one dtype, got " +
                         dtype_name(in[i]->dtype()) + " " + shape_to_string(in[i]->shape()) + " for input " +
                         std::to_string(i));
  }
  return visit_dtype<float, double, int16_t, int32_t, int64_t>(in[0]->dtype(), "Range", [&]<typename T>() -> Status {
    const T start = in[0]->data<T>()[0], limit = in[1]->data<T>()[0], delta = in[2]->data<T>()[0];
    if (delta == T(0)) return ctx.invalid("delta must not be 0");
    double steps = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) / static_cast<double>(delta));
    if (!(steps > 0)) steps = 0;  // also NaN
    if (steps > 1e12) return ctx.invalid("the range has too many elements");
    const int64_t n = static_cast<int64_t>(steps);
    T* y = ctx.allocate_output(0, in[0]->dtype(), {n}).template data<T>();
    for (int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(start + static_cast<T>(i) * delta);
    return ok_status();
  });
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_range(const KernelInfo& info) { return make_function_kernel(&compute_range); }

}  // namespace onyx::cpu
