// Factories of the elementwise kernel family, listed in elementwise_kernels.cc.
#pragma once

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_abs(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_acos(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_acosh(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_add(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_and(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_asin(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_asinh(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_atan(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_atanh(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_cast(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_cast_like(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_ceil(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_celu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_clip(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_cos(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_cosh(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_div(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_elu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_equal(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_erf(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_exp(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_floor(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_greater(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_greater_or_equal(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_hard_sigmoid(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_hard_swish(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_is_inf(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_is_nan(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_leaky_relu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_less(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_less_or_equal(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_log(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_max(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_mean(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_min(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_mod(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_mul(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_neg(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_not(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_or(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_pow(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_prelu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_reciprocal(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_relu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_round(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_selu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_shrink(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_sigmoid(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_sign(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_sin(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_sinh(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_softplus(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_softsign(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_sqrt(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_sub(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_sum(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_tan(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_tanh(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_thresholded_relu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_where(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_xor(const KernelInfo& info);

}  // namespace onyx::cpu
