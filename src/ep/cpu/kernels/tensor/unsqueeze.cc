// Unsqueeze (opset 1, 11, 13): insert size-1 dims at the listed output axes (negative axes count from the
// back of the output, opset 11+). Axes are an attribute before opset 13 and an int64 input from 13.
// The output aliases the input.
// Variants: one.
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class UnsqueezeKernel final : public Kernel {
 public:
  explicit UnsqueezeKernel(std::optional<std::vector<int64_t>> axes_attr) : axes_attr_(std::move(axes_attr)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(auto axes, detail::read_axes(ctx, axes_attr_, 1));
    if (!axes) return ctx.invalid("axes are required");
    const int64_t out_rank = static_cast<int64_t>(x->rank() + axes->size());
    std::vector<bool> inserted(out_rank, false);
    for (int64_t a : *axes) {
      const int64_t given = a;
      if (!detail::normalize_axis(a, out_rank) || inserted[a])
        return ctx.invalid("axes " + shape_to_string(*axes) + " are out of range or repeated for input shape " +
                           shape_to_string(x->shape()) + " (axis " + std::to_string(given) + ")");
      inserted[a] = true;
    }
    Shape out(out_rank);
    for (int64_t k = 0, src = 0; k < out_rank; ++k) out[k] = inserted[k] ? 1 : x->dim(src++);
    ctx.set_output(0, x->reshaped(std::move(out)));
    return ok_status();
  }

 private:
  std::optional<std::vector<int64_t>> axes_attr_;  // opset < 13
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_unsqueeze(const KernelInfo& info) {
  std::optional<std::vector<int64_t>> axes;
  if (info.opset < 13) {
    axes = detail::optional_ints_attr(info.node, "axes");
    if (!axes) return info.invalid("Unsqueeze before opset 13 needs an 'axes' attribute");
  }
  return std::unique_ptr<Kernel>(std::make_unique<UnsqueezeKernel>(std::move(axes)));
}

}  // namespace onyx::cpu
