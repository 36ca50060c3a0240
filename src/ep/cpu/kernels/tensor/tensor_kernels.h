// Factories of the tensor kernel family (shape and data movement), listed in tensor_kernels.cc.
#pragma once

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_compress(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_concat(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_constant_of_shape(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_dropout(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_expand(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_flatten(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_gather(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_gather_elements(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_gather_nd(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_non_zero(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_one_hot(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_pad(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_range(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reshape(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_scatter_elements(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_scatter_nd(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_shape(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_size(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_slice(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_split(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_squeeze(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_tile(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_transpose(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_trilu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_unsqueeze(const KernelInfo& info);

}  // namespace onyx::cpu
