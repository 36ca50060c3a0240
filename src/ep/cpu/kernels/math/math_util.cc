#include "src/ep/cpu/kernels/math/math_util.h"

#include <string>

namespace onyx::cpu::math {

Status check_same_dtype(const KernelContext& ctx, std::span<const Tensor* const> inputs) {
  for (const Tensor* t : inputs)
    if (t && t->dtype() != inputs[0]->dtype())
      return ctx.invalid("inputs must share one dtype, got " + dtype_name(inputs[0]->dtype()) + " and " +
                         dtype_name(t->dtype()));
  return ok_status();
}

bool normalize_axis(int64_t& axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return false;
  if (axis < 0) axis += rank;
  return true;
}

Result<std::vector<int64_t>> read_int64s(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::kInt64) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int64_t>()[i];
  } else if (t.dtype() == DType::kInt32) {
    for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int32_t>()[i];
  } else {
    return ctx.invalid(std::string(what) + " must be int32 or int64, got " + dtype_name(t.dtype()));
  }
  return v;
}

int64_t dims_product(std::span<const int64_t> shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) p *= shape[i];
  return p;
}

AxisView axis_view(std::span<const int64_t> shape, size_t axis) {
  return {dims_product(shape, 0, axis), shape[axis], dims_product(shape, axis + 1, shape.size())};
}

Result<AxisView> softmax_view(const KernelContext& ctx, std::span<const int64_t> shape, int64_t axis,
                              int64_t opset) {
  const int64_t one = 1;
  if (shape.empty()) shape = std::span<const int64_t>(&one, 1);
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (!normalize_axis(axis, rank))
    return ctx.invalid("axis " + std::to_string(axis) + " is out of range for input shape " + shape_to_string(shape));
  if (opset < 13) return AxisView{dims_product(shape, 0, axis), dims_product(shape, axis, shape.size()), 1};
  return axis_view(shape, static_cast<size_t>(axis));
}

}  // namespace onyx::cpu::math
