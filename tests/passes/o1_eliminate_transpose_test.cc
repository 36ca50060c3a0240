// EliminateTranspose: Transpose pairs compose (to nothing when the composition is the identity), identity
// permutations go, a first Transpose read elsewhere stays. Expected outputs: the same model run unoptimized.
#include <gtest/gtest.h>

#include "tests/passes/o1_test_util.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

const std::vector<std::string> kPasses = {"EliminateTranspose", "PruneDeadNodes"};

TEST(EliminateTranspose, TwoTransposesComposeIntoOne) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3, 4});
  m.output("y", DType::kFloat32, {3, 4, 2});
  set_ints(m.node("Transpose", {"x"}, {"a"}), "perm", {1, 0, 2});  // [3, 2, 4]
  set_ints(m.node("Transpose", {"a"}, {"y"}), "perm", {0, 2, 1});  // [3, 4, 2]
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPasses);
  ASSERT_EQ(r.graph.nodes.size(), 1u);
  EXPECT_EQ(r.graph.nodes[0].inputs[0], "x");
  EXPECT_EQ(r.graph.nodes[0].attr_ints("perm"), (std::vector<int64_t>{1, 2, 0}));
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3, 4}, 1)}}, 0.0);
}

TEST(EliminateTranspose, InversePairsAndIdentityPermutationsVanish) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3, 4});
  m.output("y", DType::kFloat32, {2, 3, 4});
  m.output("z", DType::kFloat32, {2, 3, 4});
  set_ints(m.node("Transpose", {"x"}, {"a"}), "perm", {2, 0, 1});
  set_ints(m.node("Transpose", {"a"}, {"b"}), "perm", {1, 2, 0});
  m.node("Relu", {"b"}, {"y"});
  m.node("Transpose", {"x"}, {"c"});  // no perm: reversed
  m.node("Transpose", {"c"}, {"d"});
  set_ints(m.node("Transpose", {"d"}, {"e"}), "perm", {0, 1, 2});
  m.node("Sigmoid", {"e"}, {"z"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPasses);
  EXPECT_EQ(count_ops(r.graph, "Transpose"), 0);
  EXPECT_EQ(r.graph.nodes.size(), 2u);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3, 4}, 2)}}, 0.0);
}

TEST(EliminateTranspose, FirstTransposeReadElsewhereStaysAndSingleOnesAreKept) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3, 4});
  m.output("y", DType::kFloat32, {3, 4, 2});
  m.output("a", DType::kFloat32, {3, 2, 4});
  m.output("g", DType::kFloat32, {2, 3, 4});
  set_ints(m.node("Transpose", {"x"}, {"a"}), "perm", {1, 0, 2});
  set_ints(m.node("Transpose", {"a"}, {"y"}), "perm", {0, 2, 1});
  set_ints(m.node("Transpose", {"x"}, {"g"}), "perm", {0, 1, 2});  // identity from a graph input to an output
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPasses);
  EXPECT_EQ(count_ops(r.graph, "Transpose"), 3);
  for (const auto& n : r.graph.nodes) EXPECT_EQ(n.inputs[0], "x");
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3, 4}, 3)}}, 0.0);
}

}  // namespace
}  // namespace onyx::test
