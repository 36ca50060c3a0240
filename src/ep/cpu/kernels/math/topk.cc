// TopK (opset 1, 10, 11): the k largest (or, with largest = 0 from opset 11, smallest) values along `axis` and
// their int64 indices; equal values keep the lower index first. k is an attribute in opset 1 and a one-element
// int64 input from opset 10. The output is always sorted (sorted = 0 leaves the order unspecified).
// Variants: one partial_sort of (value, index) pairs per [outer, inner] position.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu {

namespace {

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  else return false;
}

class TopKKernel final : public Kernel {
 public:
  TopKKernel(int64_t k_attr, int64_t axis, bool largest) : k_attr_(k_attr), axis_(axis), largest_(largest) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    int64_t k = k_attr_;
    if (k < 0) {
      ONYX_ASSIGN_OR_RETURN(const Tensor* k_t, required_input(ctx, 1));
      ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> kv, math::read_int64s(ctx, *k_t, "K"));
      if (kv.size() != 1) return ctx.invalid("K must hold one value, got shape " + shape_to_string(k_t->shape()));
      k = kv[0];
    }
    int64_t axis = axis_;
    if (!math::normalize_axis(axis, static_cast<int64_t>(x->rank())))
      return ctx.invalid("axis " + std::to_string(axis_) + " is out of range for input shape " +
                         shape_to_string(x->shape()));
    const math::AxisView v = math::axis_view(x->shape(), static_cast<size_t>(axis));
    if (k < 0 || k > v.dim)
      return ctx.invalid("k = " + std::to_string(k) + " must be in [0, " + std::to_string(v.dim) + "] for axis " +
                         std::to_string(axis) + " of shape " + shape_to_string(x->shape()));
    Shape out_shape = x->shape();
    out_shape[axis] = k;
    Tensor& values = ctx.allocate_output(0, x->dtype(), out_shape);
    Tensor& indices = ctx.allocate_output(1, DType::kInt64, out_shape);
    if (values.numel() == 0) return ok_status();
    return visit_dtype<float, double, int32_t, int64_t, uint32_t, uint64_t, int8_t, uint8_t>(
        x->dtype(), "TopK", [&]<typename T>() -> Status {
          const T* xd = x->data<T>();
          T* vd = values.data<T>();
          int64_t* id = indices.data<int64_t>();
          parallel_for(v.outer * v.inner, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, v.dim)),
                       [&](int64_t b, int64_t e) {
                         std::vector<std::pair<T, int64_t>> items(static_cast<size_t>(v.dim));
                         for (int64_t t = b; t < e; ++t) {
                           const int64_t o = t / v.inner, i = t % v.inner;
                           const T* base = xd + o * v.dim * v.inner + i;
                           for (int64_t j = 0; j < v.dim; ++j) items[j] = {base[j * v.inner], j};
                           // NaN orders above every number (as numpy / PyTorch sort), keeping a strict weak order
                           auto before = [&](const std::pair<T, int64_t>& p, const std::pair<T, int64_t>& q) {
                             const bool pn = is_nan(p.first), qn = is_nan(q.first);
                             if (pn != qn) return largest_ ? pn : qn;
                             if (!pn && p.first != q.first) return largest_ ? p.first > q.first : p.first < q.first;
                             return p.second < q.second;
                           };
                           std::partial_sort(items.begin(), items.begin() + k, items.end(), before);
                           const int64_t out_base = o * k * v.inner + i;
                           for (int64_t j = 0; j < k; ++j) {
                             vd[out_base + j * v.inner] = items[j].first;
                             id[out_base + j * v.inner] = items[j].second;
                           }
                         }
                       });
          return ok_status();
        });
  }

 private:
  int64_t k_attr_;  // -1: read input K
  int64_t axis_;
  bool largest_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_top_k(const KernelInfo& info) {
  const ir::Node& n = info.node;
  int64_t k_attr = -1;
  if (info.opset < 10) {
    k_attr = n.attr_int("k", -1);
    if (k_attr < 0) return info.invalid("attribute k is required (and must be >= 0) before opset 10");
  }
  return std::unique_ptr<Kernel>(
      std::make_unique<TopKKernel>(k_attr, n.attr_int("axis", -1), info.opset < 11 || n.attr_int("largest", 1) != 0));
}

}  // namespace onyx::cpu
