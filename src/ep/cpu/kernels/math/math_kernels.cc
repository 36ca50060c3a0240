#include "src/ep/cpu/kernels/math/math_kernels.h"

#include "src/ep/cpu/kernels/math/half_bridge.h"
#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

// Every math kernel computes float16 / bfloat16 through float32 (half_bridged, see half_bridge.h);
// LayerNormalization keeps its Mean / InvStdDev outputs (1, 2) in float32 (stash_type 1).
std::vector<KernelDef> math_kernel_defs() {
  return {
      // op                          domain  since  until      factory
      {"ArgMax", "", 1, kMaxOpset, half_bridged<create_arg_max>},
      {"ArgMin", "", 1, kMaxOpset, half_bridged<create_arg_min>},
      {"CumSum", "", 11, kMaxOpset, half_bridged<create_cum_sum>},
      {"Einsum", "", 12, kMaxOpset, half_bridged<create_einsum>},
      {"Gemm", "", 1, kMaxOpset, half_bridged<create_gemm>},
      {"Hardmax", "", 1, kMaxOpset, half_bridged<create_hardmax>},
      {"LayerNormalization", "", 17, kMaxOpset, half_bridged<create_layer_normalization, 0b110>},
      {"LogSoftmax", "", 1, kMaxOpset, half_bridged<create_log_softmax>},
      {"MatMul", "", 1, kMaxOpset, half_bridged<create_mat_mul>},
      {"MeanVarianceNormalization", "", 9, kMaxOpset, half_bridged<create_mean_variance_normalization>},
      {"ReduceL1", "", 1, kMaxOpset, half_bridged<create_reduce_l1>},
      {"ReduceL2", "", 1, kMaxOpset, half_bridged<create_reduce_l2>},
      {"ReduceLogSum", "", 1, kMaxOpset, half_bridged<create_reduce_log_sum>},
      {"ReduceLogSumExp", "", 1, kMaxOpset, half_bridged<create_reduce_log_sum_exp>},
      {"ReduceMax", "", 1, kMaxOpset, half_bridged<create_reduce_max>},
      {"ReduceMean", "", 1, kMaxOpset, half_bridged<create_reduce_mean>},
      {"ReduceMin", "", 1, kMaxOpset, half_bridged<create_reduce_min>},
      {"ReduceProd", "", 1, kMaxOpset, half_bridged<create_reduce_prod>},
      {"ReduceSum", "", 1, kMaxOpset, half_bridged<create_reduce_sum>},
      {"ReduceSumSquare", "", 1, kMaxOpset, half_bridged<create_reduce_sum_square>},
      {"Softmax", "", 1, kMaxOpset, half_bridged<create_softmax>},
      {"TopK", "", 1, kMaxOpset, half_bridged<create_top_k>},
  };
}

}  // namespace onyx::cpu
