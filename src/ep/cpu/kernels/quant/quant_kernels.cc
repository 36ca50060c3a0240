// The quant family's ONNX-domain kernels (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul): one sorted line per kernel. Factories are declared in quant_kernel_util.h.
#include "src/ep/cpu/kernels/quant/quant_kernel_util.h"
#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

std::vector<KernelDef> quant_kernel_defs() {
  return {
      // op                          domain  since  until      factory
      {"DequantizeLinear", "", 10, kMaxOpset, create_dequantize_linear},
      {"DynamicQuantizeLinear", "", 11, kMaxOpset, create_dynamic_quantize_linear},
      {"MatMulInteger", "", 10, kMaxOpset, create_mat_mul_integer},
      {"QLinearMatMul", "", 10, kMaxOpset, create_q_linear_mat_mul},
      {"QuantizeLinear", "", 10, kMaxOpset, create_quantize_linear},
  };
}

}  // namespace onyx::cpu
