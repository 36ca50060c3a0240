// The quant family's ONNX-domain kernels (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul): one sorted line per kernel.
#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

std::vector<KernelDef> quant_kernel_defs() {
  return {
      // op                                  domain  since  until      factory
  };
}

}  // namespace onyx::cpu
