#include "src/ep/cpu/kernels/tensor/indexing.h"

#include <algorithm>
#include <cstring>

#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu::detail {

namespace {

template <typename T>
T combine(T a, T b, ScatterReduction r) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    const float v = combine(to_float(a), to_float(b), r);
    if constexpr (std::is_same_v<T, Float16>) return to_float16(v);
    else return to_bfloat16(v);
  } else {
    switch (r) {
      case ScatterReduction::kAdd: return static_cast<T>(a + b);
      case ScatterReduction::kMul: return static_cast<T>(a * b);
      case ScatterReduction::kMax: return std::max(a, b);
      case ScatterReduction::kMin: return std::min(a, b);
      case ScatterReduction::kNone: return b;
    }
    return b;
  }
}

}  // namespace

Result<ScatterReduction> parse_scatter_reduction(const KernelInfo& info) {
  const std::string r = info.node.attr_string("reduction", "none");
  if (r == "none") return ScatterReduction::kNone;
  if (r == "add") return ScatterReduction::kAdd;
  if (r == "mul") return ScatterReduction::kMul;
  if (r == "max") return ScatterReduction::kMax;
  if (r == "min") return ScatterReduction::kMin;
  return info.invalid("unknown reduction '" + r + "' (expected none, add, mul, max or min)");
}

Status scatter_blocks(const KernelContext& ctx, Tensor& out, const Tensor& updates, std::span<const int64_t> offsets,
                      int64_t block, ScatterReduction reduction) {
  const size_t elem_size = dtype_size(out.dtype());
  if (reduction == ScatterReduction::kNone) {
    const char* src = static_cast<const char*>(updates.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    const size_t bytes = static_cast<size_t>(block) * elem_size;
    for (size_t i = 0; i < offsets.size(); ++i) std::memcpy(dst + offsets[i] * elem_size, src + i * bytes, bytes);
    return ok_status();
  }
  return visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t,
                     uint64_t>(out.dtype(), ctx.node().op_type + " with a reduction", [&]<typename T>() {
    const T* src = updates.data<T>();
    T* dst = out.data<T>();
    for (size_t i = 0; i < offsets.size(); ++i)
      for (int64_t j = 0; j < block; ++j) {
        T& d = dst[offsets[i] + j];
        d = combine(d, src[static_cast<int64_t>(i) * block + j], reduction);
      }
    return ok_status();
  });
}

std::vector<int64_t> axis_element_offsets(std::span<const int64_t> index_shape, std::span<const int64_t> data_shape,
                                          int64_t axis, std::span<const int64_t> indices) {
  const std::vector<int64_t> strides = contiguous_strides(data_shape);
  const int64_t rank = static_cast<int64_t>(index_shape.size());
  std::vector<int64_t> offsets(indices.size());
  std::vector<int64_t> idx(rank, 0);
  int64_t base = 0;  // offset of idx with the axis coordinate left out
  for (size_t n = 0; n < indices.size(); ++n) {
    offsets[n] = base + indices[n] * strides[axis];
    for (int64_t k = rank - 1; k >= 0; --k) {
      if (k != axis) base += strides[k];
      if (++idx[k] < index_shape[k]) break;
      if (k != axis) base -= idx[k] * strides[k];
      idx[k] = 0;
    }
  }
  return offsets;
}

Status check_axis_index_shape(const KernelContext& ctx, const Shape& index_shape, const Shape& data_shape,
                              int64_t axis) {
  bool ok = index_shape.size() == data_shape.size();
  for (size_t k = 0; ok && k < index_shape.size(); ++k)
    ok = static_cast<int64_t>(k) == axis || index_shape[k] <= data_shape[k];
  if (!ok)
    return ctx.invalid("indices shape " + shape_to_string(index_shape) + " must have data's rank and fit inside " +
                       "data shape " + shape_to_string(data_shape) + " outside axis " + std::to_string(axis));
  return ok_status();
}

Result<NdOffsets> nd_offsets(const KernelContext& ctx, const Shape& data_shape, const Tensor& indices,
                             int64_t batch_dims) {
  const int64_t r = static_cast<int64_t>(data_shape.size()), q = static_cast<int64_t>(indices.rank());
  const int64_t k = q > 0 ? indices.dim(q - 1) : -1;
  bool ok = q >= 1 && batch_dims >= 0 && batch_dims < std::min(q, r) && k >= 0 && k <= r - batch_dims;
  for (int64_t d = 0; ok && d < batch_dims; ++d) ok = data_shape[d] == indices.dim(d);
  if (!ok)
    return ctx.invalid("indices shape " + shape_to_string(indices.shape()) + " does not address data shape " +
                       shape_to_string(data_shape) + " with batch_dims " + std::to_string(batch_dims));
  ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> raw, read_indices(ctx, indices, -1, "indices"));
  const std::vector<int64_t> strides = contiguous_strides(data_shape);
  const std::span<const int64_t> idx_dims(indices.shape());
  const int64_t batches = shape_numel(idx_dims.first(batch_dims));
  const int64_t tuples = k == 0 ? shape_numel(idx_dims.first(q - 1)) : static_cast<int64_t>(raw.size()) / k;
  const int64_t per_batch = batches == 0 ? 0 : tuples / batches;
  const int64_t batch_stride = batch_dims > 0 ? strides[batch_dims - 1] : 0;
  NdOffsets result;
  result.block = shape_numel(std::span(data_shape).subspan(batch_dims + k));
  result.offsets.resize(static_cast<size_t>(tuples));
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = (t / std::max<int64_t>(1, per_batch)) * batch_stride;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t dim = data_shape[batch_dims + j];
      int64_t v = raw[t * k + j];
      if (v < -dim || v >= dim)
        return ctx.invalid("index " + std::to_string(v) + " (component " + std::to_string(j) +
                           ") is out of range for data dim " + std::to_string(dim) + " of shape " +
                           shape_to_string(data_shape));
      if (v < 0) v += dim;
      off += v * strides[batch_dims + j];
    }
    result.offsets[t] = off;
  }
  return result;
}

}  // namespace onyx::cpu::detail
