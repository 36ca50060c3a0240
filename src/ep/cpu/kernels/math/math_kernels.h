// Factories of the math kernel family (MatMul, Gemm, Einsum, reductions, softmax, norms, ...), listed in
// math_kernels.cc.
#pragma once

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_arg_max(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_arg_min(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_cum_sum(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_einsum(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_gemm(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_hardmax(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_layer_normalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_log_softmax(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_mat_mul(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_mean_variance_normalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_l1(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_l2(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_log_sum(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_log_sum_exp(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_max(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_mean(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_min(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_prod(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_sum(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reduce_sum_square(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_softmax(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_top_k(const KernelInfo& info);

}  // namespace onyx::cpu
