// Shape (opset 1, 13, 15): the input's dims as a 1-D int64 tensor; `start` / `end` (opset 15) pick a
// clamped sub-range (negative values count from the back).
// Variants: one.
#include <algorithm>
#include <optional>

#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class ShapeKernel final : public Kernel {
 public:
  ShapeKernel(int64_t start, std::optional<int64_t> end) : start_(start), end_(end) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    const int64_t rank = static_cast<int64_t>(x->rank());
    auto clamp = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
    const int64_t begin = clamp(start_);
    const int64_t end = std::max(begin, clamp(end_.value_or(rank)));
    Tensor& y = ctx.allocate_output(0, DType::kInt64, {end - begin});
    std::copy(x->shape().begin() + begin, x->shape().begin() + end, y.data<int64_t>());
    return ok_status();
  }

 private:
  int64_t start_;
  std::optional<int64_t> end_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_shape(const KernelInfo& info) {
  const ir::Node& n = info.node;
  std::optional<int64_t> end;
  if (n.has_attribute("end")) end = n.attr_int("end", 0);
  return std::unique_ptr<Kernel>(std::make_unique<ShapeKernel>(n.attr_int("start", 0), end));
}

}  // namespace onyx::cpu
