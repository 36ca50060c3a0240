#include "src/ep/cpu/kernels/tensor/tensor_util.h"

#include <algorithm>
#include <cstring>

#include "src/core/parallel.h"

namespace onyx::cpu::detail {

Result<size_t> elem_size_of(const KernelContext& ctx, const Tensor& t) {
  const size_t size = dtype_size(t.dtype());
  if (size == 0) return not_implemented(ctx.node().describe() + ": dtype " + dtype_name(t.dtype()) + " is not supported");
  return size;
}

namespace {

// Any-shape int32/int64 tensor -> int64 values.
Result<std::vector<int64_t>> to_int64_vector(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  std::vector<int64_t> values(static_cast<size_t>(t.numel()));
  if (t.dtype() == DType::kInt64) {
    std::copy_n(t.data<int64_t>(), t.numel(), values.begin());
  } else if (t.dtype() == DType::kInt32) {
    std::copy_n(t.data<int32_t>(), t.numel(), values.begin());
  } else {
    return ctx.invalid(std::string(what) + " must be int64 or int32, got " + dtype_name(t.dtype()));
  }
  return values;
}

}  // namespace

Result<std::vector<int64_t>> read_int64s(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  if (t.rank() > 1)
    return ctx.invalid(std::string(what) + " must be a scalar or 1-D tensor, got shape " + shape_to_string(t.shape()));
  return to_int64_vector(ctx, t, what);
}

Result<std::vector<int64_t>> read_indices(const KernelContext& ctx, const Tensor& t, int64_t dim,
                                          std::string_view what) {
  ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> values, to_int64_vector(ctx, t, what));
  if (dim < 0) return values;
  for (int64_t& v : values) {
    if (v < -dim || v >= dim)
      return ctx.invalid(std::string(what) + " value " + std::to_string(v) + " is out of range [-" +
                         std::to_string(dim) + ", " + std::to_string(dim) + ")");
    if (v < 0) v += dim;
  }
  return values;
}

Result<int64_t> read_int64_scalar(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  ONYX_ASSIGN_OR_RETURN(auto values, read_int64s(ctx, t, what));
  if (values.size() != 1)
    return ctx.invalid(std::string(what) + " must have one element, got shape " + shape_to_string(t.shape()));
  return values[0];
}

Result<std::optional<std::vector<int64_t>>> read_axes(const KernelContext& ctx,
                                                      const std::optional<std::vector<int64_t>>& attr,
                                                      size_t input_index) {
  if (attr) return attr;
  const Tensor* t = ctx.input(input_index);
  if (!t) return std::optional<std::vector<int64_t>>();
  ONYX_ASSIGN_OR_RETURN(auto axes, read_int64s(ctx, *t, "axes"));
  return std::optional<std::vector<int64_t>>(std::move(axes));
}

std::optional<std::vector<int64_t>> optional_ints_attr(const ir::Node& node, const std::string& name) {
  if (!node.has_attribute(name)) return std::nullopt;
  return node.attr_ints(name);
}

bool normalize_axis(int64_t& axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return false;
  if (axis < 0) axis += rank;
  return true;
}

Result<int64_t> resolve_axis(const KernelContext& ctx, int64_t axis, const Shape& shape) {
  const int64_t given = axis;
  if (!normalize_axis(axis, static_cast<int64_t>(shape.size())))
    return ctx.invalid("axis " + std::to_string(given) + " is out of range for input shape " + shape_to_string(shape));
  return axis;
}

std::vector<int64_t> contiguous_strides(std::span<const int64_t> shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

namespace {

constexpr int64_t kCopyGrainBytes = 64 * 1024;  // bytes per parallel task (below this, one thread)

template <typename U>
void copy_row(U* dst, const U* src, int64_t n, int64_t stride) {
  if (stride == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(U));
  } else if (stride == 0) {
    std::fill_n(dst, n, *src);
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i * stride];
  }
}

template <typename U>
void strided_copy_typed(const U* src, U* dst, const std::vector<int64_t>& dims, const std::vector<int64_t>& strides) {
  const size_t outer_rank = dims.size() - 1;
  const int64_t inner = dims.back();
  const int64_t inner_stride = strides.back();
  int64_t rows = 1;
  for (size_t k = 0; k < outer_rank; ++k) rows *= dims[k];
  const int64_t min_rows = std::max<int64_t>(1, kCopyGrainBytes / std::max<int64_t>(1, inner * int64_t(sizeof(U))));
  parallel_for(rows, min_rows, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> idx(outer_rank);
    int64_t offset = 0;
    for (int64_t r = begin, k = static_cast<int64_t>(outer_rank) - 1; k >= 0; --k) {
      idx[k] = r % dims[k];
      r /= dims[k];
      offset += idx[k] * strides[k];
    }
    for (int64_t row = begin; row < end; ++row) {
      copy_row(dst + row * inner, src + offset, inner, inner_stride);
      for (int64_t k = static_cast<int64_t>(outer_rank) - 1; k >= 0; --k) {
        offset += strides[k];
        if (++idx[k] < dims[k]) break;
        offset -= idx[k] * strides[k];
        idx[k] = 0;
      }
    }
  });
}

}  // namespace

void strided_copy(const void* src, void* dst, std::span<const int64_t> out_shape,
                  std::span<const int64_t> src_strides, size_t elem_size) {
  if (shape_numel(out_shape) == 0) return;
  // Drop size-1 dims and merge dim k into k-1 when src walks them as one contiguous run.
  std::vector<int64_t> dims, strides;
  for (size_t k = 0; k < out_shape.size(); ++k) {
    if (out_shape[k] == 1) continue;
    if (!dims.empty() && strides.back() == src_strides[k] * out_shape[k]) {
      dims.back() *= out_shape[k];
      strides.back() = src_strides[k];
    } else {
      dims.push_back(out_shape[k]);
      strides.push_back(src_strides[k]);
    }
  }
  if (dims.empty()) {
    dims.push_back(1);
    strides.push_back(1);
  }
  Status s = visit_elem_size(elem_size, "strided_copy", [&]<typename U>() {
    strided_copy_typed(static_cast<const U*>(src), static_cast<U*>(dst), dims, strides);
    return ok_status();
  });
  (void)s;  // elem_size comes from dtype_size of a tensor the caller already validated
}

void fill_elements(void* dst, const void* value, int64_t count, size_t elem_size) {
  Status s = visit_elem_size(elem_size, "fill_elements", [&]<typename U>() {
    U v;
    std::memcpy(&v, value, sizeof(U));
    std::fill_n(static_cast<U*>(dst), count, v);
    return ok_status();
  });
  (void)s;
}

}  // namespace onyx::cpu::detail
