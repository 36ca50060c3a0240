// Shared by SkipLayerNormalization and SkipSimplifiedLayerNormalization (the two differ in their inputs and in the
// row norm only): sum = input + skip (+ bias), then a layer norm or RMS norm over the last dimension.
//   inputs  LN:  input, skip, gamma, beta?, bias?        RMS: input, skip, gamma, bias?
//   outputs output, mean?, inv_std_var?, input_skip_bias_sum?   (mean / inv_std_var: input's shape with the last
//           dim 1, float32; the RMS variant writes mean = 0, it has none)
// skip is input-shaped or broadcasts over the leading dims ([B,S,H] input with [1,S,H] or [S,H] skip).
// Thread safety: compute keeps no state.
#pragma once

#include <algorithm>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/norm_rows.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu::contrib {

template <bool kSimplified>
class SkipNormKernel final : public Kernel {
 public:
  explicit SkipNormKernel(float epsilon) : epsilon_(epsilon) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* skip, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(const Tensor* gamma, required_input(ctx, 2));
    const Tensor* beta = kSimplified ? nullptr : ctx.input(3);
    const Tensor* bias = ctx.input(kSimplified ? 3 : 4);
    for (const Tensor* t : {x, skip, gamma, beta, bias})
      if (t && t->dtype() != DType::kFloat32)
        return not_implemented(ctx.node().describe() +
                               ": only float32 (and float16/bfloat16 via float32) is supported, got " +
                               dtype_name(t->dtype()));
    if (x->rank() < 1) return ctx.invalid("input must have at least 1 dimension");
    const int64_t h = x->dim(x->rank() - 1);
    // skip: same trailing dims as input, leading dims dropped or 1 (broadcast over the batch).
    // skip's dims after its leading 1s must equal input's trailing dims.
    size_t lead = 0;
    while (lead + 1 < skip->rank() && skip->dim(lead) == 1) ++lead;
    bool skip_ok = skip->rank() >= 1 && skip->rank() <= x->rank();
    for (size_t i = lead; skip_ok && i < skip->rank(); ++i)
      skip_ok = skip->dim(i) == x->dim(x->rank() - skip->rank() + i);
    if (!skip_ok || h == 0)
      return ctx.invalid("skip " + shape_to_string(skip->shape()) + " must have input's shape " +
                         shape_to_string(x->shape()) + " or broadcast over its leading dims ([1,S,H] or [S,H])");
    for (auto [t, name] : {std::pair{gamma, "gamma"}, std::pair{beta, "beta"}, std::pair{bias, "bias"}})
      if (t && t->numel() != h)
        return ctx.invalid(std::string(name) + " " + shape_to_string(t->shape()) + " must be 1-D of the hidden size " +
                           std::to_string(h));
    const int64_t rows = x->numel() / h;
    const int64_t skip_rows = skip->numel() / h;
    Shape stat_shape = x->shape();
    stat_shape.back() = 1;
    Tensor& y = ctx.allocate_output(0, DType::kFloat32, x->shape());
    float* mean_out =
        wants_output(ctx, 1) ? ctx.allocate_output(1, DType::kFloat32, stat_shape).data<float>() : nullptr;
    float* inv_out = wants_output(ctx, 2) ? ctx.allocate_output(2, DType::kFloat32, stat_shape).data<float>() : nullptr;
    float* sum_out = wants_output(ctx, 3) ? ctx.allocate_output(3, DType::kFloat32, x->shape()).data<float>() : nullptr;
    const float* xd = x->data<float>();
    const float* sd = skip->data<float>();
    const float* gd = gamma->data<float>();
    const float* bd = beta ? beta->data<float>() : nullptr;
    const float* biasd = bias ? bias->data<float>() : nullptr;
    float* yd = y.data<float>();
    const RowKernelsF32& k = row_kernels_f32();
    parallel_for(rows, std::max<int64_t>(1, 4096 / h), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const float* xr = xd + r * h;
        const float* sr = sd + (r % skip_rows) * h;
        float* sum = sum_out ? sum_out + r * h : yd + r * h;  // the norm then runs from sum into y
        if (biasd) {
          for (int64_t j = 0; j < h; ++j) sum[j] = xr[j] + sr[j] + biasd[j];
        } else {
          for (int64_t j = 0; j < h; ++j) sum[j] = xr[j] + sr[j];
        }
        float mean = 0.0f, inv;
        if constexpr (kSimplified) {
          inv = rms_norm_row(sum, gd, yd + r * h, h, epsilon_);
        } else {
          k.layer_norm(sum, gd, bd, yd + r * h, h, epsilon_, &mean, &inv);
        }
        if (mean_out) mean_out[r] = mean;
        if (inv_out) inv_out[r] = inv;
      }
    });
    return ok_status();
  }

 private:
  float epsilon_;
};

}  // namespace onyx::cpu::contrib
