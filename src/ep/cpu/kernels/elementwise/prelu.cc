// PRelu (opsets 1-17): y = x < 0 ? slope * x : x, slope broadcast unidirectionally to x's shape.
// Variants: per dtype (all numeric dtypes; float types before opset 16 in the spec), per row shape
// (binary_apply: a per-channel slope [C,1,1] or a scalar slope becomes one value per row).
#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

Status compute_prelu(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* slope, required_input(ctx, 1));
  ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, *x, *slope, "slope"));
  if (!broadcasts_to(slope->shape(), x->shape()))
    return ctx.invalid("slope of shape " + shape_to_string(slope->shape()) + " does not broadcast to X of shape " +
                       shape_to_string(x->shape()));
  return visit(NumericTypes{}, x->dtype(), "PRelu", [&]<typename T>() {
    using C = Compute<T>;
    return binary_compute<T, T, T>(ctx, *x, x->shape(), *slope, slope->shape(),
                                   [](C v, C s) { return v < C(0) ? wrap_mul(s, v) : v; });
  });
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_prelu(const KernelInfo& info) { return make_function_kernel(&compute_prelu); }

}  // namespace onyx::cpu
