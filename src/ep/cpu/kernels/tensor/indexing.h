// Shared by the Gather* / Scatter* kernels: the `reduction` attribute, the block update loop and index
// addressing (axis-wise for *Elements, tuple-wise for *ND).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu::detail {

enum class ScatterReduction { kNone, kAdd, kMul, kMax, kMin };

// Parses `reduction` ("none" | "add" | "mul" from opset 16, "max" | "min" accepted too).
Result<ScatterReduction> parse_scatter_reduction(const KernelInfo& info);

// out starts as a copy of data; for each i, out[offsets[i] + j] (op)= updates[i * block + j], j < block
// (offsets and block in elements, in order, so later duplicates win under kNone).
// kNone moves raw elements (any dtype); reductions dispatch on the numeric dtypes.
Status scatter_blocks(const KernelContext& ctx, Tensor& out, const Tensor& updates, std::span<const int64_t> offsets,
                      int64_t block, ScatterReduction reduction);

// Offsets into a contiguous tensor of `data_shape` for each element of an index tensor of `index_shape`
// (same rank), reading index values along `axis` (GatherElements / ScatterElements addressing).
// index_shape[k] <= data_shape[k] for k != axis (the caller checks); indices already normalised.
std::vector<int64_t> axis_element_offsets(std::span<const int64_t> index_shape, std::span<const int64_t> data_shape,
                                          int64_t axis, std::span<const int64_t> indices);

// InvalidArgument unless index_shape has data's rank and index_shape[k] <= data_shape[k] for k != axis.
Status check_axis_index_shape(const KernelContext& ctx, const Shape& index_shape, const Shape& data_shape,
                              int64_t axis);

// GatherND / ScatterND addressing: for indices of shape [b..., n..., k] (the first `batch_dims` dims match
// data's), the element offset into data of each k-tuple (negative components count from the back).
// Checks shapes and ranges (InvalidArgument naming the node). Also returns the block size: the number of
// elements of data addressed by one tuple, prod(data.shape[batch_dims + k:]).
struct NdOffsets {
  std::vector<int64_t> offsets;
  int64_t block = 1;
};
Result<NdOffsets> nd_offsets(const KernelContext& ctx, const Shape& data_shape, const Tensor& indices,
                             int64_t batch_dims);

}  // namespace onyx::cpu::detail
