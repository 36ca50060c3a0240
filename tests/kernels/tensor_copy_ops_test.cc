// Concat / Split / Expand / Tile / Pad / Trilu / OneHot / Dropout / Range: results on small cases and the
// shape errors (a Status naming the node and the shapes). Expected values are worked out by hand from
// numpy (np.concatenate, np.broadcast_to, np.tile, np.pad, np.triu, np.arange).
#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"

namespace onyx::test {
namespace {

ir::Attribute int_attr(int64_t v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
  return a;
}

ir::Attribute string_attr(std::string s) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = std::move(s);
  return a;
}

Tensor iota_f32(Shape shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>(std::move(shape), v);
}

Tensor i64(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

void expect_error_mentions(const Result<std::vector<Tensor>>& out, const std::string& what) {
  ASSERT_FALSE(out.ok()) << "expected an error mentioning " << what;
  EXPECT_NE(out.status().message().find(what), std::string::npos) << out.status().to_string();
}

TEST(TensorConcat, NegativeAxisEmptyInputAndMismatch) {
  ir::Node node = make_node("Concat", 3);
  node.attributes["axis"] = int_attr(-1);
  auto out = run_node(node, {iota_f32({2, 1}), iota_f32({2, 0}), iota_f32({2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 0, 1, 1, 2, 3}));
  out = run_node(node, {iota_f32({2, 1}), iota_f32({3, 1}), iota_f32({2, 2})});
  expect_error_mentions(out, "[3, 1]");
  expect_error_mentions(out, "Concat_test");
  expect_error_mentions(run_node(node, {iota_f32({2, 1}), iota_f32({2}), iota_f32({2, 2})}), "[2]");
}

TEST(TensorSplit, SizesFromInputAndEqualParts) {
  ir::Node node = make_node("Split", 2, 2);
  node.attributes["axis"] = int_attr(1);
  auto out = run_node(node, {iota_f32({2, 3}), i64({1, 2})}, 13, 2);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 3}));
  EXPECT_EQ(values((*out)[1]), (std::vector<float>{1, 2, 4, 5}));
  expect_error_mentions(run_node(node, {iota_f32({2, 3}), i64({2, 2})}, 13, 2), "[2, 3]");
  node.inputs.resize(1);
  expect_error_mentions(run_node(node, {iota_f32({2, 3})}, 13, 2), "equal parts");
}

TEST(TensorExpand, BroadcastsBothWaysAndRejectsIncompatible) {
  ir::Node node = make_node("Expand", 2);
  auto out = run_node(node, {iota_f32({3, 1}), i64({2, 1, 2})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2}));
  out = run_node(node, {iota_f32({3, 1}), i64({1})});  // a 1 keeps the input's dims
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 1}));
  out = run_node(node, {iota_f32({3, 2}), i64({4, 2})});
  expect_error_mentions(out, "[3, 2]");
  expect_error_mentions(out, "[4, 2]");
}

TEST(TensorTile, RepeatsAndOpset1AxisForm) {
  ir::Node node = make_node("Tile", 2);
  auto out = run_node(node, {iota_f32({2, 2}), i64({2, 1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 1, 2, 3, 0, 1, 2, 3}));
  out = run_node(node, {iota_f32({1, 2}), i64({1, 3})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 1, 0, 1, 0, 1}));
  ir::Node old = make_node("Tile", 3);
  out = run_node(old, {iota_f32({1, 2}), i64({2}), i64({0})}, 1);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  expect_error_mentions(run_node(node, {iota_f32({2, 2}), i64({2})}), "repeats");
}

TEST(TensorPad, ConstantReflectEdgeAndCrop) {
  ir::Node node = make_node("Pad", 3);
  const Tensor x = iota_f32({1, 3});
  auto out = run_node(node, {x, i64({0, 2, 0, 1}), Tensor::from_vector<float>({}, {9})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{9, 9, 0, 1, 2, 9}));
  node.attributes["mode"] = string_attr("reflect");
  node.inputs.resize(2);
  out = run_node(node, {x, i64({0, 2, 0, 2})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{2, 1, 0, 1, 2, 1, 0}));  // np.pad(.., 'reflect')
  node.attributes["mode"] = string_attr("edge");
  out = run_node(node, {x, i64({1, 1, 0, -1})});  // pad one row before, crop one column after
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 0, 1, 0, 0, 1}));
  expect_error_mentions(run_node(node, {x, i64({0, 1})}), "pads");
  expect_error_mentions(run_node(node, {x, i64({0, -4, 0, 0})}), "[1, 3]");
}

TEST(TensorTrilu, UpperLowerWithK) {
  ir::Node node = make_node("Trilu", 2);
  auto out = run_node(node, {iota_f32({3, 3}), Tensor::from_vector<int64_t>({}, {1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 1, 2, 0, 0, 5, 0, 0, 0}));
  node.attributes["upper"] = int_attr(0);
  out = run_node(node, {iota_f32({2, 3}), Tensor::from_vector<int64_t>({}, {-1})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 0, 0, 3, 0, 0}));
}

TEST(TensorOneHot, AxisAndNegativeIndices) {
  ir::Node node = make_node("OneHot", 3);
  node.attributes["axis"] = int_attr(0);
  auto out = run_node(node, {Tensor::from_vector<int64_t>({2}, {-1, 5}), Tensor::from_vector<int64_t>({}, {3}),
                             Tensor::from_vector<float>({2}, {0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 0, 0, 0, 1, 0}));  // 5 is out of range: all off
}

TEST(TensorDropout, InferenceAliasesAndMaskIsTrue) {
  ir::Node node = make_node("Dropout", 1, 2);
  const Tensor x = iota_f32({4});
  auto out = run_node(node, {x}, 13, 2);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].raw_data(), x.raw_data());
  ASSERT_EQ((*out)[1].dtype(), DType::kBool);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE((*out)[1].data<bool>()[i]);
}

TEST(TensorRange, IntAndFloatAndEmpty) {
  ir::Node node = make_node("Range", 3);
  auto out = run_node(node, {Tensor::from_vector<int32_t>({}, {10}), Tensor::from_vector<int32_t>({}, {4}),
                             Tensor::from_vector<int32_t>({}, {-3})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_EQ((*out)[0].data<int32_t>()[1], 7);
  out = run_node(node, {Tensor::from_vector<float>({}, {1}), Tensor::from_vector<float>({}, {0}),
                        Tensor::from_vector<float>({}, {1})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{0}));
}

}  // namespace
}  // namespace onyx::test
