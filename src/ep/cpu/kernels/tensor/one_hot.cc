// OneHot (opset 9, 11): out has depth inserted at `axis` (default -1, counted on the output's rank);
// out[.., d, ..] = values[1] where d == indices[..] (negative indices add depth), values[0] elsewhere.
// Indices and depth may be any numeric dtype (read as integers, fractions truncated); the output takes
// values' dtype. Indices outside [-depth, depth) give an all-off row.
// Variants: one (fill with off, then write on).
#include <cmath>
#include <cstring>

#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

// Numeric tensor -> int64 values (truncating fractions).
Result<std::vector<int64_t>> read_as_int64(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  std::vector<int64_t> values(static_cast<size_t>(t.numel()));
  const Status read = visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t,
                                  uint32_t, int64_t, uint64_t>(t.dtype(), what, [&]<typename T>() {
    const T* src = t.data<T>();
    for (size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) values[i] = static_cast<int64_t>(to_float(src[i]));
      else values[i] = static_cast<int64_t>(src[i]);
    }
    return ok_status();
  });
  ONYX_RETURN_IF_ERROR(read);
  return values;
}

class OneHotKernel final : public Kernel {
 public:
  explicit OneHotKernel(int64_t axis) : axis_(axis) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* idx_t, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* depth_t, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(const Tensor* values, required_input(ctx, 2));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *values));
    if (values->numel() != 2) return ctx.invalid("values must have 2 elements, got shape " + shape_to_string(values->shape()));
    if (depth_t->numel() != 1) return ctx.invalid("depth must be a scalar, got shape " + shape_to_string(depth_t->shape()));
    ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> depth_v, read_as_int64(ctx, *depth_t, "OneHot depth"));
    const int64_t depth = depth_v[0];
    if (depth < 1) return ctx.invalid("depth must be >= 1, got " + std::to_string(depth));
    ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> indices, read_as_int64(ctx, *idx_t, "OneHot indices"));
    const int64_t out_rank = static_cast<int64_t>(idx_t->rank()) + 1;
    int64_t axis = axis_;
    if (!detail::normalize_axis(axis, out_rank))
      return ctx.invalid("axis " + std::to_string(axis_) + " is out of range for output rank " + std::to_string(out_rank));
    Shape out_shape = idx_t->shape();
    out_shape.insert(out_shape.begin() + axis, depth);
    Tensor& y = ctx.allocate_output(0, values->dtype(), out_shape);
    const char* off_on = static_cast<const char*>(values->raw_data());
    detail::fill_elements(y.raw_data(), off_on, y.numel(), elem_size);
    const std::span<const int64_t> idx_dims(idx_t->shape());
    const int64_t inner = shape_numel(idx_dims.subspan(axis));  // index elements per outer position
    char* dst = static_cast<char*>(y.raw_data());
    for (size_t n = 0; n < indices.size(); ++n) {
      int64_t d = indices[n];
      if (d < 0) d += depth;
      if (d < 0 || d >= depth) continue;
      const int64_t o = static_cast<int64_t>(n) / inner, i = static_cast<int64_t>(n) % inner;
      std::memcpy(dst + ((o * depth + d) * inner + i) * elem_size, off_on + elem_size, elem_size);
    }
    return ok_status();
  }

 private:
  int64_t axis_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_one_hot(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<OneHotKernel>(info.node.attr_int("axis", -1)));
}

}  // namespace onyx::cpu
