// PruneDeadNodes: nodes nothing reads (transitively) and the initializers only they read go; nodes with one live
// output stay. Expected outputs: the same model run unoptimized (level 0) by onyx.
#include <gtest/gtest.h>

#include "tests/passes/o1_test_util.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

const std::vector<std::string> kPass = {"PruneDeadNodes"};

TEST(PruneDeadNodes, RemovesDeadChainsAndTheirInitializers) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {4});
  m.output("y", DType::kFloat32, {2});
  m.initializer("w", floats({4}, {1, 2, 3, 4}));
  m.initializer("split", ints({2, 2}));
  m.node("Mul", {"x", "w"}, {"dead1"});
  m.node("Tanh", {"dead1"}, {"dead2"});
  m.node("Split", {"x", "split"}, {"y", "unused_half"});  // one output read: stays
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  ASSERT_EQ(r.graph.nodes.size(), 1u);
  EXPECT_EQ(r.graph.nodes[0].op_type, "Split");
  EXPECT_FALSE(r.graph.initializers.count("w"));
  EXPECT_TRUE(r.graph.initializers.count("split"));
  EXPECT_EQ(r.report.rewrites["PruneDeadNodes"], 2);
  expect_same_outputs(bytes, r, {{"x", random_floats({4}, 1)}}, 0.0);
}

TEST(PruneDeadNodes, LiveGraphKeepsEveryNode) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {4});
  m.output("y", DType::kFloat32, {4});
  m.output("z", DType::kFloat32, {4});
  m.node("Relu", {"x"}, {"r"});
  m.node("Neg", {"r"}, {"y"});
  m.node("Abs", {"r"}, {"z"});
  PassResult r = run_passes(m.bytes(), kPass);
  EXPECT_EQ(r.graph.nodes.size(), 3u);
  EXPECT_EQ(r.report.rewrites["PruneDeadNodes"], 0);
}

}  // namespace
}  // namespace onyx::test
