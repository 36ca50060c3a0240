// ReducedPrecision (O4): constant-weight MatMul/Gemm compute in bf16 between Casts; the output head stays fp32.
// Outputs are compared with the fp32 graph at bf16's tolerance (8-bit mantissa), not 1e-5.
#include <gtest/gtest.h>

#include "src/core/cpu_features.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

constexpr int64_t kRows = 6, kIn = 32, kHidden = 48, kOut = 8;

// x -> MatMul(W1) -> Relu -> MatMul(W2) -> Relu -> Gemm(W3, b3) = y (the head: stays fp32). W1 and W2 are constant.
std::string two_layers_and_a_head(int64_t opset = 17) {
  ModelBuilder m(opset);
  m.input("x", DType::kFloat32, {kRows, kIn});
  m.output("y", DType::kFloat32, {kRows, kOut});
  m.initializer("w1", random_floats({kIn, kHidden}, 11, -0.3f, 0.3f));
  m.initializer("w2", random_floats({kHidden, kHidden}, 12, -0.3f, 0.3f));
  m.initializer("w3", random_floats({kHidden, kOut}, 13, -0.3f, 0.3f));
  m.initializer("b3", random_floats({kOut}, 14));
  m.node("MatMul", {"x", "w1"}, {"h1"});
  m.node("Relu", {"h1"}, {"r1"});
  m.node("MatMul", {"r1", "w2"}, {"h2"});
  m.node("Relu", {"h2"}, {"r2"});
  m.node("Gemm", {"r2", "w3", "b3"}, {"y"});
  return m.bytes();
}

int count_casts_to(const ir::Graph& g, DType to) {
  int n = 0;
  for (const auto& node : g.nodes) n += node.op_type == "Cast" && node.attr_int("to", 0) == static_cast<int64_t>(to);
  return n;
}

TEST(ReducedPrecision, HiddenMatMulsComputeInBf16AndTheHeadStaysFp32) {
  if (!cpu_features().avx512bf16) GTEST_SKIP() << "this CPU has no AVX512-BF16: O4 leaves the graph unchanged";
  const std::string bytes = two_layers_and_a_head();
  PassResult r = run_passes(bytes, {"ReducedPrecision"});
  EXPECT_EQ(r.report.rewrites["ReducedPrecision"], 2);
  EXPECT_EQ(count_ops(r.graph, "MatMul"), 2);
  EXPECT_EQ(count_ops(r.graph, "Gemm"), 1);
  EXPECT_EQ(count_casts_to(r.graph, DType::kBFloat16), 2);  // x and r1
  EXPECT_EQ(count_casts_to(r.graph, DType::kFloat32), 2);   // h1 and h2 back to fp32
  for (const auto& n : r.graph.nodes) {
    if (n.op_type == "MatMul") EXPECT_EQ(r.graph.initializers.at(n.inputs[1]).dtype(), DType::kBFloat16);
    if (n.op_type == "Gemm") EXPECT_EQ(r.graph.initializers.at(n.inputs[1]).dtype(), DType::kFloat32) << "the head";
  }
  const double d = expect_same_outputs(bytes, r, {{"x", random_floats({kRows, kIn}, 1)}}, 2e-2);
  EXPECT_GT(d, 0.0) << "bf16 must change the numbers at all (else the pass did not run in bf16)";
}

TEST(ReducedPrecision, RunningItAgainChangesNothing) {
  if (!cpu_features().avx512bf16) GTEST_SKIP() << "this CPU has no AVX512-BF16";
  PassResult r = run_passes(two_layers_and_a_head(), {"ReducedPrecision"});
  const size_t nodes = r.graph.nodes.size();
  opt::OptimizeOptions o;
  o.level = opt::Level::kReducedPrecision;
  o.only_passes = {"ReducedPrecision"};
  auto again = opt::optimize(r.graph, o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(r.graph.nodes.size(), nodes);
  EXPECT_TRUE(again->rewrites.empty());
}

TEST(ReducedPrecision, NotBelowO4AndNotBeforeOpset13) {
  PassResult o3 = run_passes(two_layers_and_a_head(), {"ReducedPrecision"}, opt::Level::kApproximate);
  EXPECT_EQ(count_ops(o3.graph, "Cast"), 0);
  PassResult old = run_passes(two_layers_and_a_head(12), {"ReducedPrecision"});
  EXPECT_EQ(count_ops(old.graph, "Cast"), 0) << "bf16 MatMul/Cast need opset 13";
}

}  // namespace
}  // namespace onyx::test
