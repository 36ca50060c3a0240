// SimplifiedLayerNormalization (ONNX domain, registered by ONNX Runtime as a contrib op; RMSNorm):
//   Y = X / sqrt(mean(X^2 over dims [axis, rank)) + epsilon) * scale
// Attributes axis (-1), epsilon (1e-5), stash_type (1 = float; others NotImplemented). Optional output 1
// inv_std_var: X's shape with the normalized dims set to 1, float32.
// Variants:
//   float32  one row per normalized group, rows in parallel (float16/bfloat16 through the half bridge)
#include <algorithm>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/norm_rows.h"

namespace onyx::cpu {

namespace {

class SimplifiedLayerNormKernel final : public Kernel {
 public:
  SimplifiedLayerNormKernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* scale, required_input(ctx, 1));
    if (x->dtype() != DType::kFloat32 || scale->dtype() != DType::kFloat32)
      return not_implemented(ctx.node().describe() + ": only float32 (and float16/bfloat16 via float32) is supported");
    const int64_t rank = static_cast<int64_t>(x->rank());
    int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    if (axis < 0 || axis >= rank)
      return ctx.invalid("axis " + std::to_string(axis_) + " is out of range for input " + shape_to_string(x->shape()));
    int64_t d = 1;
    for (int64_t i = axis; i < rank; ++i) d *= x->dim(static_cast<size_t>(i));
    if (scale->numel() != d)
      return ctx.invalid("scale " + shape_to_string(scale->shape()) + " must have the normalized size " +
                         std::to_string(d) + " (input " + shape_to_string(x->shape()) + ", axis " +
                         std::to_string(axis_) + ")");
    const int64_t rows = d == 0 ? 0 : x->numel() / d;
    Shape stat_shape = x->shape();
    for (int64_t i = axis; i < rank; ++i) stat_shape[static_cast<size_t>(i)] = 1;
    Tensor& y = ctx.allocate_output(0, DType::kFloat32, x->shape());
    float* inv_out = wants_output(ctx, 1) ? ctx.allocate_output(1, DType::kFloat32, stat_shape).data<float>() : nullptr;
    const float* xd = x->data<float>();
    const float* sd = scale->data<float>();
    float* yd = y.data<float>();
    parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, d)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const float inv = contrib::rms_norm_row(xd + r * d, sd, yd + r * d, d, epsilon_);
        if (inv_out) inv_out[r] = inv;
      }
    });
    return ok_status();
  }

 private:
  int64_t axis_;
  float epsilon_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_simplified_layer_normalization(const KernelInfo& info) {
  const int64_t stash = info.node.attr_int("stash_type", 1);
  if (stash != 1)
    return not_implemented(info.node.describe() + ": stash_type " + std::to_string(stash) +
                           " is not supported (only 1 = float)");
  return std::unique_ptr<Kernel>(std::make_unique<SimplifiedLayerNormKernel>(info.node.attr_int("axis", -1),
                                                                             info.node.attr_float("epsilon", 1e-5f)));
}

}  // namespace onyx::cpu
