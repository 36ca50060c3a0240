// PackedGemmKernel (see packed_gemm_kernel.h).
#include "src/ep/cpu/gemm/packed_gemm_kernel.h"

#include <string>

#include "src/core/half.h"

namespace onyx::cpu {

namespace {

class PackedGemmKernel final : public Kernel {
 public:
  PackedGemmKernel(std::unique_ptr<PackedGemm> gemm, PackedGemmKernelOptions options)
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
    Shape out = x->shape();
    out.back() = n;
    Tensor& y = ctx.allocate_output(0, DType::kFloat32, std::move(out));
    return gemm_->run(x->data<float>(), x->numel() / k, k, y.data<float>(), n);
  }

  bool packed_constant_input(size_t i) const override { return i < 32 && ((options_.packed_inputs >> i) & 1u); }

 private:
  std::unique_ptr<PackedGemm> gemm_;
  PackedGemmKernelOptions options_;
};

}  // namespace

std::unique_ptr<Kernel> make_packed_gemm_kernel(std::unique_ptr<PackedGemm> gemm, PackedGemmKernelOptions options) {
  return std::make_unique<PackedGemmKernel>(std::move(gemm), options);
}

const float* constant_weight_data(const Tensor& w, std::vector<float>& storage) {
  if (w.rank() != 2 || w.numel() == 0) return nullptr;
  if (w.dtype() == DType::kFloat32) return w.data<float>();
  if (w.dtype() != DType::kBFloat16) return nullptr;
  storage.resize(static_cast<size_t>(w.numel()));
  for (int64_t i = 0; i < w.numel(); ++i) storage[static_cast<size_t>(i)] = to_float(w.data<BFloat16>()[i]);
  return storage.data();
}

}  // namespace onyx::cpu
