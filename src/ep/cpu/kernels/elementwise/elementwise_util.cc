// Non-template parts of elementwise_util.h: dtype checks, legacy (opset < 7) broadcasting, the binary kernel.
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu::elementwise {

Status check_same_dtype(const KernelContext& ctx, const Tensor& first, const Tensor& other, std::string_view what) {
  if (first.dtype() == other.dtype()) return ok_status();
  return ctx.invalid(std::string(what) + " has dtype " + dtype_name(other.dtype()) + " but input 0 has " +
                     dtype_name(first.dtype()) + " (they must match)");
}

LegacyBroadcast LegacyBroadcast::from(const KernelInfo& info) {
  LegacyBroadcast lb;
  lb.active = info.opset < 7;
  lb.broadcast = info.node.attr_int("broadcast", 0) != 0;
  lb.has_axis = info.node.has_attribute("axis");
  lb.axis = info.node.attr_int("axis", 0);
  return lb;
}

Result<Shape> LegacyBroadcast::b_shape(const KernelContext& ctx, const Tensor& a, const Tensor& b) const {
  if (!active) return b.shape();
  if (!broadcast) {
    if (a.shape() != b.shape())
      return ctx.invalid("shapes " + shape_to_string(a.shape()) + " and " + shape_to_string(b.shape()) +
                         " differ and the broadcast attribute is 0 (opset < 7 broadcasts only when it is 1)");
    return b.shape();
  }
  const int64_t rank_a = static_cast<int64_t>(a.rank());
  const int64_t rank_b = static_cast<int64_t>(b.rank());
  const int64_t axis = !has_axis ? rank_a - rank_b : (this->axis < 0 ? this->axis + rank_a : this->axis);
  if (axis < 0 || axis + rank_b > rank_a)
    return ctx.invalid("B of shape " + shape_to_string(b.shape()) + " does not fit A of shape " +
                       shape_to_string(a.shape()) + " at axis " + std::to_string(axis));
  Shape s = b.shape();
  s.resize(static_cast<size_t>(rank_a - axis), 1);  // trailing 1s align B's dims at `axis`
  if (!broadcasts_to(s, a.shape()))
    return ctx.invalid("B of shape " + shape_to_string(b.shape()) + " does not broadcast to A of shape " +
                       shape_to_string(a.shape()) + " at axis " + std::to_string(axis));
  return s;
}

namespace {
class BinaryKernel final : public Kernel {
 public:
  BinaryKernel(LegacyBroadcast legacy, BinaryComputeFn fn) : legacy_(legacy), fn_(fn) {}
  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* b, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(Shape b_shape, legacy_.b_shape(ctx, *a, *b));
    return fn_(ctx, *a, a->shape(), *b, b_shape);
  }

 private:
  LegacyBroadcast legacy_;
  BinaryComputeFn fn_;
};
}  // namespace

Result<std::unique_ptr<Kernel>> make_binary_kernel(const KernelInfo& info, BinaryComputeFn fn) {
  return std::unique_ptr<Kernel>(std::make_unique<BinaryKernel>(LegacyBroadcast::from(info), fn));
}

}  // namespace onyx::cpu::elementwise
