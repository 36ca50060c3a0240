// Numpy broadcasting: output shape and the merged-dims plan (see broadcast.h).
#include "src/ep/cpu/kernels/elementwise/broadcast.h"

#include <string>

namespace onyx::cpu {

namespace {
Status incompatible(ShapeView a, ShapeView b, size_t from_right, int64_t da, int64_t db) {
  return invalid_argument("shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                          " cannot be broadcast: dim -" + std::to_string(from_right) + " is " + std::to_string(da) +
                          " vs " + std::to_string(db) + " (each dim must be equal or 1)");
}
}  // namespace

Result<Shape> broadcast_shape(std::span<const ShapeView> shapes) {
  size_t rank = 0;
  for (ShapeView s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  // Which input set each output dim (so errors name the two shapes that disagree).
  std::vector<size_t> setter(rank, 0);
  for (size_t k = 0; k < shapes.size(); ++k) {
    ShapeView s = shapes[k];
    for (size_t j = 0; j < s.size(); ++j) {
      const size_t d = rank - s.size() + j;
      const int64_t dim = s[j];
      if (dim == 1 || dim == out[d]) continue;
      if (out[d] != 1) return incompatible(shapes[setter[d]], s, rank - d, out[d], dim);
      out[d] = dim;
      setter[d] = k;
    }
  }
  return out;
}

Result<Shape> broadcast_shape(std::initializer_list<ShapeView> shapes) {
  return broadcast_shape(std::span<const ShapeView>(shapes.begin(), shapes.size()));
}

bool broadcasts_to(ShapeView shape, ShapeView target) {
  if (shape.size() > target.size()) return false;
  const size_t off = target.size() - shape.size();
  for (size_t j = 0; j < shape.size(); ++j)
    if (shape[j] != 1 && shape[j] != target[off + j]) return false;
  return true;
}

Result<BroadcastPlan> BroadcastPlan::make(ShapeView out_shape, std::span<const ShapeView> in_shapes) {
  BroadcastPlan plan;
  plan.num_inputs_ = in_shapes.size();
  plan.numel_ = shape_numel(out_shape);
  const size_t n = in_shapes.size();
  const size_t rank = out_shape.size();
  // Full-rank strides per input (0 where it broadcasts).
  std::vector<std::vector<int64_t>> full(n, std::vector<int64_t>(rank, 0));
  for (size_t k = 0; k < n; ++k) {
    ShapeView s = in_shapes[k];
    if (!broadcasts_to(s, out_shape))
      return invalid_argument("shape " + shape_to_string(s) + " does not broadcast to " + shape_to_string(out_shape));
    int64_t stride = 1;
    for (size_t j = s.size(); j-- > 0;) {
      const size_t d = rank - s.size() + j;
      full[k][d] = s[j] == 1 ? 0 : stride;
      stride *= s[j];
    }
  }
  if (plan.numel_ == 0) return plan;  // nothing to iterate; dims_ stays empty
  // Drop output dims of 1, merge neighbours with the same broadcast pattern in every input.
  std::vector<size_t> kept;
  for (size_t d = 0; d < rank; ++d)
    if (out_shape[d] != 1) kept.push_back(d);
  std::vector<std::vector<int64_t>> merged_strides(n);
  for (size_t d : kept) {
    bool merge = !plan.dims_.empty();
    for (size_t k = 0; k < n && merge; ++k) merge = (merged_strides[k].back() == 0) == (full[k][d] == 0);
    if (merge) {
      plan.dims_.back() *= out_shape[d];
      for (size_t k = 0; k < n; ++k) merged_strides[k].back() = full[k][d];
    } else {
      plan.dims_.push_back(out_shape[d]);
      for (size_t k = 0; k < n; ++k) merged_strides[k].push_back(full[k][d]);
    }
  }
  if (plan.dims_.empty()) {  // scalar output (all dims 1)
    plan.dims_.push_back(1);
    for (size_t k = 0; k < n; ++k) merged_strides[k].push_back(0);
  }
  plan.strides_.reserve(n * plan.dims_.size());
  for (size_t k = 0; k < n; ++k)
    plan.strides_.insert(plan.strides_.end(), merged_strides[k].begin(), merged_strides[k].end());
  return plan;
}

Result<BroadcastPlan> BroadcastPlan::make(ShapeView out_shape, std::initializer_list<ShapeView> in_shapes) {
  return make(out_shape, std::span<const ShapeView>(in_shapes.begin(), in_shapes.size()));
}

bool BroadcastPlan::all_inner_contiguous() const {
  for (size_t k = 0; k < num_inputs_; ++k)
    if (inner_stride(k) != 1) return false;
  return true;
}

}  // namespace onyx::cpu
