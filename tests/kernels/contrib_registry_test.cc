// Every contrib op the optimizer may emit (issue #5's fusions) has a CPU kernel: the optimizer only fuses an op
// when find_cpu_kernel finds one, so a missing line here silently disables a fusion.
#include <gtest/gtest.h>

#include "src/ep/cpu/registry.h"

namespace onyx::test {
namespace {

TEST(ContribRegistry, EveryContribOpHasACpuKernel) {
  for (const char* op : {"Attention", "BiasGelu", "EmbedLayerNormalization", "FastGelu", "Gelu", "MultiHeadAttention",
                         "SkipLayerNormalization", "SkipSimplifiedLayerNormalization"})
    EXPECT_NE(cpu::find_cpu_kernel(op, "com.microsoft", 1), nullptr) << op;
  for (int opset : {1, 11, 16, 17, 21}) {
    EXPECT_NE(cpu::find_cpu_kernel("LayerNormalization", "", opset), nullptr) << opset;
    EXPECT_NE(cpu::find_cpu_kernel("SimplifiedLayerNormalization", "", opset), nullptr) << opset;
  }
}

}  // namespace
}  // namespace onyx::test
