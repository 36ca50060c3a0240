// LayerNormalization (opset 17): normalise over dims [axis, rank) then Y = normalized * Scale + B.
// Optional outputs Mean and InvStdDev have X's shape with the normalised dims set to 1, dtype float
// (stash_type 1, the only U besides bfloat16). float X accumulates in float with a two-pass mean/variance;
// double X computes in double.
// Variants:
//   rows       Scale/B have exactly the normalised size (the transformer case): contiguous per-row loops;
//              float32 rows run on row_kernels_f32().layer_norm (AVX-512 when the CPU has it)
//   broadcast  Scale/B that only broadcast to the normalised shape are expanded once per run, then rows
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu {

namespace {

// Values of `t` broadcast (numpy, right-aligned) to `shape`, or an error naming `what`.
template <typename T>
Result<std::vector<T>> broadcast_to(const KernelContext& ctx, const Tensor& t, std::span<const int64_t> shape,
                                    const char* what) {
  const size_t r = shape.size();
  const size_t extra = t.rank() > r ? t.rank() - r : 0;  // leading dims beyond the normalized ones must be 1
  for (size_t i = 0; i < extra; ++i)
    if (t.dim(i) != 1)
      return ctx.invalid(std::string(what) + " " + shape_to_string(t.shape()) +
                         " does not broadcast to the normalized shape " + shape_to_string(shape));
  std::vector<int64_t> strides(r, 0);
  int64_t s = 1;
  for (size_t i = t.rank(); i-- > extra;) {
    const size_t o = r + i - t.rank();
    if (t.dim(i) != 1 && t.dim(i) != shape[o])
      return ctx.invalid(std::string(what) + " " + shape_to_string(t.shape()) +
                         " does not broadcast to the normalized shape " + shape_to_string(shape));
    strides[o] = t.dim(i) == 1 ? 0 : s;
    s *= t.dim(i);
  }
  const int64_t n = shape_numel(shape);
  std::vector<T> out(static_cast<size_t>(n));
  const T* src = t.data<T>();
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rem = flat, off = 0;
    for (size_t d = r; d-- > 0;) {
      off += (rem % shape[d]) * strides[d];
      rem /= shape[d];
    }
    out[static_cast<size_t>(flat)] = src[off];
  }
  return out;
}

// True when `a` equals `norm` once leading 1s are dropped from both (then it can be read as is).
bool same_trailing_shape(std::span<const int64_t> a, std::span<const int64_t> norm) {
  while (!a.empty() && a.front() == 1) a = a.subspan(1);
  while (!norm.empty() && norm.front() == 1) norm = norm.subspan(1);
  return std::equal(a.begin(), a.end(), norm.begin(), norm.end());
}

class LayerNormKernel final : public Kernel {
 public:
  LayerNormKernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* scale, required_input(ctx, 1));
    const Tensor* bias = ctx.input(2);
    const Tensor* xsb[] = {x, scale, bias};
    ONYX_RETURN_IF_ERROR(math::check_same_dtype(ctx, xsb));
    const int64_t rank = static_cast<int64_t>(x->rank());
    int64_t axis = axis_;
    if (axis < -rank || axis > rank)
      return ctx.invalid("axis " + std::to_string(axis_) + " is out of range for input shape " +
                         shape_to_string(x->shape()));
    if (axis < 0) axis += rank;
    const std::span<const int64_t> norm_shape(x->shape().data() + axis, x->shape().size() - axis);
    const int64_t rows = math::dims_product(x->shape(), 0, static_cast<size_t>(axis));
    const int64_t d = shape_numel(norm_shape);
    Shape stat_shape = x->shape();
    for (int64_t i = axis; i < rank; ++i) stat_shape[i] = 1;
    Tensor& y = ctx.allocate_output(0, x->dtype(), x->shape());
    float* mean_out = ctx.num_outputs() > 1 && !ctx.node().outputs[1].empty()
                          ? ctx.allocate_output(1, DType::kFloat32, stat_shape).data<float>()
                          : nullptr;
    float* inv_out = ctx.num_outputs() > 2 && !ctx.node().outputs[2].empty()
                         ? ctx.allocate_output(2, DType::kFloat32, stat_shape).data<float>()
                         : nullptr;
    return visit_dtype<float, double>(x->dtype(), "LayerNormalization", [&]<typename T>() -> Status {
      std::vector<T> scale_full, bias_full;
      const T* sp = scale->data<T>();
      const T* bp = bias ? bias->data<T>() : nullptr;
      if (!same_trailing_shape(scale->shape(), norm_shape)) {
        ONYX_ASSIGN_OR_RETURN(scale_full, broadcast_to<T>(ctx, *scale, norm_shape, "Scale"));
        sp = scale_full.data();
      }
      if (bias && !same_trailing_shape(bias->shape(), norm_shape)) {
        ONYX_ASSIGN_OR_RETURN(bias_full, broadcast_to<T>(ctx, *bias, norm_shape, "B"));
        bp = bias_full.data();
      }
      const T* xd = x->data<T>();
      T* yd = y.data<T>();
      const T eps = static_cast<T>(epsilon_);
      if constexpr (std::is_same_v<T, float>) {
        const RowKernelsF32& k = row_kernels_f32();
        parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, d)), [&](int64_t b, int64_t e) {
          for (int64_t r = b; r < e; ++r) {
            float mean = 0.0f, inv = 0.0f;
            k.layer_norm(xd + r * d, sp, bp, yd + r * d, d, eps, &mean, &inv);
            if (mean_out) mean_out[r] = mean;
            if (inv_out) inv_out[r] = inv;
          }
        });
        return ok_status();
      }
      parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, d)), [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          const T* xr = xd + r * d;
          T* yr = yd + r * d;
          T sum = 0;
          for (int64_t j = 0; j < d; ++j) sum += xr[j];
          const T mean = sum / static_cast<T>(d);
          T sq = 0;
          for (int64_t j = 0; j < d; ++j) sq += (xr[j] - mean) * (xr[j] - mean);
          const T inv = T(1) / std::sqrt(sq / static_cast<T>(d) + eps);
          if (bp) {
            for (int64_t j = 0; j < d; ++j) yr[j] = (xr[j] - mean) * inv * sp[j] + bp[j];
          } else {
            for (int64_t j = 0; j < d; ++j) yr[j] = (xr[j] - mean) * inv * sp[j];
          }
          if (mean_out) mean_out[r] = static_cast<float>(mean);
          if (inv_out) inv_out[r] = static_cast<float>(inv);
        }
      });
      return ok_status();
    });
  }

 private:
  int64_t axis_;
  float epsilon_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_layer_normalization(const KernelInfo& info) {
  const int64_t stash = info.node.attr_int("stash_type", 1);
  if (stash != 1)
    return not_implemented(info.node.describe() + ": stash_type " + std::to_string(stash) +
                           " is not supported (only 1 = float)");
  return std::unique_ptr<Kernel>(
      std::make_unique<LayerNormKernel>(info.node.attr_int("axis", -1), info.node.attr_float("epsilon", 1e-5f)));
}

}  // namespace onyx::cpu
