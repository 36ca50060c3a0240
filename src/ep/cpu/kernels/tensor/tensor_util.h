// Helpers shared by the tensor (shape and data movement) kernels.
//
// Data movement here is dtype-generic: kernels move elements as opaque 1/2/4/8-byte words
// (visit_elem_size), so every fixed-size dtype (float32/64, f16, bf16, int8..int64, uint*, bool) works.
// Thread safety: all functions are pure (no shared state); strided_copy may run on the intra-op threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu::detail {

// Calls fn.template operator()<U>() with U = uint8_t/uint16_t/uint32_t/uint64_t of `elem_size` bytes;
// NotImplemented (naming `what`) for any other size (e.g. string tensors).
template <typename F>
Status visit_elem_size(size_t elem_size, std::string_view what, F&& fn) {
  switch (elem_size) {
    case 1: return fn.template operator()<uint8_t>();
    case 2: return fn.template operator()<uint16_t>();
    case 4: return fn.template operator()<uint32_t>();
    case 8: return fn.template operator()<uint64_t>();
    default: return not_implemented(std::string(what) + ": element size " + std::to_string(elem_size) +
                                    " is not supported (string tensors are not supported)");
  }
}

// The tensor's element size in bytes, or a NotImplemented status naming the node (string / undefined dtype).
Result<size_t> elem_size_of(const KernelContext& ctx, const Tensor& t);


// Reads a scalar or 1-D int32/int64 tensor as int64 values (`what` names it in errors).
Result<std::vector<int64_t>> read_int64s(const KernelContext& ctx, const Tensor& t, std::string_view what);
// Reads a one-element int32/int64 tensor.
Result<int64_t> read_int64_scalar(const KernelContext& ctx, const Tensor& t, std::string_view what);

// Reads an int32/int64 index tensor of any shape as int64, mapping negative indices i to i + dim and
// returning an InvalidArgument status (naming the node, `what`, the index and dim) for any index outside
// [-dim, dim). With dim < 0 the values are returned as they are.
Result<std::vector<int64_t>> read_indices(const KernelContext& ctx, const Tensor& t, int64_t dim,
                                          std::string_view what);

// Axes from an attribute read at creation (`attr`, older opsets) or else from the int32/int64 input
// `input_index` (newer opsets); nullopt when neither is given.
Result<std::optional<std::vector<int64_t>>> read_axes(const KernelContext& ctx,
                                                      const std::optional<std::vector<int64_t>>& attr,
                                                      size_t input_index);
// The `axes` attribute if present (nullopt otherwise).
std::optional<std::vector<int64_t>> optional_ints_attr(const ir::Node& node, const std::string& name);

// Maps axis in [-rank, rank) to [0, rank); false when out of range.
bool normalize_axis(int64_t& axis, int64_t rank);

// `axis` normalised against shape's rank, or an InvalidArgument status naming the node, axis and shape.
Result<int64_t> resolve_axis(const KernelContext& ctx, int64_t axis, const Shape& shape);

// Row-major strides (in elements) of a contiguous tensor of `shape`.
std::vector<int64_t> contiguous_strides(std::span<const int64_t> shape);

// Writes dst (contiguous, out_shape) from src where output index (i0..in) reads
// src[sum(ik * src_strides[k])] (strides in elements; 0 broadcasts, negative walks backwards).
// Merges dims that are contiguous in src, memcpy's unit-stride rows, runs rows on the intra-op threads.
void strided_copy(const void* src, void* dst, std::span<const int64_t> out_shape,
                  std::span<const int64_t> src_strides, size_t elem_size);

// Fills `count` elements of dst with the element at `value` (elem_size bytes).
void fill_elements(void* dst, const void* value, int64_t count, size_t elem_size);

}  // namespace onyx::cpu::detail
