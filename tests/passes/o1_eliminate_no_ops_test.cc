// EliminateNoOps: Identity / Dropout / same-type Cast / all-ones Tile removal, graph-output handling, and the nodes
// that must stay. Expected outputs: the same model run unoptimized (level 0) by onyx.
#include <gtest/gtest.h>

#include "tests/passes/o1_test_util.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

const std::vector<std::string> kPass = {"EliminateNoOps"};

TEST(EliminateNoOps, RemovesIdentityDropoutSameTypeCastAndOnesTile) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3});
  m.output("y", DType::kFloat32, {2, 3});
  m.node("Identity", {"x"}, {"a"});
  m.node("Dropout", {"a"}, {"b"});
  set_int(m.node("Cast", {"b"}, {"c"}), "to", static_cast<int64_t>(DType::kFloat32));
  m.initializer("ones", ints({1, 1}));
  m.node("Tile", {"c", "ones"}, {"d"});
  m.node("Relu", {"d"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  ASSERT_EQ(r.graph.nodes.size(), 1u);
  EXPECT_EQ(r.graph.nodes[0].op_type, "Relu");
  EXPECT_EQ(r.graph.nodes[0].inputs[0], "x");
  EXPECT_EQ(r.report.rewrites["EliminateNoOps"], 4);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3}, 1)}}, 0.0);
}

TEST(EliminateNoOps, ProducerWritesTheGraphOutputOfARemovedIdentity) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {4});
  m.output("y", DType::kFloat32, {4});
  m.node("Relu", {"x"}, {"r"});
  m.node("Identity", {"r"}, {"i"});
  m.node("Identity", {"i"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  ASSERT_EQ(r.graph.nodes.size(), 1u);
  EXPECT_EQ(r.graph.nodes[0].op_type, "Relu");
  EXPECT_EQ(r.graph.nodes[0].outputs[0], "y");
  expect_same_outputs(bytes, r, {{"x", random_floats({4}, 2)}}, 0.0);
}

TEST(EliminateNoOps, KeepsNodesThatChangeSomethingOrMustProduceAnOutput) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {4});
  m.output("y", DType::kFloat32, {4});      // Identity of a graph input: needs its node
  m.output("r", DType::kFloat32, {4});      // Relu output, also read by an Identity writing another output
  m.output("r2", DType::kFloat32, {4});
  m.output("d", DType::kFloat64, {4});      // Cast to another type
  m.output("mask", DType::kBool, {4});      // Dropout mask is read
  m.output("t", DType::kFloat32, {8});      // Tile with repeats 2
  m.output("drop", DType::kFloat32, {4});
  m.node("Identity", {"x"}, {"y"});
  m.node("Relu", {"x"}, {"r"});
  m.node("Identity", {"r"}, {"r2"});
  set_int(m.node("Cast", {"x"}, {"d"}), "to", static_cast<int64_t>(DType::kFloat64));
  m.node("Dropout", {"x"}, {"drop", "mask"});
  m.initializer("twice", ints({2}));
  m.node("Tile", {"x", "twice"}, {"t"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  EXPECT_EQ(r.graph.nodes.size(), 6u);
  EXPECT_EQ(r.report.rewrites["EliminateNoOps"], 0);
  expect_same_outputs(bytes, r, {{"x", random_floats({4}, 3)}}, 0.0);
}

TEST(EliminateNoOps, DropoutInTrainingModeStays) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {4});
  m.output("y", DType::kFloat32, {4});
  m.initializer("ratio", floats({}, {0.5f}));
  m.initializer("training", Tensor::from_vector<bool>({}, {true}));
  m.node("Dropout", {"x", "ratio", "training"}, {"d"});
  m.node("Relu", {"d"}, {"y"});
  PassResult r = run_passes(m.bytes(), kPass);
  EXPECT_EQ(count_ops(r.graph, "Dropout"), 1);
}

}  // namespace
}  // namespace onyx::test
