// The CPU execution provider's kernel registry: one explicit, sorted list of (op, domain, opset range,
// factory). Each kernel family keeps its own list in a plain function (kernels/<family>/<family>_kernels.cc);
// cpu_kernel_registry() joins them once (std::call_once) and sorts them. No static-initialiser registration.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

inline constexpr int kMaxOpset = 1000;  // "up to the newest opset"

struct KernelDef {
  std::string_view op;
  std::string_view domain;  // "" = ai.onnx, "com.microsoft"
  int since_version;        // first opset version this kernel implements
  int until_version;        // last (inclusive)
  KernelCreateFn create;
};

// Family lists (each in its own folder).
std::vector<KernelDef> core_kernel_defs();         // kernels/core: Constant, Identity
std::vector<KernelDef> elementwise_kernel_defs();  // kernels/elementwise
std::vector<KernelDef> tensor_kernel_defs();       // kernels/tensor: shape and data movement
std::vector<KernelDef> math_kernel_defs();         // kernels/math: MatMul, Gemm, reductions, softmax, norms
std::vector<KernelDef> contrib_kernel_defs();      // kernels/contrib: ORT com.microsoft ops (Attention, Gelu, ...)
std::vector<KernelDef> quant_kernel_defs();        // kernels/quant: ONNX QuantizeLinear, MatMulInteger, ...
std::vector<KernelDef> quant_contrib_kernel_defs();  // kernels/quant: com.microsoft DynamicQuantizeMatMul, QAttention, ...

const std::vector<KernelDef>& cpu_kernel_registry();
// The kernel for (op, domain) whose opset range contains `opset`, or nullptr.
const KernelDef* find_cpu_kernel(std::string_view op, std::string_view domain, int64_t opset);

}  // namespace onyx::cpu
