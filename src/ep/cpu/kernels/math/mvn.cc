// MeanVarianceNormalization (opset 9, 13): Y = (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9), the means taken over
// `axes` (default [0, 2, 3]), as in the ONNX function body.
// Variants: one odometer walk that maps each element to its statistics group (a plain, unoptimised kernel:
// the op is rare in transformer exports).
#include <cmath>
#include <string>
#include <vector>

#include "src/core/dtype_dispatch.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu {

namespace {

class MvnKernel final : public Kernel {
 public:
  explicit MvnKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    const int64_t rank = static_cast<int64_t>(x->rank());
    std::vector<bool> reduced(static_cast<size_t>(rank), false);
    for (int64_t a : axes_) {
      if (!math::normalize_axis(a, rank))
        return ctx.invalid("axis " + std::to_string(a) + " is out of range for input shape " +
                           shape_to_string(x->shape()));
      reduced[a] = true;
    }
    // Group strides: kept dims index the statistics, reduced dims do not.
    std::vector<int64_t> gstride(static_cast<size_t>(rank), 0);
    int64_t groups = 1;
    for (int64_t d = rank; d-- > 0;)
      if (!reduced[d]) {
        gstride[d] = groups;
        groups *= x->dim(d);
      }
    const int64_t count = groups == 0 ? 0 : x->numel() / groups;
    Tensor& y = ctx.allocate_output(0, x->dtype(), x->shape());
    if (y.numel() == 0) return ok_status();
    return visit_dtype<float, double>(x->dtype(), "MeanVarianceNormalization", [&]<typename T>() -> Status {
      const T* xd = x->data<T>();
      T* yd = y.data<T>();
      std::vector<double> sum(static_cast<size_t>(groups), 0.0), sq(static_cast<size_t>(groups), 0.0);
      auto walk = [&](auto&& fn) {
        std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
        int64_t g = 0;
        for (int64_t flat = 0; flat < x->numel(); ++flat) {
          fn(flat, g);
          for (int64_t d = rank; d-- > 0;) {
            g += gstride[d];
            if (++idx[d] < x->dim(d)) break;
            g -= gstride[d] * x->dim(d);
            idx[d] = 0;
          }
        }
      };
      walk([&](int64_t flat, int64_t g) {
        sum[g] += xd[flat];
        sq[g] += static_cast<double>(xd[flat]) * xd[flat];
      });
      for (int64_t g = 0; g < groups; ++g) {
        const double mean = sum[g] / static_cast<double>(count);
        sum[g] = mean;
        sq[g] = std::sqrt(std::max(0.0, sq[g] / static_cast<double>(count) - mean * mean)) + 1e-9;
      }
      walk([&](int64_t flat, int64_t g) { yd[flat] = static_cast<T>((xd[flat] - sum[g]) / sq[g]); });
      return ok_status();
    });
  }

 private:
  std::vector<int64_t> axes_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_mean_variance_normalization(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<MvnKernel>(info.node.attr_ints("axes", {0, 2, 3})));
}

}  // namespace onyx::cpu
