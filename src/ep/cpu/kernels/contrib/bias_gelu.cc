// BiasGelu (com.microsoft): C = Gelu(A + B) with B 1-D over A's last dimension, erf formula (as Gelu).
// Variants:
//   float32  fused bias add + erf per row through row_kernels_f32() (AVX-512 rational erf, or std::erf), rows in
//            parallel
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/gelu_common.h"

namespace onyx::cpu {

namespace {
Status compute_bias_gelu(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* b, required_input(ctx, 1));
  return contrib::gelu_with_bias<contrib::GeluKind::kErf>(ctx, *a, b, "BiasGelu");
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_bias_gelu(const KernelInfo&) { return make_function_kernel(&compute_bias_gelu); }

}  // namespace onyx::cpu
