// Add, Sub, Mul, Div (opsets 1-17): the same broadcast loop with a different functor, hence one file.
// Variants: per dtype (float32/float64/float16/bfloat16, int8..int64, uint8..uint64), per row shape
// (see elementwise_util.h binary_apply). Opsets 1 and 6 use the legacy `broadcast`/`axis` attributes.
// Integers wrap on overflow; integer Div truncates toward zero (C semantics, as ONNX Runtime), and x / 0
// gives 0 for integers instead of trapping (the spec leaves it undefined).
#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

template <typename Op>
Status compute_arith(KernelContext& ctx, const Tensor& a, ShapeView a_shape, const Tensor& b, ShapeView b_shape,
                     std::string_view name, Op op) {
  ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, a, b, "input 1"));
  return visit(NumericTypes{}, a.dtype(), name, [&]<typename T>() {
    return binary_compute<T, T, T>(ctx, a, a_shape, b, b_shape, [&](Compute<T> x, Compute<T> y) { return op(x, y); });
  });
}

template <typename T>
T int_div(T a, T b) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return wrap_sub<T>(0, a);  // avoids the INT_MIN / -1 trap
  }
  return static_cast<T>(a / b);
}

Status compute_add(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_arith(ctx, a, as, b, bs, "Add", []<typename C>(C x, C y) { return wrap_add(x, y); });
}
Status compute_sub(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_arith(ctx, a, as, b, bs, "Sub", []<typename C>(C x, C y) { return wrap_sub(x, y); });
}
Status compute_mul(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_arith(ctx, a, as, b, bs, "Mul", []<typename C>(C x, C y) { return wrap_mul(x, y); });
}
Status compute_div(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_arith(ctx, a, as, b, bs, "Div", []<typename C>(C x, C y) {
    if constexpr (std::is_integral_v<C>)
      return int_div(x, y);
    else
      return x / y;
  });
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_add(const KernelInfo& info) { return make_binary_kernel(info, &compute_add); }
Result<std::unique_ptr<Kernel>> create_sub(const KernelInfo& info) { return make_binary_kernel(info, &compute_sub); }
Result<std::unique_ptr<Kernel>> create_mul(const KernelInfo& info) { return make_binary_kernel(info, &compute_mul); }
Result<std::unique_ptr<Kernel>> create_div(const KernelInfo& info) { return make_binary_kernel(info, &compute_div); }

}  // namespace onyx::cpu
