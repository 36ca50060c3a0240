#include "src/ep/cpu/kernels/core/core_kernels.h"

#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

std::vector<KernelDef> core_kernel_defs() {
  return {
      // op         domain  since  until      factory
      {"Constant", "", 1, kMaxOpset, create_constant},
      {"Identity", "", 1, kMaxOpset, create_identity},
  };
}

}  // namespace onyx::cpu
