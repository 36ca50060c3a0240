// Slice (opset 1, 10, 11, 13): take starts[i]:ends[i]:steps[i] along axes[i] (numpy semantics: negative
// indices count from the back, out-of-range starts/ends clamp, INT64_MAX / INT64_MIN mean "to the end",
// negative steps walk backwards). starts/ends/axes are attributes before opset 10 and int32/int64 inputs
// (with optional axes and steps) from 10.
// Variants: one (strided_copy: merged dims, memcpy rows when the innermost step is 1).
#include <algorithm>
#include <limits>

#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

struct SliceArgs {
  std::vector<int64_t> starts, ends, axes, steps;
};

class SliceKernel final : public Kernel {
 public:
  explicit SliceKernel(std::optional<SliceArgs> attrs) : attrs_(std::move(attrs)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
    SliceArgs a;
    if (attrs_) {
      a = *attrs_;
    } else {
      ONYX_ASSIGN_OR_RETURN(const Tensor* starts, required_input(ctx, 1));
      ONYX_ASSIGN_OR_RETURN(const Tensor* ends, required_input(ctx, 2));
      ONYX_ASSIGN_OR_RETURN(a.starts, detail::read_int64s(ctx, *starts, "starts"));
      ONYX_ASSIGN_OR_RETURN(a.ends, detail::read_int64s(ctx, *ends, "ends"));
      if (const Tensor* axes = ctx.input(3)) {
        ONYX_ASSIGN_OR_RETURN(a.axes, detail::read_int64s(ctx, *axes, "axes"));
      }
      if (const Tensor* steps = ctx.input(4)) {
        ONYX_ASSIGN_OR_RETURN(a.steps, detail::read_int64s(ctx, *steps, "steps"));
      }
    }
    const size_t n = a.starts.size();
    if (a.axes.empty())
      for (size_t i = 0; i < n; ++i) a.axes.push_back(static_cast<int64_t>(i));
    if (a.steps.empty()) a.steps.assign(n, 1);
    if (a.ends.size() != n || a.axes.size() != n || a.steps.size() != n)
      return ctx.invalid("starts, ends, axes and steps must have the same length, got " + std::to_string(n) + ", " +
                         std::to_string(a.ends.size()) + ", " + std::to_string(a.axes.size()) + ", " +
                         std::to_string(a.steps.size()));

    const int64_t rank = static_cast<int64_t>(x->rank());
    const std::vector<int64_t> in_strides = detail::contiguous_strides(x->shape());
    Shape out_shape = x->shape();
    std::vector<int64_t> strides = in_strides;
    std::vector<bool> seen(rank, false);
    int64_t offset = 0;
    for (size_t i = 0; i < n; ++i) {
      int64_t axis = a.axes[i];
      if (!detail::normalize_axis(axis, rank) || seen[axis])
        return ctx.invalid("axes " + shape_to_string(a.axes) + " are out of range or repeated for input shape " +
                           shape_to_string(x->shape()));
      seen[axis] = true;
      const int64_t dim = x->dim(axis);
      const int64_t step = std::max(a.steps[i], -std::numeric_limits<int64_t>::max());
      if (step == 0) return ctx.invalid("steps must not be 0 (axis " + std::to_string(a.axes[i]) + ")");
      int64_t start = a.starts[i], end = a.ends[i];
      if (start < 0) start = start < -dim ? -1 : start + dim;  // avoid overflow near INT64_MIN
      if (end < 0) end = end < -dim ? -1 : end + dim;
      int64_t count = 0;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        if (end > start) count = 1 + (end - start - 1) / step;
      } else {
        start = std::clamp<int64_t>(start, -1, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        if (start > end) count = 1 + (start - end - 1) / -step;
      }
      out_shape[axis] = count;
      if (count > 0) offset += start * in_strides[axis];
      strides[axis] = in_strides[axis] * step;
    }
    Tensor& y = ctx.allocate_output(0, x->dtype(), out_shape);
    if (y.numel() == 0) return ok_status();
    detail::strided_copy(static_cast<const char*>(x->raw_data()) + offset * static_cast<int64_t>(elem_size),
                         y.raw_data(), out_shape, strides, elem_size);
    return ok_status();
  }

 private:
  std::optional<SliceArgs> attrs_;  // opset < 10
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_slice(const KernelInfo& info) {
  std::optional<SliceArgs> attrs;
  if (info.opset < 10) {
    const ir::Node& node = info.node;
    if (!node.has_attribute("starts") || !node.has_attribute("ends"))
      return info.invalid("Slice before opset 10 needs 'starts' and 'ends' attributes");
    attrs = SliceArgs{node.attr_ints("starts"), node.attr_ints("ends"), node.attr_ints("axes"), {}};
  }
  return std::unique_ptr<Kernel>(std::make_unique<SliceKernel>(std::move(attrs)));
}

}  // namespace onyx::cpu
