// The quant family's com.microsoft kernels (DynamicQuantizeMatMul, MatMulIntegerToFloat, QAttention): one sorted
// line per kernel.
#include "src/ep/cpu/kernels/quant/quant_contrib_util.h"
#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

namespace {
constexpr std::string_view kMs = "com.microsoft";
}  // namespace

std::vector<KernelDef> quant_contrib_kernel_defs() {
  return {
      // op                                  domain  since  until      factory
      {"DynamicQuantizeMatMul", kMs, 1, kMaxOpset, create_dynamic_quantize_mat_mul},
      {"MatMulIntegerToFloat", kMs, 1, kMaxOpset, create_mat_mul_integer_to_float},
      {"QAttention", kMs, 1, kMaxOpset, create_q_attention},
  };
}

}  // namespace onyx::cpu
