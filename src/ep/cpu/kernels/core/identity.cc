// Identity (opset 1+): output 0 shares input 0's buffer (no copy).
#include "src/ep/cpu/kernels/core/core_kernels.h"

namespace onyx::cpu {

namespace {
Status compute_identity(KernelContext& ctx) {
  ctx.set_output(0, *ctx.input(0));
  return ok_status();
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_identity(const KernelInfo& info) { return make_function_kernel(&compute_identity); }

}  // namespace onyx::cpu
