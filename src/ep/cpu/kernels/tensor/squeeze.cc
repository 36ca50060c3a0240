// Squeeze (opset 1, 11, 13): drop the listed size-1 dims (all size-1 dims when no axes are given).
// Axes are an attribute before opset 13 and an optional int64 input from 13. The output aliases the input.
// Variants: one.
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class SqueezeKernel final : public Kernel {
 public:
  explicit SqueezeKernel(std::optional<std::vector<int64_t>> axes_attr) : axes_attr_(std::move(axes_attr)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(auto axes, detail::read_axes(ctx, axes_attr_, 1));
    const int64_t rank = static_cast<int64_t>(x->rank());
    std::vector<bool> drop(rank, false);
    if (!axes) {
      for (int64_t k = 0; k < rank; ++k) drop[k] = x->dim(k) == 1;
    } else {
      for (const int64_t given : *axes) {
        ONYX_ASSIGN_OR_RETURN(const int64_t a, detail::resolve_axis(ctx, given, x->shape()));
        if (x->dim(a) != 1)
          return ctx.invalid("cannot squeeze axis " + std::to_string(given) + " of shape " +
                             shape_to_string(x->shape()) + ": its size is not 1");
        drop[a] = true;
      }
    }
    Shape out;
    for (int64_t k = 0; k < rank; ++k)
      if (!drop[k]) out.push_back(x->dim(k));
    ctx.set_output(0, x->reshaped(std::move(out)));
    return ok_status();
  }

 private:
  std::optional<std::vector<int64_t>> axes_attr_;  // opset < 13
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_squeeze(const KernelInfo& info) {
  std::optional<std::vector<int64_t>> axes;
  if (info.opset < 13) axes = detail::optional_ints_attr(info.node, "axes");
  return std::unique_ptr<Kernel>(std::make_unique<SqueezeKernel>(std::move(axes)));
}

}  // namespace onyx::cpu
