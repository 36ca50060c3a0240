// ConstantFolding: constant subgraphs, Shape of static values, Shape -> Gather / Slice of static dims; and what must
// not fold (random ops, graph outputs, blow-ups, dims that are not static). Expected outputs: the same model run
// unoptimized (level 0) by onyx.
#include <gtest/gtest.h>

#include "tests/passes/o1_test_util.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

const std::vector<std::string> kPass = {"ConstantFolding"};

TEST(ConstantFolding, FoldsConstantNodesAndTheirArithmetic) {
  // y = x + (c + w) * w, with c a Constant node and w an initializer: only the last Add stays.
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3});
  m.output("y", DType::kFloat32, {2, 3});
  m.initializer("w", random_floats({2, 3}, 7));
  constant_node(m, "c", random_floats({2, 3}, 8));
  m.node("Add", {"c", "w"}, {"t"});
  m.node("Mul", {"t", "w"}, {"u"});
  m.node("Add", {"x", "u"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult off = run_passes(bytes, {"EliminateNoOps"});
  EXPECT_EQ(off.graph.nodes.size(), 4u);
  PassResult r = run_passes(bytes, kPass);
  ASSERT_EQ(r.graph.nodes.size(), 1u);
  EXPECT_EQ(r.graph.nodes[0].inputs[1], "u");
  EXPECT_TRUE(r.graph.initializers.count("u"));
  EXPECT_FALSE(r.graph.initializers.count("w"));  // read only by folded nodes: dropped
  EXPECT_EQ(r.report.rewrites["ConstantFolding"], 3);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3}, 1)}});
}

TEST(ConstantFolding, FoldsShapeAndSizeOfAStaticInput) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, 3, 4});
  m.output("y", DType::kFloat32, {-1}, {"n"});
  m.output("size", DType::kInt64, {});
  m.node("Size", {"x"}, {"sz"});
  m.node("Identity", {"sz"}, {"size"});
  m.node("Shape", {"x"}, {"s"});
  m.node("ReduceProd", {"s"}, {"p"});
  m.initializer("one", ints({1}));
  m.node("Reshape", {"p", "one"}, {"p1"});
  m.node("Reshape", {"x", "p1"}, {"y"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  EXPECT_EQ(count_ops(r.graph, "Shape"), 0);
  EXPECT_EQ(count_ops(r.graph, "ReduceProd"), 0);
  EXPECT_EQ(count_ops(r.graph, "Size"), 0);
  ASSERT_EQ(r.graph.nodes.size(), 2u);  // Reshape, and the Identity writing graph output "size"
  ASSERT_TRUE(r.graph.initializers.count("sz"));
  EXPECT_EQ(r.graph.initializers.at("sz").data<int64_t>()[0], 24);
  const ir::Node& reshape = r.graph.nodes[0].op_type == "Reshape" ? r.graph.nodes[0] : r.graph.nodes[1];
  const Tensor& shape = r.graph.initializers.at(reshape.inputs[1]);
  ASSERT_EQ(shape.numel(), 1);
  EXPECT_EQ(shape.data<int64_t>()[0], 24);
  expect_same_outputs(bytes, r, {{"x", random_floats({2, 3, 4}, 2)}});
}

// x [batch, seq, 4] reshaped three ways with shapes built from Shape(x):
//   y = Relu(Reshape(x, Concat(Unsqueeze(Gather(s, 0)), -1, Unsqueeze(Gather(s, -1)))))      [batch, seq, 4]
//   w = Reshape(x, Concat(Unsqueeze(Gather(s, 0)), -1, Slice(s, 2, 3)))                       [batch, seq, 4]
//   z = Reshape(x, Concat(Unsqueeze(Gather(s, 0)), Unsqueeze(ReduceProd(Slice(s, 1, 3)))))    [batch, seq * 4]
std::string shape_chain_model() {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {-1, -1, 4}, {"batch", "seq"});
  m.output("y", DType::kFloat32, {-1, -1, 4}, {"batch", "seq"});
  m.output("w", DType::kFloat32, {-1, -1, 4}, {"batch", "seq"});
  m.output("z", DType::kFloat32, {-1, -1}, {"batch", "k"});
  m.node("Shape", {"x"}, {"s"});
  constant_node(m, "i0", Tensor::from_vector<int64_t>({}, {0}));
  constant_node(m, "i2", Tensor::from_vector<int64_t>({}, {-1}));  // last dim, negative index
  m.initializer("axes0", ints({0}));
  m.initializer("minus1", ints({-1}));
  m.node("Gather", {"s", "i0"}, {"b"});
  m.node("Gather", {"s", "i2"}, {"d"});
  m.node("Unsqueeze", {"b", "axes0"}, {"bu"});
  m.node("Unsqueeze", {"d", "axes0"}, {"du"});
  set_int(m.node("Concat", {"bu", "minus1", "du"}, {"shape"}), "axis", 0);
  m.node("Reshape", {"x", "shape"}, {"r"});
  m.node("Relu", {"r"}, {"y"});
  m.initializer("st2", ints({2}));
  m.initializer("st1", ints({1}));
  m.initializer("en3", ints({3}));
  m.node("Slice", {"s", "st2", "en3"}, {"last"});  // [4]: folds
  set_int(m.node("Concat", {"bu", "minus1", "last"}, {"shape2"}), "axis", 0);
  m.node("Reshape", {"x", "shape2"}, {"w"});
  m.node("Slice", {"s", "st1", "en3"}, {"tail"});  // [seq, 4]: does not fold
  set_int(m.node("ReduceProd", {"tail"}, {"tail_prod"}), "keepdims", 0);
  m.node("Unsqueeze", {"tail_prod", "axes0"}, {"tp"});
  set_int(m.node("Concat", {"bu", "tp"}, {"shape3"}), "axis", 0);
  m.node("Reshape", {"x", "shape3"}, {"z"});
  return m.bytes();
}

TEST(ConstantFolding, FoldsShapeGatherAndSliceOfStaticDimsOnly) {
  const std::string bytes = shape_chain_model();
  PassResult r = run_passes(bytes, kPass);
  // Gather(s, -1) [= 4], its Unsqueeze and Slice(s, 2:3) fold; Gather(s, 0) [batch] and Slice(s, 1:3) [seq, 4] do not.
  EXPECT_EQ(count_ops(r.graph, "Shape"), 1);
  EXPECT_EQ(count_ops(r.graph, "Gather"), 1);
  EXPECT_EQ(count_ops(r.graph, "Unsqueeze"), 2);  // batch's and tail_prod's
  EXPECT_EQ(count_ops(r.graph, "Slice"), 1);
  EXPECT_EQ(count_ops(r.graph, "Constant"), 0);
  ASSERT_TRUE(r.graph.initializers.count("du"));
  EXPECT_EQ(r.graph.initializers.at("du").data<int64_t>()[0], 4);
  ASSERT_TRUE(r.graph.initializers.count("last"));
  EXPECT_EQ(r.graph.initializers.at("last").shape(), (Shape{1}));
  EXPECT_EQ(r.graph.initializers.at("last").data<int64_t>()[0], 4);
  EXPECT_EQ(count_ops(r.graph, "Concat"), 3);
  expect_same_outputs(bytes, r, {{"x", random_floats({3, 5, 4}, 3)}});
}

TEST(ConstantFolding, KeepsGraphOutputsRandomOpsAndBlowUps) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2});
  m.output("y", DType::kFloat32, {2});
  m.output("big_sum", DType::kFloat32, {});
  m.output("noise", DType::kFloat32, {2});
  m.initializer("a", floats({2}, {1, 2}));
  m.initializer("b", floats({2}, {3, 4}));
  m.node("Add", {"a", "b"}, {"y"});  // a graph output: stays produced by its node
  m.initializer("big_shape", ints({4096, 4097}));  // 16.8M elements > the fold limit
  auto& cos = m.node("ConstantOfShape", {"big_shape"}, {"big"});
  auto* v = cos.add_attribute();
  v->set_name("value");
  v->set_type(onnx::AttributeProto::TENSOR);
  onnx_io::tensor_to_proto(floats({1}, {0.5f}), "", v->mutable_t());
  set_int(m.node("ReduceSum", {"big"}, {"big_sum"}), "keepdims", 0);
  m.node("RandomUniformLike", {"a"}, {"r"});
  m.node("Add", {"r", "x"}, {"noise"});
  PassResult r = run_passes(m.bytes(), kPass);
  EXPECT_EQ(count_ops(r.graph, "Add"), 2);
  EXPECT_EQ(count_ops(r.graph, "ConstantOfShape"), 1);
  EXPECT_EQ(count_ops(r.graph, "RandomUniformLike"), 1);
  EXPECT_EQ(r.report.rewrites["ConstantFolding"], 0);
}

TEST(ConstantFolding, FoldedChainFeedsAGraphOutputNode) {
  // The node writing the graph output stays, its constant inputs fold: y = Identity(c * 2).
  ModelBuilder m(17);
  m.input("x", DType::kFloat32, {2});
  m.output("y", DType::kFloat32, {2});
  m.output("z", DType::kFloat32, {2});
  constant_node(m, "c", floats({2}, {1.5f, -2.f}));
  m.initializer("two", floats({}, {2.f}));
  m.node("Mul", {"c", "two"}, {"c2"});
  m.node("Identity", {"c2"}, {"y"});
  m.node("Add", {"x", "c2"}, {"z"});
  const std::string bytes = m.bytes();
  PassResult r = run_passes(bytes, kPass);
  EXPECT_EQ(count_ops(r.graph, "Mul"), 0);
  EXPECT_EQ(count_ops(r.graph, "Identity"), 1);
  EXPECT_EQ(count_ops(r.graph, "Add"), 1);
  expect_same_outputs(bytes, r, {{"x", random_floats({2}, 4)}}, 0.0);
}

}  // namespace
}  // namespace onyx::test
