// Expand (opset 8, 13): broadcast the input to `shape` with numpy's bidirectional rule (the output shape is
// broadcast(input.shape, shape), so a 1 in `shape` keeps the input's dim).
// Variants: one (strided_copy with stride 0 on broadcast dims: fills when the innermost dim broadcasts,
// memcpy rows otherwise).
#include <algorithm>

#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

Status compute_expand(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* shape, required_input(ctx, 1));
  ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
  ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> target, detail::read_int64s(ctx, *shape, "shape"));
  const size_t in_rank = x->rank();
  const size_t rank = std::max(in_rank, target.size());
  const std::vector<int64_t> in_strides = detail::contiguous_strides(x->shape());
  Shape out_shape(rank);
  std::vector<int64_t> strides(rank, 0);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t in_dim = k + in_rank >= rank ? x->dim(k + in_rank - rank) : 1;
    const int64_t want = k + target.size() >= rank ? target[k + target.size() - rank] : 1;
    if (in_dim != want && in_dim != 1 && want != 1)
      return ctx.invalid("cannot expand shape " + shape_to_string(x->shape()) + " to " + shape_to_string(target) +
                         ": dims " + std::to_string(in_dim) + " and " + std::to_string(want) + " do not broadcast");
    if (want < 0) return ctx.invalid("shape " + shape_to_string(target) + " has a negative dim");
    out_shape[k] = in_dim == 1 ? want : in_dim;
    if (in_dim != 1) strides[k] = in_strides[k + in_rank - rank];
  }
  Tensor& y = ctx.allocate_output(0, x->dtype(), out_shape);
  detail::strided_copy(x->raw_data(), y.raw_data(), out_shape, strides, elem_size);
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_expand(const KernelInfo& info) { return make_function_kernel(&compute_expand); }

}  // namespace onyx::cpu
