// Numpy multidirectional broadcasting for N inputs (ONNX "Broadcasting.md"), shared by the elementwise
// kernels and reusable by other families (Where/Expand-like ops).
//
//   ONYX_ASSIGN_OR_RETURN(Shape out_shape, broadcast_shape({a.shape(), b.shape()}));
//   ONYX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(out_shape, {a.shape(), b.shape()}));
//   plan.parallel_rows([&](int64_t row, const int64_t* in_offsets) {
//     // the output row starts at row * plan.inner(); input k starts at in_offsets[k] and advances by
//     // plan.inner_stride(k) (0: one broadcast value for the whole row, 1: contiguous)
//   });
//
// How the plan is built: dims of size 1 in the output are dropped, then adjacent dims are merged when every
// input either broadcasts both (stride 0) or reads both (contiguous). What is left is a few outer dims and one
// innermost "row" dim over which each input is either contiguous or a single value. So the common cases
// become one tight loop per row:
//   same shape                 -> 1 row of numel, all inputs contiguous
//   scalar operand             -> 1 row, that input has inner stride 0
//   [B,S,768] + [768] (bias)   -> B*S rows of 768, bias offset 0 each row
//   [B,H,S,S] + [B,1,1,S]      -> B*H*S rows of S, mask offset advances once per row of S every H*S rows
// and anything else walks the outer dims with an index counter (the general strided path).
//
// Thread safety: plans are immutable values; parallel_rows runs fn on the intra-op threads (fn must only
// write its own output rows).
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/core/parallel.h"

namespace onyx::cpu {

using ShapeView = std::span<const int64_t>;

// The numpy broadcast of `shapes` (right-aligned; each output dim is the inputs' common dim, where dims of 1
// stretch; a 0-size dim broadcasts with 1 and 0 only). InvalidArgument naming both shapes and the dim when
// they are incompatible (callers add the node with Status::with_context or ctx.invalid).
Result<Shape> broadcast_shape(std::span<const ShapeView> shapes);
Result<Shape> broadcast_shape(std::initializer_list<ShapeView> shapes);

// True when `shape` broadcasts to `target` without changing `target` (unidirectional, e.g. PRelu's slope).
bool broadcasts_to(ShapeView shape, ShapeView target);

class BroadcastPlan {
 public:
  // Rows below this many elements per parallel chunk are not worth a thread.
  static constexpr int64_t kGrainElements = 1 << 15;

  // A plan reading each input (contiguous, of in_shapes[k]) broadcast to `out_shape`. InvalidArgument when an
  // input does not broadcast to out_shape.
  static Result<BroadcastPlan> make(ShapeView out_shape, std::span<const ShapeView> in_shapes);
  static Result<BroadcastPlan> make(ShapeView out_shape, std::initializer_list<ShapeView> in_shapes);

  int64_t numel() const { return numel_; }
  // Elements per row (the merged innermost dim); 0 when the output is empty.
  int64_t inner() const { return dims_.empty() ? 0 : dims_.back(); }
  int64_t rows() const { return inner() == 0 ? 0 : numel_ / inner(); }
  size_t num_inputs() const { return num_inputs_; }
  // 0 when input k is one value across a row, 1 when it is contiguous along the row.
  int64_t inner_stride(size_t k) const { return strides_[k * dims_.size() + dims_.size() - 1]; }
  // True when no input broadcasts at all (one row covering everything, all contiguous).
  bool is_elementwise() const { return dims_.size() == 1 && all_inner_contiguous(); }
  // The merged dims (outermost first) and input k's strides over them, in elements (for tests/debugging).
  const std::vector<int64_t>& merged_dims() const { return dims_; }
  std::span<const int64_t> merged_strides(size_t k) const { return {strides_.data() + k * dims_.size(), dims_.size()}; }

  // Calls fn(row, in_offsets) for rows [begin, end) in order; in_offsets[k] is input k's element offset of the
  // row's first element. Walks outer dims with a counter (no division per row).
  template <typename F>
  void for_rows(int64_t begin, int64_t end, F&& fn) const;
  // for_rows over all rows, split across the intra-op threads in chunks of >= kGrainElements elements.
  template <typename F>
  void parallel_rows(F&& fn) const {
    const int64_t per_chunk = std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, inner()));
    parallel_for(rows(), per_chunk, [&](int64_t begin, int64_t end) { for_rows(begin, end, fn); });
  }

 private:
  bool all_inner_contiguous() const;

  size_t num_inputs_ = 0;
  int64_t numel_ = 0;
  std::vector<int64_t> dims_;     // merged output dims, outermost first; never empty unless numel_ == 0
  std::vector<int64_t> strides_;  // [input][dim], elements
};

template <typename F>
void BroadcastPlan::for_rows(int64_t begin, int64_t end, F&& fn) const {
  if (begin >= end) return;
  constexpr size_t kMaxInline = 8;
  const size_t outer_rank = dims_.size() - 1;
  const size_t rank = dims_.size();
  std::vector<int64_t> counter(outer_rank, 0);
  int64_t offsets_inline[kMaxInline] = {};
  std::vector<int64_t> offsets_heap(num_inputs_ > kMaxInline ? num_inputs_ : 0);
  int64_t* offsets = num_inputs_ > kMaxInline ? offsets_heap.data() : offsets_inline;
  // Decompose `begin` into the outer counter and the starting offsets.
  int64_t rem = begin;
  for (size_t d = outer_rank; d-- > 0;) {
    counter[d] = rem % dims_[d];
    rem /= dims_[d];
    for (size_t k = 0; k < num_inputs_; ++k) offsets[k] += counter[d] * strides_[k * rank + d];
  }
  for (int64_t row = begin; row < end; ++row) {
    fn(row, static_cast<const int64_t*>(offsets));
    // Advance the counter: innermost outer dim first, carrying outward.
    for (size_t d = outer_rank; d-- > 0;) {
      if (++counter[d] < dims_[d]) {
        for (size_t k = 0; k < num_inputs_; ++k) offsets[k] += strides_[k * rank + d];
        break;
      }
      counter[d] = 0;
      for (size_t k = 0; k < num_inputs_; ++k) offsets[k] -= (dims_[d] - 1) * strides_[k * rank + d];
    }
  }
}

}  // namespace onyx::cpu
