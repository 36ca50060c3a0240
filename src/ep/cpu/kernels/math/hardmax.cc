// Hardmax (opset 1, 11, 13): 1 at the first maximum along the axis, 0 elsewhere. Before opset 13 the input is
// coerced to 2-D at `axis` (default 1) as in Softmax; from 13 along `axis` alone (default -1).
// Variants: one strided loop (y is zero-filled, then one store per [outer, inner] position).
#include <algorithm>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu {

namespace {

class HardmaxKernel final : public Kernel {
 public:
  HardmaxKernel(int64_t axis, int64_t opset) : axis_(axis), opset_(opset) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(math::AxisView v, math::softmax_view(ctx, x->shape(), axis_, opset_));
    Tensor& y = ctx.allocate_output(0, x->dtype(), x->shape());
    if (y.numel() == 0) return ok_status();
    return visit_dtype<float, double>(x->dtype(), "Hardmax", [&]<typename T>() -> Status {
      const T* xd = x->data<T>();
      T* yd = y.data<T>();
      std::fill(yd, yd + y.numel(), T(0));
      parallel_for(v.outer * v.inner, 1024, [&](int64_t b, int64_t e) {
        for (int64_t t = b; t < e; ++t) {
          const int64_t base = (t / v.inner) * v.dim * v.inner + t % v.inner;
          int64_t best = 0;
          for (int64_t j = 1; j < v.dim; ++j)
            if (xd[base + j * v.inner] > xd[base + best * v.inner]) best = j;
          yd[base + best * v.inner] = T(1);
        }
      });
      return ok_status();
    });
  }

 private:
  int64_t axis_;
  int64_t opset_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_hardmax(const KernelInfo& info) {
  const int64_t axis = info.node.attr_int("axis", info.opset < 13 ? 1 : -1);
  return std::unique_ptr<Kernel>(std::make_unique<HardmaxKernel>(axis, info.opset));
}

}  // namespace onyx::cpu
