// Equal, Less, Greater, LessOrEqual, GreaterOrEqual: the same broadcast loop with a different predicate and a
// bool output, hence one file. Opset 1 uses the legacy `broadcast`/`axis` attributes.
// Variants: per dtype (all numeric dtypes; Equal also bool), per row shape (binary_apply).
// NaN compares unequal / unordered (IEEE), as numpy.
#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

template <typename Types, typename Pred>
Status compute_compare(KernelContext& ctx, const Tensor& a, ShapeView a_shape, const Tensor& b, ShapeView b_shape,
                       Pred pred) {
  ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, a, b, "input 1"));
  return visit(Types{}, a.dtype(), ctx.node().op_type, [&]<typename T>() {
    return binary_compute<T, T, bool>(ctx, a, a_shape, b, b_shape,
                                      [&](Compute<T> x, Compute<T> y) -> bool { return pred(x, y); });
  });
}

Status compute_equal(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_compare<NumericAndBoolTypes>(ctx, a, as, b, bs, [](auto x, auto y) { return x == y; });
}
Status compute_less(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_compare<NumericTypes>(ctx, a, as, b, bs, [](auto x, auto y) { return x < y; });
}
Status compute_greater(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_compare<NumericTypes>(ctx, a, as, b, bs, [](auto x, auto y) { return x > y; });
}
Status compute_less_or_equal(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_compare<NumericTypes>(ctx, a, as, b, bs, [](auto x, auto y) { return x <= y; });
}
Status compute_greater_or_equal(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_compare<NumericTypes>(ctx, a, as, b, bs, [](auto x, auto y) { return x >= y; });
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_equal(const KernelInfo& info) {
  return make_binary_kernel(info, &compute_equal);
}
Result<std::unique_ptr<Kernel>> create_less(const KernelInfo& info) { return make_binary_kernel(info, &compute_less); }
Result<std::unique_ptr<Kernel>> create_greater(const KernelInfo& info) {
  return make_binary_kernel(info, &compute_greater);
}
Result<std::unique_ptr<Kernel>> create_less_or_equal(const KernelInfo& info) {
  return make_binary_kernel(info, &compute_less_or_equal);
}
Result<std::unique_ptr<Kernel>> create_greater_or_equal(const KernelInfo& info) {
  return make_binary_kernel(info, &compute_greater_or_equal);
}

}  // namespace onyx::cpu
