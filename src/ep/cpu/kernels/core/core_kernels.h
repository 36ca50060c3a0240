// Factories of the core kernel family (graph plumbing ops).
#pragma once

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_constant(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_identity(const KernelInfo& info);

}  // namespace onyx::cpu
