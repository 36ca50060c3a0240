// Dropout (opset 1, 6, 7, 10, 12, 13).
// Inference (every opset before 12; from 12 when training_mode is absent or false; or ratio == 0): the
// output aliases the input and the optional mask is all-true (bool from opset 10, the input's dtype with
// value 1 before 10).
// Training (opset 12+, training_mode = true, ratio > 0): element i is kept when u_i >= ratio and then
// scaled by 1 / (1 - ratio), where u_i are numpy's legacy uniform doubles (np.random.seed(seed);
// np.random.uniform(0, 1, shape): MT19937 seeded with init_genrand, 53 bits from two draws), so with the
// `seed` attribute the mask matches ONNX's reference implementation; without it the seed is random.
// Variants: one.
#include <cstring>
#include <random>

#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

template <typename T>
T from_float(float v) {
  if constexpr (std::is_same_v<T, Float16>) return to_float16(v);
  else if constexpr (std::is_same_v<T, BFloat16>) return to_bfloat16(v);
  else return static_cast<T>(v);
}

template <typename T>
float as_float(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) return to_float(v);
  else return static_cast<float>(v);
}

class DropoutKernel final : public Kernel {
 public:
  DropoutKernel(int64_t opset, float ratio, std::optional<int64_t> seed) : opset_(opset), ratio_(ratio), seed_(seed) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    float ratio = ratio_;
    bool training = false;
    if (opset_ >= 12) {
      if (const Tensor* r = ctx.input(1)) {
        if (r->numel() != 1) return ctx.invalid("ratio must be a scalar, got shape " + shape_to_string(r->shape()));
        const Status read = visit_dtype<float, double, Float16, BFloat16>(r->dtype(), "Dropout ratio", [&]<typename R>() {
          ratio = as_float(r->data<R>()[0]);
          return ok_status();
        });
        ONYX_RETURN_IF_ERROR(read);
      }
      if (const Tensor* t = ctx.input(2)) {
        if (t->dtype() != DType::kBool || t->numel() != 1)
          return ctx.invalid("training_mode must be a bool scalar");
        training = t->data<bool>()[0];
      }
    }
    if (!(ratio >= 0.0f && ratio <= 1.0f)) return ctx.invalid("ratio must be in [0, 1], got " + std::to_string(ratio));
    const bool want_mask = ctx.num_outputs() > 1 && ctx.node().outputs.size() > 1 && !ctx.node().outputs[1].empty();
    if (training && ratio > 0.0f) return compute_training(ctx, *x, ratio, want_mask);

    ctx.set_output(0, *x);
    if (!want_mask) return ok_status();
    if (opset_ >= 10) {
      Tensor& mask = ctx.allocate_output(1, DType::kBool, x->shape());
      std::memset(mask.raw_data(), 1, static_cast<size_t>(mask.numel()));
      return ok_status();
    }
    Tensor& mask = ctx.allocate_output(1, x->dtype(), x->shape());
    return visit_dtype<float, double, Float16>(x->dtype(), "Dropout", [&]<typename T>() {
      std::fill_n(mask.data<T>(), mask.numel(), from_float<T>(1.0f));
      return ok_status();
    });
  }

 private:
  Status compute_training(KernelContext& ctx, const Tensor& x, float ratio, bool want_mask) const {
    std::mt19937 rng(seed_ ? static_cast<uint32_t>(*seed_) : std::random_device{}());
    const float scale = ratio >= 1.0f ? 0.0f : 1.0f / (1.0f - ratio);
    return visit_dtype<float, double, Float16, BFloat16>(x.dtype(), "Dropout", [&]<typename T>() {
      Tensor& y = ctx.allocate_output(0, x.dtype(), x.shape());
      bool* mask = want_mask ? ctx.allocate_output(1, DType::kBool, x.shape()).template data<bool>() : nullptr;
      const T* src = x.data<T>();
      T* dst = y.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const uint32_t a = rng() >> 5, b = rng() >> 6;
        const bool k = (a * 67108864.0 + b) / 9007199254740992.0 >= static_cast<double>(ratio);
        if (mask) mask[i] = k;
        if constexpr (std::is_same_v<T, double>) dst[i] = k ? src[i] * static_cast<double>(scale) : 0.0;
        else dst[i] = from_float<T>(k ? as_float(src[i]) * scale : 0.0f);
      }
      return ok_status();
    });
  }

  int64_t opset_;
  float ratio_;  // the attribute (opset < 12); 0.5 by default
  std::optional<int64_t> seed_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_dropout(const KernelInfo& info) {
  std::optional<int64_t> seed;
  if (info.node.has_attribute("seed")) seed = info.node.attr_int("seed", 0);
  const float ratio = info.opset < 12 ? info.node.attr_float("ratio", 0.5f) : 0.5f;
  return std::unique_ptr<Kernel>(std::make_unique<DropoutKernel>(info.opset, ratio, seed));
}

}  // namespace onyx::cpu
