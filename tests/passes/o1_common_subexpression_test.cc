// CommonSubexpression: equal nodes (op, inputs, attributes) and equal constants merge, transitively; different
// attributes, random ops and graph outputs do not. Expected outputs: the same model run unoptimized (level 0).
#include <gtest/gtest.h>

#include "tests/passes/o1_test_util.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

const std::vector<std::string> kPass = {"CommonSubexpression"};

TEST(CommonSubexpression, EqualNodesMergeTransitively) {
  // Two Relu -> Sigmoid chains of x merge into one; Add(a, b) then reads the same value twice.
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3});
  m.output("y", DType::kFloat32, {2, 3});
  m.node("Relu", {"x"}, {"r1"});
  m.node("Relu", {"x"}, {"r2"});
  m.node("Sigmoid", {"r1"}, {"a"});
  m.node("Sigmoid", {"r2"}, {"b"});
  m.node("Add", {"a", "b"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  EXPECT_EQ(count_ops(r.graph, "Relu"), 1);
  EXPECT_EQ(count_ops(r.graph, "Sigmoid"), 1);
  EXPECT_EQ(r.report.rewrites["CommonSubexpression"], 2);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3}, 1)}}, 0.0);
}

TEST(CommonSubexpression, EqualConstantsMergeDifferentOnesDoNot) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2});
  m.output("y", DType::kFloat32, {2});
  constant_node(m, "c1", floats({2}, {1.f, 2.f}));
  constant_node(m, "c2", floats({2}, {1.f, 2.f}));
  constant_node(m, "c3", floats({2}, {1.f, 3.f}));
  m.initializer("i1", floats({2}, {5.f, 6.f}));
  m.initializer("i2", floats({2}, {5.f, 6.f}));
  m.node("Add", {"x", "c1"}, {"a1"});
  m.node("Add", {"x", "c2"}, {"a2"});  // same as a1 once c2 is c1
  m.node("Add", {"x", "c3"}, {"a3"});
  m.node("Mul", {"a1", "i1"}, {"m1"});
  m.node("Mul", {"a2", "i2"}, {"m2"});  // same as m1 once i2 is i1
  m.node("Sum", {"m1", "m2", "a3"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  EXPECT_EQ(count_ops(r.graph, "Constant"), 2);
  EXPECT_EQ(count_ops(r.graph, "Add"), 2);
  EXPECT_EQ(count_ops(r.graph, "Mul"), 1);
  EXPECT_EQ(r.graph.initializers.size(), 1u);
  expect_same_outputs(bytes, r, {{"x", random_floats({2}, 2)}}, 0.0);
}

TEST(CommonSubexpression, DifferentAttributesRandomOpsAndGraphOutputsStay) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3});
  m.output("y", DType::kFloat32, {2, 3});
  m.output("o1", DType::kFloat32, {2, 3});
  m.output("o2", DType::kFloat32, {2, 3});
  set_float(m.node("LeakyRelu", {"x"}, {"l1"}), "alpha", 0.1f);
  set_float(m.node("LeakyRelu", {"x"}, {"l2"}), "alpha", 0.2f);
  m.node("Add", {"l1", "l2"}, {"y"});
  m.node("Tanh", {"x"}, {"o1"});  // both are graph outputs: both stay
  m.node("Tanh", {"x"}, {"o2"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  EXPECT_EQ(count_ops(r.graph, "LeakyRelu"), 2);
  EXPECT_EQ(count_ops(r.graph, "Tanh"), 2);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3}, 3)}}, 0.0);

  ModelBuilder rnd(14);
  rnd.input("x", DType::kFloat32, {2});
  rnd.output("y", DType::kFloat32, {2});
  rnd.node("RandomUniformLike", {"x"}, {"r1"});
  rnd.node("RandomUniformLike", {"x"}, {"r2"});
  rnd.node("Sub", {"r1", "r2"}, {"y"});
  PassResult rr = run_passes(rnd.bytes(), kPass);
  EXPECT_EQ(count_ops(rr.graph, "RandomUniformLike"), 2);
}

}  // namespace
}  // namespace onyx::test
