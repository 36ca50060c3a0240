// ArgMax and ArgMin (opset 1, 11, 12, 13; one kernel, they differ in the comparison): int64 index of the first
// (or with select_last_index, opset 12+, the last) extreme value along `axis`; keepdims keeps the axis as 1.
// Variants: one strided loop over [outer, inner] positions (inner == 1 reads contiguous rows).
#include <string>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu {

namespace {

class ArgReduceKernel final : public Kernel {
 public:
  ArgReduceKernel(bool is_max, int64_t axis, bool keepdims, bool select_last)
      : is_max_(is_max), axis_(axis), keepdims_(keepdims), select_last_(select_last) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    int64_t axis = axis_;
    if (!math::normalize_axis(axis, static_cast<int64_t>(x->rank())))
      return ctx.invalid("axis " + std::to_string(axis_) + " is out of range for input shape " +
                         shape_to_string(x->shape()));
    const math::AxisView v = math::axis_view(x->shape(), static_cast<size_t>(axis));
    Shape out_shape = x->shape();
    if (keepdims_) out_shape[axis] = 1;
    else out_shape.erase(out_shape.begin() + axis);
    Tensor& y = ctx.allocate_output(0, DType::kInt64, out_shape);
    if (y.numel() == 0) return ok_status();
    if (v.dim == 0) return ctx.invalid("cannot take the arg extreme of an empty axis");
    return visit_dtype<float, double, int32_t, int64_t, uint32_t, uint64_t, int8_t, uint8_t>(
        x->dtype(), is_max_ ? "ArgMax" : "ArgMin", [&]<typename T>() -> Status {
          const T* xd = x->data<T>();
          int64_t* yd = y.data<int64_t>();
          parallel_for(v.outer * v.inner, 1024, [&](int64_t b, int64_t e) {
            for (int64_t t = b; t < e; ++t) {
              const T* base = xd + (t / v.inner) * v.dim * v.inner + t % v.inner;
              int64_t best = 0;
              T best_v = base[0];
              for (int64_t j = 1; j < v.dim; ++j) {
                const T cur = base[j * v.inner];
                const bool better = is_max_ ? (select_last_ ? cur >= best_v : cur > best_v)
                                            : (select_last_ ? cur <= best_v : cur < best_v);
                if (better) {
                  best = j;
                  best_v = cur;
                }
              }
              yd[t] = best;
            }
          });
          return ok_status();
        });
  }

 private:
  bool is_max_;
  int64_t axis_;
  bool keepdims_;
  bool select_last_;
};

Result<std::unique_ptr<Kernel>> create(const KernelInfo& info, bool is_max) {
  const ir::Node& n = info.node;
  return std::unique_ptr<Kernel>(std::make_unique<ArgReduceKernel>(
      is_max, n.attr_int("axis", 0), n.attr_int("keepdims", 1) != 0, n.attr_int("select_last_index", 0) != 0));
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_arg_max(const KernelInfo& info) { return create(info, true); }
Result<std::unique_ptr<Kernel>> create_arg_min(const KernelInfo& info) { return create(info, false); }

}  // namespace onyx::cpu
