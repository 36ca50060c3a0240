// Flatten (opset 1, 9, 11, 13): reshape to 2-D [prod(dims[:axis]), prod(dims[axis:])]; the output aliases
// the input. Negative axis from opset 11.
// Variants: one.
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class FlattenKernel final : public Kernel {
 public:
  explicit FlattenKernel(int64_t axis) : axis_(axis) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    const int64_t rank = static_cast<int64_t>(x->rank());
    int64_t axis = axis_;
    if (axis != rank && !detail::normalize_axis(axis, rank))
      return ctx.invalid("axis " + std::to_string(axis_) + " is out of range for shape " + shape_to_string(x->shape()));
    const std::span<const int64_t> dims(x->shape());
    ctx.set_output(0, x->reshaped({shape_numel(dims.first(axis)), shape_numel(dims.subspan(axis))}));
    return ok_status();
  }

 private:
  int64_t axis_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_flatten(const KernelInfo& info) {
  const int64_t axis = info.node.attr_int("axis", 1);
  if (axis < 0 && info.opset < 11) return info.invalid("negative axis needs opset 11");
  return std::unique_ptr<Kernel>(std::make_unique<FlattenKernel>(axis));
}

}  // namespace onyx::cpu
