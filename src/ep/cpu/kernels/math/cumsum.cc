// CumSum (opset 11, 14): running sum along the axis given by the scalar `axis` input; `exclusive` shifts by one
// (the first output is 0), `reverse` sums from the end.
// Variants: one loop over [outer, dim, inner] keeping `inner` running sums (contiguous inner loops).
#include <algorithm>
#include <string>
#include <vector>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu {

namespace {

class CumSumKernel final : public Kernel {
 public:
  CumSumKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* axis_t, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> axis_v, math::read_int64s(ctx, *axis_t, "axis"));
    if (axis_v.size() != 1) return ctx.invalid("axis must hold one value, got " + shape_to_string(axis_t->shape()));
    int64_t axis = axis_v[0];
    if (x->rank() == 0 || !math::normalize_axis(axis, static_cast<int64_t>(x->rank())))
      return ctx.invalid("axis " + std::to_string(axis_v[0]) + " is out of range for input shape " +
                         shape_to_string(x->shape()));
    const math::AxisView v = math::axis_view(x->shape(), static_cast<size_t>(axis));
    Tensor& y = ctx.allocate_output(0, x->dtype(), x->shape());
    if (y.numel() == 0) return ok_status();
    return visit_dtype<float, double, int32_t, int64_t, uint32_t, uint64_t>(
        x->dtype(), "CumSum", [&]<typename T>() -> Status {
          const T* xd = x->data<T>();
          T* yd = y.data<T>();
          parallel_for(v.outer, 1, [&](int64_t b, int64_t e) {
            std::vector<T> acc(static_cast<size_t>(v.inner));
            for (int64_t o = b; o < e; ++o) {
              std::fill(acc.begin(), acc.end(), T(0));
              for (int64_t s = 0; s < v.dim; ++s) {
                const int64_t j = reverse_ ? v.dim - 1 - s : s;
                const T* xr = xd + (o * v.dim + j) * v.inner;
                T* yr = yd + (o * v.dim + j) * v.inner;
                for (int64_t i = 0; i < v.inner; ++i) {
                  if (exclusive_) {
                    yr[i] = acc[i];
                    acc[i] += xr[i];
                  } else {
                    acc[i] += xr[i];
                    yr[i] = acc[i];
                  }
                }
              }
            }
          });
          return ok_status();
        });
  }

 private:
  bool exclusive_;
  bool reverse_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_cum_sum(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<CumSumKernel>(info.node.attr_int("exclusive", 0) != 0,
                                                                info.node.attr_int("reverse", 0) != 0));
}

}  // namespace onyx::cpu
