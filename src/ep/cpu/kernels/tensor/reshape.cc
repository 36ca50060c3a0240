// Reshape (opset 1, 5, 13, 14): same buffer, new shape (the output aliases the input; no copy).
// The target shape is the `shape` attribute before opset 5 and the int64 `shape` input from opset 5.
// A 0 copies the input's dim at that index (unless allowzero=1, opset 14), one -1 is inferred.
// Variants: one.
#include <optional>

#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

Result<Shape> resolve_shape(const KernelContext& ctx, const Shape& in_shape, const std::vector<int64_t>& requested,
                            bool allow_zero) {
  Shape out(requested.size());
  int64_t infer_at = -1, known = 1;
  bool has_zero = false;
  auto mismatch = [&](const std::string& why) {
    return ctx.invalid("cannot reshape " + shape_to_string(in_shape) + " to " + shape_to_string(requested) + ": " +
                       why);
  };
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t d = requested[i];
    if (d == -1) {
      if (infer_at >= 0) return mismatch("more than one -1");
      infer_at = static_cast<int64_t>(i);
      continue;
    }
    if (d == 0 && !allow_zero) {
      if (i >= in_shape.size()) return mismatch("0 at index " + std::to_string(i) + " is past the input's rank");
      d = in_shape[i];
    }
    if (d < 0) return mismatch("negative dim " + std::to_string(d));
    has_zero = has_zero || d == 0;
    out[i] = d;
    known *= d;
  }
  if (allow_zero && has_zero && infer_at >= 0) return mismatch("-1 together with 0 under allowzero=1");
  const int64_t numel = shape_numel(in_shape);
  if (infer_at >= 0) {
    if (known == 0 || numel % known != 0)
      return mismatch("cannot infer the -1 dim from " + std::to_string(numel) + " elements");
    out[infer_at] = numel / known;
  } else if (known != numel) {
    return mismatch(std::to_string(numel) + " elements vs " + std::to_string(known));
  }
  return out;
}

class ReshapeKernel final : public Kernel {
 public:
  ReshapeKernel(std::optional<std::vector<int64_t>> shape_attr, bool allow_zero)
      : shape_attr_(std::move(shape_attr)), allow_zero_(allow_zero) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    std::vector<int64_t> requested;
    if (shape_attr_) {
      requested = *shape_attr_;
    } else {
      ONYX_ASSIGN_OR_RETURN(const Tensor* shape, required_input(ctx, 1));
      if (shape->dtype() != DType::kInt64) return ctx.invalid("shape must be int64, got " + dtype_name(shape->dtype()));
      ONYX_ASSIGN_OR_RETURN(requested, detail::read_int64s(ctx, *shape, "shape"));
    }
    ONYX_ASSIGN_OR_RETURN(Shape out, resolve_shape(ctx, x->shape(), requested, allow_zero_));
    ctx.set_output(0, x->reshaped(std::move(out)));
    return ok_status();
  }

 private:
  std::optional<std::vector<int64_t>> shape_attr_;  // opset < 5
  bool allow_zero_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_reshape(const KernelInfo& info) {
  std::optional<std::vector<int64_t>> shape_attr;
  if (info.opset < 5) {
    if (!info.node.has_attribute("shape")) return info.invalid("Reshape-1 needs a 'shape' attribute");
    shape_attr = info.node.attr_ints("shape");
  }
  const bool allow_zero = info.opset >= 14 && info.node.attr_int("allowzero", 0) != 0;
  return std::unique_ptr<Kernel>(std::make_unique<ReshapeKernel>(std::move(shape_attr), allow_zero));
}

}  // namespace onyx::cpu
