// Min, Max, Sum, Mean (opsets 1-17): 1..N inputs broadcast together (opset < 8 requires equal shapes; numpy
// broadcasting accepts those too). Same fold with a different functor, hence one file.
// Variants: one input -> output aliases it (no copy); otherwise out = op(in0, in1), then out = op(out, ink) in
// place for k >= 2 (each step a binary_apply over the full output shape); Mean divides at the end.
// Types: Min/Max/Sum all numeric dtypes, Mean float types. Min/Max propagate NaN (as numpy).
#include <vector>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

template <typename Types, bool kMean, typename Op>
Status compute_variadic(KernelContext& ctx, Op op) {
  std::vector<const Tensor*> inputs;
  std::vector<ShapeView> shapes;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    ONYX_ASSIGN_OR_RETURN(const Tensor* t, required_input(ctx, i));
    if (!inputs.empty()) ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, *inputs[0], *t, "input " + std::to_string(i)));
    inputs.push_back(t);
    shapes.push_back(t->shape());
  }
  if (inputs.empty()) return ctx.invalid("needs at least one input");
  const DType dtype = inputs[0]->dtype();
  auto out_shape = broadcast_shape(std::span<const ShapeView>(shapes));
  if (!out_shape.ok()) return ctx.invalid(out_shape.status().message());
  return visit(Types{}, dtype, ctx.node().op_type, [&]<typename T>() -> Status {
    if (inputs.size() == 1) {
      ctx.set_output(0, *inputs[0]);
      return ok_status();
    }
    Tensor& y = ctx.allocate_output(0, dtype, *out_shape);
    if (y.numel() == 0) return ok_status();
    T* out = y.data<T>();
    const auto fn = [&](Compute<T> a, Compute<T> b) { return op(a, b); };
    ONYX_ASSIGN_OR_RETURN(BroadcastPlan first, BroadcastPlan::make(*out_shape, {shapes[0], shapes[1]}));
    binary_apply(first, inputs[0]->data<T>(), inputs[1]->data<T>(), out, fn);
    for (size_t k = 2; k < inputs.size(); ++k) {
      ONYX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(*out_shape, {*out_shape, shapes[k]}));
      binary_apply(plan, static_cast<const T*>(out), inputs[k]->data<T>(), out, fn);
    }
    if constexpr (kMean) {
      const Compute<T> inv = Compute<T>(1) / static_cast<Compute<T>>(inputs.size());
      unary_apply(static_cast<const T*>(out), out, y.numel(), [inv](Compute<T> v) { return v * inv; });
    }
    return ok_status();
  });
}

Status compute_max(KernelContext& ctx) {
  return compute_variadic<NumericTypes, false>(ctx, [](auto a, auto b) { return (a > b || a != a) ? a : b; });
}
Status compute_min(KernelContext& ctx) {
  return compute_variadic<NumericTypes, false>(ctx, [](auto a, auto b) { return (a < b || a != a) ? a : b; });
}
Status compute_sum(KernelContext& ctx) {
  return compute_variadic<NumericTypes, false>(ctx, []<typename C>(C a, C b) { return wrap_add(a, b); });
}
Status compute_mean(KernelContext& ctx) {
  return compute_variadic<FloatTypes, true>(ctx, [](auto a, auto b) { return a + b; });
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_max(const KernelInfo&) { return make_function_kernel(&compute_max); }
Result<std::unique_ptr<Kernel>> create_min(const KernelInfo&) { return make_function_kernel(&compute_min); }
Result<std::unique_ptr<Kernel>> create_sum(const KernelInfo&) { return make_function_kernel(&compute_sum); }
Result<std::unique_ptr<Kernel>> create_mean(const KernelInfo&) { return make_function_kernel(&compute_mean); }

}  // namespace onyx::cpu
