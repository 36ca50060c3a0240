// MatMulBiasGelu (com.onyx, made by the session-only FuseMatMulBiasGelu pass): Y = GELU(X · W + bias) with W a
// constant [K, N], bias an optional constant [N]; attribute approximation = "none" (erf GELU, com.microsoft
// BiasGelu / Gelu) or "tanh" (FastGelu). X is [..., K], Y [..., N].
// Variants (all pack W at creation and apply bias + GELU inside the GEMM, see PackedGemm / PackedQGemm):
//   fp32 / bf16   PackedGemm with the kGeluErf / kGeluTanh epilogue (KernelInfo::bf16_weights -> bf16)
//   int8          KernelInfo::int8_weights: PackedQGemm (weights int8 per column, activations dynamic uint8)
#include <string>
#include <vector>

#include "src/ep/cpu/gemm/packed_gemm.h"
#include "src/ep/cpu/gemm/packed_gemm_kernel.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_matmul_bias_gelu(const KernelInfo& info) {
  const Tensor* w = info.constant_input(1);
  if (!w || w->dtype() != DType::kFloat32 || w->rank() != 2 || w->numel() == 0)
    return info.invalid("needs a constant float32 2-D weight (input 1); this op is made by onyx's FuseMatMulBiasGelu "
                        "fusion from MatMul + Gelu, which checks that");
  const Tensor* bias = nullptr;
  if (info.node.has_input(2)) {
    bias = info.constant_input(2);
    if (!bias || bias->dtype() != DType::kFloat32 || bias->rank() != 1 || bias->dim(0) != w->dim(1))
      return info.invalid("the bias (input 2) must be a constant float32 [" + std::to_string(w->dim(1)) + "]");
  }
  std::string approximation = "none";
  if (auto it = info.node.attributes.find("approximation"); it != info.node.attributes.end())
    approximation = it->second.s;
  if (approximation != "none" && approximation != "tanh")
    return info.invalid("approximation must be \"none\" or \"tanh\", got \"" + approximation + "\"");
  const PackedGemmEpilogue epilogue =
      approximation == "tanh" ? PackedGemmEpilogue::kGeluTanh : PackedGemmEpilogue::kGeluErf;
  const uint32_t packed = bias ? 0b110u : 0b010u;
  if (info.int8_weights) {
    auto qgemm = pack_int8_weights(w->data<float>(), w->dim(0), w->dim(1), /*transposed=*/false,
                                   bias ? bias->data<float>() : nullptr, {.epilogue = epilogue});
    if (!qgemm.ok()) return qgemm.status().with_context(info.node.describe());
    return make_packed_gemm_kernel(std::move(*qgemm), {.packed_inputs = packed});
  }
  PackedGemmOptions o;
  o.bf16 = info.bf16_weights;
  o.epilogue = epilogue;
  auto gemm = PackedGemm::create(w->data<float>(), w->dim(0), w->dim(1), /*w_transposed=*/false,
                                 bias ? bias->data<float>() : nullptr, o);
  if (!gemm.ok()) return gemm.status().with_context(info.node.describe());
  return make_packed_gemm_kernel(std::move(*gemm), {.packed_inputs = packed});
}

}  // namespace onyx::cpu
