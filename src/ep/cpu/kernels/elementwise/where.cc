// Where (opsets 9-17): out = condition ? X : Y, the three inputs broadcast together (numpy rules).
// Variants: elements move as opaque 1/2/4/8-byte words, so every fixed-size dtype works (incl. float16,
// bfloat16, bool); per row: all three contiguous (tight loop) or any broadcast (strided by 0/1).
#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

template <typename U>
void where_rows(const BroadcastPlan& plan, const uint8_t* cond, const U* x, const U* y, U* out) {
  const int64_t n = plan.inner();
  const int64_t sc = plan.inner_stride(0), sx = plan.inner_stride(1), sy = plan.inner_stride(2);
  plan.parallel_rows([&](int64_t row, const int64_t* off) {
    const uint8_t* pc = cond + off[0];
    const U* px = x + off[1];
    const U* py = y + off[2];
    U* po = out + row * n;
    if (sc == 1 && sx == 1 && sy == 1) {
      for (int64_t i = 0; i < n; ++i) po[i] = pc[i] ? px[i] : py[i];
    } else {
      for (int64_t i = 0; i < n; ++i) po[i] = pc[i * sc] ? px[i * sx] : py[i * sy];
    }
  });
}

Status compute_where(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* cond, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 1));
  ONYX_ASSIGN_OR_RETURN(const Tensor* y, required_input(ctx, 2));
  if (cond->dtype() != DType::kBool) return ctx.invalid("condition must be bool, got " + dtype_name(cond->dtype()));
  ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, *x, *y, "Y"));
  auto out_shape = broadcast_shape({cond->shape(), x->shape(), y->shape()});
  if (!out_shape.ok()) return ctx.invalid(out_shape.status().message());
  ONYX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(*out_shape, {cond->shape(), x->shape(), y->shape()}));
  const size_t elem_size = dtype_size(x->dtype());
  const auto visit_words = [&]<typename U>() -> Status {
    Tensor& out = ctx.allocate_output(0, x->dtype(), *out_shape);
    if (plan.numel() > 0) where_rows(plan, cond->data<uint8_t>(), x->data<U>(), y->data<U>(), out.data<U>());
    return ok_status();
  };
  switch (elem_size) {
    case 1:
      return visit_words.operator()<uint8_t>();
    case 2:
      return visit_words.operator()<uint16_t>();
    case 4:
      return visit_words.operator()<uint32_t>();
    case 8:
      return visit_words.operator()<uint64_t>();
    default:
      return not_implemented(ctx.node().describe() + ": dtype " + dtype_name(x->dtype()) + " is not supported");
  }
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_where(const KernelInfo&) { return make_function_kernel(&compute_where); }

}  // namespace onyx::cpu
