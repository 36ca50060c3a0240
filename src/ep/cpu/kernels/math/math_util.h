// Helpers shared by the math kernels.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu::math {


// InvalidArgument naming the node unless every listed input has the dtype of the first.
Status check_same_dtype(const KernelContext& ctx, std::span<const Tensor* const> inputs);

// Maps axis in [-rank, rank) to [0, rank); false when out of range.
bool normalize_axis(int64_t& axis, int64_t rank);

// Reads an int32/int64 tensor (any shape) as int64 values.
Result<std::vector<int64_t>> read_int64s(const KernelContext& ctx, const Tensor& t, std::string_view what);

// Product of shape[begin, end).
int64_t dims_product(std::span<const int64_t> shape, size_t begin, size_t end);

// View of a tensor around one axis: [outer, axis_dim, inner] (row-major).
struct AxisView {
  int64_t outer = 1;
  int64_t dim = 1;
  int64_t inner = 1;
};
AxisView axis_view(std::span<const int64_t> shape, size_t axis);

// The view Softmax / LogSoftmax / Hardmax work on: before opset 13 the input is coerced to 2-D at `axis`
// ([prod(dims[:axis]), prod(dims[axis:])], inner = 1); from 13 it is the plain axis view. `axis` may be
// negative; InvalidArgument naming the node when it is out of range. A scalar is treated as shape [1].
Result<AxisView> softmax_view(const KernelContext& ctx, std::span<const int64_t> shape, int64_t axis, int64_t opset);

}  // namespace onyx::cpu::math
