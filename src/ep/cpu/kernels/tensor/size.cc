// Size (opset 1, 13): the input's element count as an int64 scalar.
// Variants: one.
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

Status compute_size(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  ctx.allocate_output(0, DType::kInt64, {}).data<int64_t>()[0] = x->numel();
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_size(const KernelInfo& info) { return make_function_kernel(&compute_size); }

}  // namespace onyx::cpu
