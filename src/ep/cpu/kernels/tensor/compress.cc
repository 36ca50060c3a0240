// Compress (opset 9, 11): keep the slices along `axis` whose bool condition entry is true (numpy.compress;
// without axis the input is flattened first). Condition entries past the axis length must be false.
// Negative axis from opset 11.
// Variants: one (one memcpy per kept (outer, index) block).
#include <cstring>

#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class CompressKernel final : public Kernel {
 public:
  explicit CompressKernel(std::optional<int64_t> axis) : axis_(axis) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* cond, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
    if (cond->dtype() != DType::kBool || cond->rank() != 1)
      return ctx.invalid("condition must be a 1-D bool tensor, got " + dtype_name(cond->dtype()) + " " +
                         shape_to_string(cond->shape()));
    const Shape dims = axis_ ? x->shape() : Shape{x->numel()};
    ONYX_ASSIGN_OR_RETURN(const int64_t axis, detail::resolve_axis(ctx, axis_.value_or(0), dims));
    const int64_t dim = dims[axis];
    const bool* c = cond->data<bool>();
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < cond->numel(); ++i) {
      if (!c[i]) continue;
      if (i >= dim)
        return ctx.invalid("condition is true at " + std::to_string(i) + ", past axis " + std::to_string(axis) +
                           " of length " + std::to_string(dim));
      kept.push_back(i);
    }
    Shape out_shape = dims;
    out_shape[axis] = static_cast<int64_t>(kept.size());
    Tensor& y = ctx.allocate_output(0, x->dtype(), out_shape);
    const std::span<const int64_t> span(dims);
    const int64_t outer = shape_numel(span.first(axis));
    const size_t block = static_cast<size_t>(shape_numel(span.subspan(axis + 1))) * elem_size;
    const char* src = static_cast<const char*>(x->raw_data());
    char* dst = static_cast<char*>(y.raw_data());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i : kept) {
        std::memcpy(dst, src + (o * dim + i) * block, block);
        dst += block;
      }
    return ok_status();
  }

 private:
  std::optional<int64_t> axis_;  // absent: flatten
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_compress(const KernelInfo& info) {
  std::optional<int64_t> axis;
  if (info.node.has_attribute("axis")) axis = info.node.attr_int("axis", 0);
  if (axis && *axis < 0 && info.opset < 11) return info.invalid("negative axis needs opset 11");
  return std::unique_ptr<Kernel>(std::make_unique<CompressKernel>(axis));
}

}  // namespace onyx::cpu
