// EliminateReshape: shape-only chains ending in an absolute Reshape read the chain's start; shape-only ops and Expand
// that keep their input's shape (fixed or symbolic dims) go; chains whose target shape refers to the middle shape
// (a 0 entry) stay. Expected outputs: the same model run unoptimized (level 0) by onyx.
#include <gtest/gtest.h>

#include "tests/passes/o1_test_util.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

const std::vector<std::string> kPasses = {"EliminateReshape", "PruneDeadNodes"};

TEST(EliminateReshape, ChainOfShapeOnlyOpsBecomesOneReshape) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3, 4});
  m.output("y", DType::kFloat32, {4, 6});
  m.initializer("s1", ints({6, 4}));
  m.initializer("s2", ints({4, -1}));
  m.initializer("axes", ints({0}));
  m.node("Reshape", {"x", "s1"}, {"a"});
  m.node("Unsqueeze", {"a", "axes"}, {"b"});
  m.node("Flatten", {"b"}, {"c"});
  m.node("Reshape", {"c", "s2"}, {"d"});
  m.node("Relu", {"d"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPasses);
  EXPECT_EQ(count_ops(r.graph, "Reshape"), 1);
  EXPECT_EQ(count_ops(r.graph, "Unsqueeze"), 0);
  EXPECT_EQ(count_ops(r.graph, "Flatten"), 0);
  EXPECT_EQ(r.graph.nodes.size(), 2u);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3, 4}, 1)}}, 0.0);
}

TEST(EliminateReshape, MiddleReshapeReadElsewhereStays) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3, 4});
  m.output("y", DType::kFloat32, {4, 6});
  m.output("a", DType::kFloat32, {6, 4});
  m.initializer("s1", ints({6, 4}));
  m.initializer("s2", ints({4, 6}));
  m.node("Reshape", {"x", "s1"}, {"a"});
  m.node("Reshape", {"a", "s2"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPasses);
  EXPECT_EQ(count_ops(r.graph, "Reshape"), 2);
  for (const auto& n : r.graph.nodes) EXPECT_EQ(n.inputs[0], "x");  // both read x now
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3, 4}, 2)}}, 0.0);
}

TEST(EliminateReshape, ZeroEntryOrRuntimeShapeKeepsTheChain) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3, 4});
  m.input("shape", DType::kInt64, {2});
  m.output("y", DType::kFloat32, {6, 2, 2});
  m.output("z", DType::kFloat32, {-1, -1}, {"p", "q"});
  m.initializer("s1", ints({6, 4}));
  m.initializer("s2", ints({0, 2, 2}));  // 0 copies the middle shape's dim 0
  m.node("Reshape", {"x", "s1"}, {"a"});
  m.node("Reshape", {"a", "s2"}, {"y"});
  m.node("Reshape", {"x", "s1"}, {"b"});
  m.node("Reshape", {"b", "shape"}, {"z"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPasses);
  EXPECT_EQ(count_ops(r.graph, "Reshape"), 4);
  EXPECT_EQ(r.report.rewrites["EliminateReshape"], 0);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3, 4}, 3)}, {"shape", ints({4, 6})}}, 0.0);
}

TEST(EliminateReshape, OpsThatKeepTheShapeGo) {
  // Reshape to the same static shape, Expand that broadcasts nothing on a symbolic batch dim.
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {-1, 4}, {"batch", ""});
  m.input("v", DType::kFloat32, {2, 3});
  m.output("y", DType::kFloat32, {-1, 4}, {"batch", ""});
  m.output("w", DType::kFloat32, {2, 3});
  m.initializer("same", ints({1, 4}));
  m.node("Expand", {"x", "same"}, {"e"});
  m.node("Relu", {"e"}, {"y"});
  m.initializer("s23", ints({2, 3}));
  m.node("Reshape", {"v", "s23"}, {"rv"});
  m.node("Sigmoid", {"rv"}, {"w"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPasses);
  EXPECT_EQ(count_ops(r.graph, "Expand"), 0);
  EXPECT_EQ(count_ops(r.graph, "Reshape"), 0);
  expect_same_outputs(bytes, r, {{"x", random_floats({5, 4}, 4)}, {"v", random_floats({2, 3}, 5)}}, 0.0);
}

TEST(EliminateReshape, ExpandThatBroadcastsStays) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 1});
  m.output("y", DType::kFloat32, {2, 4});
  m.initializer("to", ints({2, 4}));
  m.node("Expand", {"x", "to"}, {"y"});
  PassResult r = run_passes(m.bytes(), kPasses);
  EXPECT_EQ(count_ops(r.graph, "Expand"), 1);
}

}  // namespace
}  // namespace onyx::test
