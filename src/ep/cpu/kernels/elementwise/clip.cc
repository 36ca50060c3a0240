// Clip (opsets 1-17): y = min(max(x, lo), hi). Before opset 11 the bounds are float attributes `min`/`max`;
// from 11 they are optional one-element inputs 1 and 2 of x's dtype (omitted or empty = unbounded).
// When lo > hi every element becomes hi (spec, opset 13). NaN passes through.
// Variants: per dtype (all numeric dtypes; the spec has float types before opset 12), one contiguous loop.
#include <algorithm>
#include <limits>
#include <optional>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

class ClipKernel final : public Kernel {
 public:
  ClipKernel(bool bounds_are_inputs, std::optional<float> lo, std::optional<float> hi)
      : bounds_are_inputs_(bounds_are_inputs), lo_attr_(lo), hi_attr_(hi) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    return visit(NumericTypes{}, x->dtype(), "Clip", [&]<typename T>() -> Status {
      using C = Compute<T>;
      C lo = std::numeric_limits<C>::lowest();
      C hi = std::numeric_limits<C>::max();
      if (bounds_are_inputs_) {
        ONYX_RETURN_IF_ERROR(read_bound<T>(ctx, *x, 1, lo));
        ONYX_RETURN_IF_ERROR(read_bound<T>(ctx, *x, 2, hi));
      } else {
        if (lo_attr_) lo = static_cast<C>(*lo_attr_);
        if (hi_attr_) hi = static_cast<C>(*hi_attr_);
      }
      Tensor& y = ctx.allocate_output(0, x->dtype(), x->shape());
      unary_apply(x->data<T>(), y.data<T>(), x->numel(), [lo, hi](C v) { return std::min(std::max(v, lo), hi); });
      return ok_status();
    });
  }

 private:
  // Reads optional bound input i into `bound` (left unchanged when omitted or empty).
  template <typename T>
  static Status read_bound(const KernelContext& ctx, const Tensor& x, size_t i, Compute<T>& bound) {
    const Tensor* t = ctx.input(i);
    if (!t || t->numel() == 0) return ok_status();
    ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, x, *t, i == 1 ? "min" : "max"));
    if (t->numel() != 1)
      return ctx.invalid(std::string(i == 1 ? "min" : "max") + " must be a scalar, got shape " +
                         shape_to_string(t->shape()));
    bound = load(t->data<T>()[0]);
    return ok_status();
  }

  bool bounds_are_inputs_;
  std::optional<float> lo_attr_, hi_attr_;
};
}  // namespace

Result<std::unique_ptr<Kernel>> create_clip(const KernelInfo& info) {
  std::optional<float> lo, hi;
  if (info.node.has_attribute("min")) lo = info.node.attr_float("min", 0.0f);
  if (info.node.has_attribute("max")) hi = info.node.attr_float("max", 0.0f);
  return std::unique_ptr<Kernel>(std::make_unique<ClipKernel>(info.opset >= 11, lo, hi));
}

}  // namespace onyx::cpu
