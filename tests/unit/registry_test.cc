// The CPU registry covers every op onyx claims (docs/supported_ops.md: the ops of the Transformer exports of
// issue #2 at opsets 11-17) and has no overlapping opset ranges.
#include <gtest/gtest.h>

#include <map>

#include "src/ep/cpu/registry.h"

namespace onyx::test {
namespace {

// The ops the engine-core issue requires (every op in the BERT/DistilBERT/RoBERTa/XLM-R/ELECTRA/ALBERT/
// MPNet/T5-encoder/GPT-2 exports at opsets 14 and 17).
const char* const kClaimedOps[] = {
    "Abs",  "Add",        "And",          "ArgMax",     "Cast",      "Concat",   "Constant",        "ConstantOfShape",
    "CumSum", "Div",      "Dropout",      "Einsum",     "Equal",     "Erf",      "Exp",             "Expand",
    "Flatten", "Gather",  "Gemm",         "Greater",    "GreaterOrEqual", "Identity", "LayerNormalization", "Less",
    "LessOrEqual", "Log", "LogSoftmax",   "MatMul",     "Max",       "Min",      "Mul",             "Neg",
    "Not",  "Or",         "Pow",          "Range",      "Reciprocal", "ReduceMax", "ReduceMean",    "ReduceSum",
    "Relu", "Reshape",    "Shape",        "Sigmoid",    "Size",      "Slice",    "Softmax",         "Split",
    "Sqrt", "Squeeze",    "Sub",          "Tanh",       "Tile",      "Transpose", "Trilu",          "Unsqueeze",
    "Where",
};

TEST(CpuRegistry, EveryClaimedOpHasAKernelAtOpsets14And17) {
  for (const char* op : kClaimedOps)
    for (int opset : {14, 17}) {
      if (std::string(op) == "LayerNormalization" && opset < 17) continue;  // an ai.onnx op only since opset 17
      if (std::string(op) == "Trilu" && opset < 14) continue;
      EXPECT_NE(cpu::find_cpu_kernel(op, "", opset), nullptr) << op << " at opset " << opset;
    }
}

TEST(CpuRegistry, OpsetRangesDoNotOverlap) {
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<int, int>>> ranges;
  for (const auto& def : cpu::cpu_kernel_registry()) {
    EXPECT_LE(def.since_version, def.until_version) << def.op;
    EXPECT_NE(def.create, nullptr) << def.op;
    auto& list = ranges[{std::string(def.domain), std::string(def.op)}];
    for (auto [lo, hi] : list)
      EXPECT_TRUE(def.until_version < lo || def.since_version > hi) << "overlapping kernels for " << def.op;
    list.emplace_back(def.since_version, def.until_version);
  }
}

}  // namespace
}  // namespace onyx::test
