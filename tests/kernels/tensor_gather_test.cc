// Gather / GatherElements / GatherND / ScatterND / ScatterElements: negative indices, out-of-range indices
// (an InvalidArgument status naming the node, never a wild read), non-float dtypes.
// Expected values are worked out by hand from numpy (np.take / np.take_along_axis).
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

Tensor iota_f32(Shape shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>(std::move(shape), v);
}

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

TEST(TensorGather, NegativeIndicesCountFromTheBack) {
  ir::Node node = make_node("Gather", 2);
  node.attributes["axis"] = int_attr(1);
  auto out = run_node(node, {iota_f32({2, 4}), Tensor::from_vector<int64_t>({2, 1}, {-1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2, 1}));
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{3, 1, 7, 5}));
}

TEST(TensorGather, Int32IndicesScalarIndexAndBoolData) {
  ir::Node node = make_node("Gather", 2);
  const Tensor data = Tensor::from_vector<bool>({3, 2}, {true, false, false, false, true, true});
  auto out = run_node(node, {data, Tensor::from_vector<int32_t>({}, {-1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_TRUE((*out)[0].data<bool>()[0]);
  EXPECT_TRUE((*out)[0].data<bool>()[1]);
}

TEST(TensorGather, OutOfRangeIndexIsAnErrorNamingTheNode) {
  ir::Node node = make_node("Gather", 2);
  for (int64_t bad : std::vector<int64_t>{4, -5, int64_t{1} << 40}) {
    auto out = run_node(node, {iota_f32({4, 2}), Tensor::from_vector<int64_t>({2}, {0, bad})});
    ASSERT_FALSE(out.ok()) << bad;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(out.status().message().find("Gather_test"), std::string::npos) << out.status().to_string();
    EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status().to_string();
  }
  node.attributes["axis"] = int_attr(2);
  EXPECT_FALSE(run_node(node, {iota_f32({4, 2}), Tensor::from_vector<int64_t>({1}, {0})}).ok());
}

TEST(TensorGather, EmptyIndicesGiveEmptyOutput) {
  ir::Node node = make_node("Gather", 2);
  auto out = run_node(node, {iota_f32({4, 3}), Tensor::from_vector<int64_t>({0}, {})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 3}));
}

TEST(TensorGatherElements, NegativeAndOutOfRange) {
  ir::Node node = make_node("GatherElements", 2);
  node.attributes["axis"] = int_attr(1);
  auto out = run_node(node, {iota_f32({2, 3}), Tensor::from_vector<int64_t>({2, 2}, {-1, 0, 1, -3})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{2, 0, 4, 3}));
  out = run_node(node, {iota_f32({2, 3}), Tensor::from_vector<int64_t>({2, 1}, {3, 0})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("GatherElements_test"), std::string::npos);
  // indices larger than data outside the axis would read past the buffer: rejected
  out = run_node(node, {iota_f32({2, 3}), Tensor::from_vector<int64_t>({3, 1}, {0, 0, 0})});
  ASSERT_FALSE(out.ok());
}

TEST(TensorGatherNd, BatchDimsAndOutOfRange) {
  ir::Node node = make_node("GatherND", 2);
  node.attributes["batch_dims"] = int_attr(1);
  // data [2, 2, 2], indices [2, 1]: out[b] = data[b, idx[b]]
  auto out = run_node(node, {iota_f32({2, 2, 2}), Tensor::from_vector<int64_t>({2, 1}, {1, -2})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{2, 3, 4, 5}));
  out = run_node(node, {iota_f32({2, 2, 2}), Tensor::from_vector<int64_t>({2, 1}, {1, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("out of range"), std::string::npos) << out.status().to_string();
}

TEST(TensorScatterNd, OutOfRangeAndReduction) {
  ir::Node node = make_node("ScatterND", 3);
  const Tensor updates = Tensor::from_vector<float>({2}, {10, 20});
  auto out = run_node(node, {iota_f32({4}), Tensor::from_vector<int64_t>({2, 1}, {-1, 4}), updates});
  ASSERT_FALSE(out.ok());
  ir::Attribute add;
  add.kind = ir::Attribute::Kind::kString;
  add.s = "add";
  node.attributes["reduction"] = add;
  out = run_node(node, {iota_f32({4}), Tensor::from_vector<int64_t>({2, 1}, {-1, -1}), updates}, 16);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{0, 1, 2, 33}));
}

TEST(TensorScatterElements, NegativeIndicesAndOutOfRange) {
  ir::Node node = make_node("ScatterElements", 3);
  node.attributes["axis"] = int_attr(-1);
  const Tensor updates = Tensor::from_vector<float>({1, 2}, {-1, -2});
  auto out = run_node(node, {iota_f32({2, 3}), Tensor::from_vector<int64_t>({1, 2}, {-1, 0}), updates});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{-2, 1, -1, 3, 4, 5}));
  out = run_node(node, {iota_f32({2, 3}), Tensor::from_vector<int64_t>({1, 2}, {-4, 0}), updates});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("ScatterElements_test"), std::string::npos);
}

}  // namespace
}  // namespace onyx::test
