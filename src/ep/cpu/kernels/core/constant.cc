// Constant (opset 1+): the tensor in `value` (or value_float(s) / value_int(s) since opset 12).
// Variants: one (the output shares the attribute's buffer; no copy per run).
#include "src/ep/cpu/kernels/core/core_kernels.h"

namespace onyx::cpu {

namespace {

class ConstantKernel final : public Kernel {
 public:
  explicit ConstantKernel(Tensor value) : value_(std::move(value)) {}
  Status compute(KernelContext& ctx) const override {
    ctx.set_output(0, value_);
    return ok_status();
  }

 private:
  Tensor value_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_constant(const KernelInfo& info) {
  const ir::Node& n = info.node;
  if (n.attributes.size() != 1) return info.invalid("Constant needs exactly one value attribute");
  const auto& [name, a] = *n.attributes.begin();
  using K = ir::Attribute::Kind;
  Tensor t;
  if (name == "value" && a.kind == K::kTensor) t = a.t;
  else if (name == "value_float" && a.kind == K::kFloat) t = Tensor::from_vector<float>({}, {a.f});
  else if (name == "value_floats" && a.kind == K::kFloats) t = Tensor::from_vector<float>({int64_t(a.floats.size())}, a.floats);
  else if (name == "value_int" && a.kind == K::kInt) t = Tensor::from_vector<int64_t>({}, {a.i});
  else if (name == "value_ints" && a.kind == K::kInts) t = Tensor::from_vector<int64_t>({int64_t(a.ints.size())}, a.ints);
  else return not_implemented(n.describe() + ": Constant attribute '" + name + "' (" +
                              ir::attribute_kind_name(a.kind) + ") is not supported");
  return std::unique_ptr<Kernel>(std::make_unique<ConstantKernel>(std::move(t)));
}

}  // namespace onyx::cpu
