// The quant family's com.microsoft kernels (DynamicQuantizeMatMul, MatMulIntegerToFloat, QAttention): one sorted
// line per kernel.
#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

std::vector<KernelDef> quant_contrib_kernel_defs() {
  return {
      // op                                  domain  since  until      factory
  };
}

}  // namespace onyx::cpu
