// Gelu (com.microsoft): Y = 0.5 X (1 + erf(X / sqrt 2)), the exact GELU.
// Variants:
//   float32  erf per row through row_kernels_f32() (AVX-512 rational erf, or std::erf), rows in parallel
//            (float16/bfloat16 through the half bridge)
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/gelu_common.h"

namespace onyx::cpu {

namespace {
Status compute_gelu(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  return contrib::gelu_with_bias<contrib::GeluKind::kErf>(ctx, *x, nullptr, "Gelu");
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_gelu(const KernelInfo&) { return make_function_kernel(&compute_gelu); }

}  // namespace onyx::cpu
