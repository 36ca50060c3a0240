// FastGelu (com.microsoft): Y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) with x = X + bias, the optional
// bias 1-D over X's last dimension (the tanh approximation of GELU).
// Variants:
//   float32  fused bias add + tanh-GELU per row through row_kernels_f32() (AVX-512: v / (1 + exp(-2u)), or
//            std::tanh), rows in parallel
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/gelu_common.h"

namespace onyx::cpu {

namespace {
Status compute_fast_gelu(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  return contrib::gelu_with_bias<contrib::GeluKind::kTanh>(ctx, *x, ctx.input(1), "FastGelu");
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_fast_gelu(const KernelInfo&) { return make_function_kernel(&compute_fast_gelu); }

}  // namespace onyx::cpu
