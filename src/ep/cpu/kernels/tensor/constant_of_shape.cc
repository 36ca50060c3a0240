// ConstantOfShape (opset 9): a tensor of the int64 input `shape`, filled with the one-element `value`
// attribute (dtype included; default float32 0).
// Variants: one.
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class ConstantOfShapeKernel final : public Kernel {
 public:
  explicit ConstantOfShapeKernel(Tensor value) : value_(std::move(value)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* shape, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> dims, detail::read_int64s(ctx, *shape, "shape"));
    for (int64_t d : dims)
      if (d < 0) return ctx.invalid("shape " + shape_to_string(dims) + " has a negative dim");
    Tensor& y = ctx.allocate_output(0, value_.dtype(), dims);
    detail::fill_elements(y.raw_data(), value_.raw_data(), y.numel(), dtype_size(value_.dtype()));
    return ok_status();
  }

 private:
  Tensor value_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_constant_of_shape(const KernelInfo& info) {
  Tensor value = Tensor::from_vector<float>({1}, {0.0f});
  if (const ir::Attribute* a = info.node.find_attribute("value")) {
    if (a->kind != ir::Attribute::Kind::kTensor || a->t.numel() != 1)
      return info.invalid("'value' must be a one-element tensor");
    value = a->t;
  }
  const size_t size = dtype_size(value.dtype());
  if (size != 1 && size != 2 && size != 4 && size != 8)
    return not_implemented(info.node.describe() + ": value dtype " + dtype_name(value.dtype()) + " is not supported");
  return std::unique_ptr<Kernel>(std::make_unique<ConstantOfShapeKernel>(std::move(value)));
}

}  // namespace onyx::cpu
