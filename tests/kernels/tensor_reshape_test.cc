// Reshape / Flatten / Squeeze / Unsqueeze: shape resolution (0 copies, -1 infers, allowzero), aliasing of
// the input buffer, and the errors (incompatible element counts, two -1s, bad axes) naming node and shapes.
// Expected shapes are worked out by hand from the ONNX spec's examples.
#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"

namespace onyx::test {
namespace {

Tensor i64(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }

Result<std::vector<Tensor>> reshape(const Tensor& x, std::vector<int64_t> shape, bool allow_zero = false) {
  ir::Node node = make_node("Reshape", 2);
  if (allow_zero) {
    ir::Attribute a;
    a.kind = ir::Attribute::Kind::kInt;
    a.i = 1;
    node.attributes["allowzero"] = a;
  }
  return run_node(node, {x, i64(std::move(shape))}, 14);
}

TEST(TensorReshape, ZeroCopiesAndMinusOneInfers) {
  const Tensor x = random_tensor(DType::kFloat16, {2, 3, 4}, 1);
  auto out = reshape(x, {0, -1});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 12}));
  EXPECT_EQ((*out)[0].raw_data(), x.raw_data());  // aliases the input, no copy
  out = reshape(x, {-1, 0, 2, 2});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3, 2, 2}));
}

TEST(TensorReshape, AllowZeroKeepsZeros) {
  const Tensor x = Tensor::empty(DType::kFloat32, {0, 3});
  auto out = reshape(x, {3, 0}, true);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 0}));
  EXPECT_FALSE(reshape(x, {-1, 0}, true).ok());  // ambiguous
  out = reshape(x, {-1, 3});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 3}));
}

TEST(TensorReshape, ErrorsNameNodeAndShapes) {
  const Tensor x = random_tensor(DType::kFloat32, {2, 3, 4}, 1);
  for (const auto& bad : std::vector<std::vector<int64_t>>{{5, -1}, {-1, -1}, {7, 4}, {0, 0, 0, 0}, {-2, 12}}) {
    auto out = reshape(x, bad);
    ASSERT_FALSE(out.ok()) << shape_to_string(bad);
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find("Reshape_test"), std::string::npos) << out.status().to_string();
    EXPECT_NE(out.status().message().find("[2, 3, 4]"), std::string::npos) << out.status().to_string();
  }
  // the shape input must be int64
  ir::Node node = make_node("Reshape", 2);
  EXPECT_FALSE(run_node(node, {x, Tensor::from_vector<float>({1}, {24})}).ok());
}

TEST(TensorReshape, Opset1ShapeAttribute) {
  ir::Node node = make_node("Reshape", 1);
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = {4, -1};
  node.attributes["shape"] = a;
  auto out = run_node(node, {random_tensor(DType::kInt32, {2, 3, 4}, 2)}, 1);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{4, 6}));
}

TEST(TensorFlatten, AxisZeroNegativeAndEmpty) {
  ir::Node node = make_node("Flatten", 1);
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  for (auto [axis, want] : std::vector<std::pair<int64_t, Shape>>{{0, {1, 24}}, {-1, {6, 4}}, {3, {24, 1}}}) {
    a.i = axis;
    node.attributes["axis"] = a;
    auto out = run_node(node, {random_tensor(DType::kFloat32, {2, 3, 4}, 1)});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), want) << axis;
  }
  a.i = 1;
  node.attributes["axis"] = a;
  auto out = run_node(node, {Tensor::empty(DType::kFloat32, {2, 0, 4})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 0}));
  a.i = 4;
  node.attributes["axis"] = a;
  EXPECT_FALSE(run_node(node, {random_tensor(DType::kFloat32, {2, 3, 4}, 1)}).ok());
}

TEST(TensorSqueeze, AxesInputAndErrors) {
  ir::Node node = make_node("Squeeze", 2);
  const Tensor x = random_tensor(DType::kFloat32, {1, 3, 1}, 1);
  auto out = run_node(node, {x, i64({-1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3}));
  node.inputs.resize(1);
  out = run_node(node, {x});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{3}));
  node.inputs.resize(2, "in1");
  out = run_node(node, {x, i64({1})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("[1, 3, 1]"), std::string::npos) << out.status().to_string();
}

TEST(TensorUnsqueeze, AttributeBeforeOpset13AndInputAfter) {
  ir::Node node = make_node("Unsqueeze", 1);
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = {0, -1};
  node.attributes["axes"] = a;
  const Tensor x = random_tensor(DType::kFloat32, {3}, 1);
  auto out = run_node(node, {x}, 11);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3, 1}));
  ir::Node node13 = make_node("Unsqueeze", 2);
  out = run_node(node13, {x, i64({2, 0})}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 3, 1}));
  EXPECT_FALSE(run_node(node13, {x, i64({0, 0})}, 13).ok());
  EXPECT_FALSE(run_node(node13, {x, i64({3})}, 13).ok());
}

}  // namespace
}  // namespace onyx::test
