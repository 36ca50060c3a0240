// PackedGemmKernel (see packed_gemm_kernel.h).
#include "src/ep/cpu/gemm/packed_gemm_kernel.h"

#include <cmath>
#include <string>

#include "src/core/half.h"
#include "src/core/parallel.h"

namespace onyx::cpu {

namespace {

Status run_packed(const PackedGemm& g, const float* x, int64_t m, float* y) { return g.run(x, m, g.k(), y, g.n()); }
Status run_packed(const PackedQGemm& g, const float* x, int64_t m, float* y) {
  return g.run_dynamic(x, m, g.k(), y, g.n());
}

template <class Gemm>
class PackedGemmKernel final : public Kernel {
 public:
  PackedGemmKernel(std::unique_ptr<Gemm> gemm, PackedGemmKernelOptions options)
      : gemm_(std::move(gemm)), options_(options) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    const int64_t k = gemm_->k(), n = gemm_->n();
    if (x->dtype() != DType::kFloat32)
      return ctx.invalid("input 0 is " + dtype_name(x->dtype()) + " but the constant weight is float32");
    if (x->rank() < 1 || (options_.rank2_only && x->rank() != 2) || x->shape().back() != k)
      return ctx.invalid("input 0 " + shape_to_string(x->shape()) + " does not fit the constant weight [" +
                         std::to_string(k) + ", " + std::to_string(n) + "]" +
                         (options_.rank2_only ? " (Gemm A must be 2-D)" : ""));
    const Tensor* bias = options_.bias_input >= 0 ? ctx.input(static_cast<size_t>(options_.bias_input)) : nullptr;
    if (bias && (bias->dtype() != DType::kFloat32 || bias->numel() != n))
      return ctx.invalid("bias (input " + std::to_string(options_.bias_input) + ") must be float32 [" +
                         std::to_string(n) + "], got " + dtype_name(bias->dtype()) + " " +
                         shape_to_string(bias->shape()));
    Shape out = x->shape();
    out.back() = n;
    Tensor& y = ctx.allocate_output(0, DType::kFloat32, std::move(out));
    const int64_t m = x->numel() / k;
    ONYX_RETURN_IF_ERROR(run_packed(*gemm_, x->data<float>(), m, y.data<float>()));
    if (bias) {
      const float* bv = bias->data<float>();
      float* yd = y.data<float>();
      parallel_for(m, 16, [&](int64_t rb, int64_t re) {
        for (int64_t r = rb; r < re; ++r)
          for (int64_t j = 0; j < n; ++j) yd[r * n + j] += bv[j];
      });
    }
    return ok_status();
  }

  bool packed_constant_input(size_t i) const override { return i < 32 && ((options_.packed_inputs >> i) & 1u); }

 private:
  std::unique_ptr<Gemm> gemm_;
  PackedGemmKernelOptions options_;
};

// How a quantization parameter tensor maps onto the matrices of w: per tensor, per column shared by every matrix,
// or per column of each matrix (kBad when its shape fits none).
enum class QuantAxis { kTensor, kColumn, kMatrixColumn, kBad };
QuantAxis quant_axis(const Tensor& p, const Tensor& w) {
  const int64_t n = w.shape().back();
  if (p.numel() == 1) return QuantAxis::kTensor;
  if (p.rank() == 0 || p.shape().back() != n) return QuantAxis::kBad;
  bool leading_ones = true;
  for (size_t i = 0; i + 1 < p.rank(); ++i) leading_ones = leading_ones && p.dim(i) == 1;
  if (leading_ones) return QuantAxis::kColumn;
  // [..., 1, N] with w's batch dims.
  if (p.rank() != w.rank() || p.dim(p.rank() - 2) != 1) return QuantAxis::kBad;
  for (size_t i = 0; i + 2 < p.rank(); ++i)
    if (p.dim(i) != w.dim(i)) return QuantAxis::kBad;
  return QuantAxis::kMatrixColumn;
}

}  // namespace

std::unique_ptr<Kernel> make_packed_gemm_kernel(std::unique_ptr<PackedGemm> gemm, PackedGemmKernelOptions options) {
  return std::make_unique<PackedGemmKernel<PackedGemm>>(std::move(gemm), options);
}

std::unique_ptr<Kernel> make_packed_gemm_kernel(std::unique_ptr<PackedQGemm> gemm, PackedGemmKernelOptions options) {
  return std::make_unique<PackedGemmKernel<PackedQGemm>>(std::move(gemm), options);
}

const float* constant_weight_data(const Tensor& w, std::vector<float>& storage) {
  if (w.rank() != 2 || w.numel() == 0) return nullptr;
  if (w.dtype() == DType::kFloat32) return w.data<float>();
  if (w.dtype() != DType::kBFloat16) return nullptr;
  storage.resize(static_cast<size_t>(w.numel()));
  for (int64_t i = 0; i < w.numel(); ++i) storage[static_cast<size_t>(i)] = to_float(w.data<BFloat16>()[i]);
  return storage.data();
}

Result<std::unique_ptr<PackedQGemm>> pack_int8_weights(const float* w, int64_t k, int64_t n, bool transposed,
                                                       const float* bias, const QGemmOptions& options, float alpha) {
  if (k <= 0 || n <= 0)
    return invalid_argument("int8 weights must be non-empty, got [" + std::to_string(k) + ", " + std::to_string(n) +
                            "]");
  std::vector<int8_t> q(static_cast<size_t>(k * n));
  std::vector<float> scales(static_cast<size_t>(n));
  quantize_weights_symmetric(w, k, n, transposed, /*per_column=*/true, q.data(), scales.data());
  if (alpha != 1.0f)
    for (float& s : scales) s *= alpha;
  const QGemmWeights qw{.data = q.data(),
                        .dtype = DType::kInt8,
                        .k = k,
                        .n = n,
                        .transposed = transposed,
                        .scales = scales.data(),
                        .num_scales = n};
  return PackedQGemm::create(qw, bias, options);
}

Result<QuantizedWeights> quantized_weights(const Tensor& w, const Tensor& scale, const Tensor* zero_point,
                                           int64_t batch, const std::string& what) {
  if ((w.dtype() != DType::kInt8 && w.dtype() != DType::kUInt8) || w.rank() < 2)
    return invalid_argument(what + " must be int8 or uint8 with rank >= 2, got " + dtype_name(w.dtype()) + " " +
                            shape_to_string(w.shape()));
  const int64_t k = w.dim(w.rank() - 2), n = w.dim(w.rank() - 1);
  const std::string wanted = " must have 1 value, " + std::to_string(n) + " ([" + std::to_string(n) + "] or [1, " +
                             std::to_string(n) + "]: per column) or one row of " + std::to_string(n) +
                             " per matrix of " + what + " [..., 1, " + std::to_string(n) + "], got ";
  const QuantAxis sa = quant_axis(scale, w);
  if (scale.dtype() != DType::kFloat32 || sa == QuantAxis::kBad)
    return invalid_argument(what + "'s scale" + wanted + dtype_name(scale.dtype()) + " " +
                            shape_to_string(scale.shape()) + " (float32)");
  const QuantAxis za = zero_point ? quant_axis(*zero_point, w) : QuantAxis::kTensor;
  if (zero_point && (zero_point->dtype() != w.dtype() || za == QuantAxis::kBad))
    return invalid_argument(what + "'s zero point" + wanted + dtype_name(zero_point->dtype()) + " " +
                            shape_to_string(zero_point->shape()) + " (" + dtype_name(w.dtype()) + " like " + what +
                            ")");
  QuantizedWeights r;
  const bool per_column = sa != QuantAxis::kTensor || za != QuantAxis::kTensor;
  const int64_t count = per_column ? n : 1;
  auto offset = [&](QuantAxis a, int64_t j) {
    return a == QuantAxis::kTensor ? 0 : (a == QuantAxis::kColumn ? j : batch * n + j);
  };
  r.scales.resize(static_cast<size_t>(count));
  for (int64_t j = 0; j < count; ++j) r.scales[static_cast<size_t>(j)] = scale.data<float>()[offset(sa, j)];
  if (zero_point) {
    r.zero_points.resize(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j)
      r.zero_points[static_cast<size_t>(j)] = static_cast<const int8_t*>(zero_point->raw_data())[offset(za, j)];
  }
  r.weights = {.data = static_cast<const int8_t*>(w.raw_data()) + batch * k * n,
               .dtype = w.dtype(),
               .k = k,
               .n = n,
               .scales = r.scales.data(),
               .num_scales = count,
               .zero_points = r.zero_points.empty() ? nullptr : r.zero_points.data()};
  return r;
}

}  // namespace onyx::cpu
