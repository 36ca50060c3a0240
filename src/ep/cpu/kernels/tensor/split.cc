// Split (opset 1, 2, 11, 13): cut the input along `axis` into the node's outputs. Sizes come from the
// `split` attribute (opset 1 also accepts a second input) before opset 13 and from the optional int64
// `split` input from 13; without sizes the axis is divided into equal parts (it must divide evenly).
// Variants: one (per output, one memcpy per outer index).
#include <cstring>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class SplitKernel final : public Kernel {
 public:
  SplitKernel(int64_t axis, std::optional<std::vector<int64_t>> split_attr)
      : axis_(axis), split_attr_(std::move(split_attr)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
    ONYX_ASSIGN_OR_RETURN(const int64_t axis, detail::resolve_axis(ctx, axis_, x->shape()));
    const int64_t num_outputs = static_cast<int64_t>(ctx.num_outputs());
    const int64_t dim = x->dim(axis);
    std::vector<int64_t> sizes;
    if (split_attr_) {
      sizes = *split_attr_;
    } else if (const Tensor* s = ctx.input(1)) {
      ONYX_ASSIGN_OR_RETURN(sizes, detail::read_int64s(ctx, *s, "split"));
    } else {
      if (num_outputs == 0 || dim % num_outputs != 0)
        return ctx.invalid("cannot split axis " + std::to_string(axis) + " of shape " + shape_to_string(x->shape()) +
                           " into " + std::to_string(num_outputs) + " equal parts");
      sizes.assign(num_outputs, dim / num_outputs);
    }
    int64_t total = 0;
    bool negative = false;
    for (int64_t s : sizes) {
      total += s;
      negative = negative || s < 0;
    }
    if (negative || static_cast<int64_t>(sizes.size()) != num_outputs || total != dim)
      return ctx.invalid("split " + shape_to_string(sizes) + " does not cut axis " + std::to_string(axis) +
                         " of shape " + shape_to_string(x->shape()) + " into " + std::to_string(num_outputs) +
                         " outputs");
    const std::span<const int64_t> dims(x->shape());
    const int64_t outer = shape_numel(dims.first(axis));
    const int64_t inner = shape_numel(dims.subspan(axis + 1)) * static_cast<int64_t>(elem_size);
    const char* src = static_cast<const char*>(x->raw_data());
    int64_t offset = 0;  // bytes into each input row
    for (int64_t j = 0; j < num_outputs; ++j) {
      Shape out_shape = x->shape();
      out_shape[axis] = sizes[j];
      Tensor& y = ctx.allocate_output(j, x->dtype(), out_shape);
      const int64_t bytes = sizes[j] * inner;
      char* dst = static_cast<char*>(y.raw_data());
      if (bytes > 0)
        parallel_for(outer, std::max<int64_t>(1, (64 * 1024) / bytes), [&](int64_t begin, int64_t end) {
          for (int64_t o = begin; o < end; ++o) std::memcpy(dst + o * bytes, src + o * dim * inner + offset, bytes);
        });
      offset += bytes;
    }
    return ok_status();
  }

 private:
  int64_t axis_;
  std::optional<std::vector<int64_t>> split_attr_;  // opset < 13
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_split(const KernelInfo& info) {
  const int64_t axis = info.node.attr_int("axis", 0);
  if (axis < 0 && info.opset < 11) return info.invalid("negative axis needs opset 11");
  std::optional<std::vector<int64_t>> split;
  if (info.opset < 13) split = detail::optional_ints_attr(info.node, "split");
  return std::unique_ptr<Kernel>(std::make_unique<SplitKernel>(axis, std::move(split)));
}

}  // namespace onyx::cpu
