// Not, And, Or, Xor on bool tensors: one-line functors over the unary / broadcast binary loops, one file.
// And/Or/Xor opset 1 use the legacy `broadcast`/`axis` attributes.
// Variants: bool only (the spec's only type), per row shape (binary_apply).
#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

template <typename Op>
Status compute_logical(KernelContext& ctx, const Tensor& a, ShapeView a_shape, const Tensor& b, ShapeView b_shape,
                       Op op) {
  ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, a, b, "input 1"));
  return visit(TypeList<bool>{}, a.dtype(), ctx.node().op_type,
               [&]<typename T>() { return binary_compute<bool, bool, bool>(ctx, a, a_shape, b, b_shape, op); });
}

Status compute_and(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_logical(ctx, a, as, b, bs, [](bool x, bool y) { return x && y; });
}
Status compute_or(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_logical(ctx, a, as, b, bs, [](bool x, bool y) { return x || y; });
}
Status compute_xor(KernelContext& ctx, const Tensor& a, ShapeView as, const Tensor& b, ShapeView bs) {
  return compute_logical(ctx, a, as, b, bs, [](bool x, bool y) { return x != y; });
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_and(const KernelInfo& info) { return make_binary_kernel(info, &compute_and); }
Result<std::unique_ptr<Kernel>> create_or(const KernelInfo& info) { return make_binary_kernel(info, &compute_or); }
Result<std::unique_ptr<Kernel>> create_xor(const KernelInfo& info) { return make_binary_kernel(info, &compute_xor); }
Result<std::unique_ptr<Kernel>> create_not(const KernelInfo&) {
  return make_unary_kernel<TypeList<bool>>([](bool x) { return !x; });
}

}  // namespace onyx::cpu
