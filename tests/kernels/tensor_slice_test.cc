// Slice edge cases: negative steps, clamping, INT64_MAX / INT64_MIN ends, empty results, opset-1 attributes,
// int32 inputs, and the errors (step 0, repeated or out-of-range axes, mismatched lengths).
// Expected values are worked out by hand from numpy slicing (x[start:end:step]).
#include <gtest/gtest.h>

#include <limits>

#include "tests/kernels/kernel_test_util.h"

namespace onyx::test {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Tensor iota_tensor(Shape shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::from_vector<float>(std::move(shape), v);
}

Tensor i64(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }

// Slices x with the opset-13 inputs; steps / axes may be empty (omitted).
Result<std::vector<Tensor>> slice(const Tensor& x, std::vector<int64_t> starts, std::vector<int64_t> ends,
                                  std::vector<int64_t> axes = {}, std::vector<int64_t> steps = {}) {
  ir::Node node = make_node("Slice", 5);
  std::vector<Tensor> in = {x, i64(starts), i64(ends), axes.empty() ? Tensor() : i64(axes),
                            steps.empty() ? Tensor() : i64(steps)};
  if (axes.empty()) node.inputs[3].clear();
  if (steps.empty()) node.inputs[4].clear();
  return run_node(node, in, 13);
}

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

TEST(TensorSlice, NegativeStepReverses) {
  auto out = slice(iota_tensor({6}), {kMax}, {kMin}, {0}, {-1});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{5, 4, 3, 2, 1, 0}));
  out = slice(iota_tensor({6}), {-2}, {0}, {0}, {-2});  // x[-2:0:-2] = [4, 2]
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{4, 2}));
  out = slice(iota_tensor({6}), {10}, {-10}, {0}, {-3});  // start clamps to 5, end to "before 0": [5, 2]
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{5, 2}));
}

TEST(TensorSlice, ClampsOutOfRangeStartsAndEnds) {
  auto out = slice(iota_tensor({3, 4}), {-100, 1}, {100, kMax});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 3}));
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{1, 2, 3, 5, 6, 7, 9, 10, 11}));
  out = slice(iota_tensor({3, 4}), {5}, {10}, {1});  // start past the end: empty
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 0}));
  out = slice(iota_tensor({3, 4}), {3}, {1}, {1});  // start after end with step 1: empty
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{3, 0}));
}

TEST(TensorSlice, NegativeAxesAndStepsOnInnerDim) {
  auto out = slice(iota_tensor({2, 3, 5}), {0, 4}, {kMax, kMin}, {-3, -1}, {1, -2});  // x[:, :, 4::-2]
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3, 3}));
  std::vector<float> want;
  for (int i = 0; i < 6; ++i)
    for (int j : {4, 2, 0}) want.push_back(static_cast<float>(i * 5 + j));
  EXPECT_EQ(values((*out)[0]), want);
}

TEST(TensorSlice, ZeroSizedInputAndHugeStep) {
  auto out = slice(iota_tensor({0, 4}), {0}, {kMax}, {1}, {2});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 2}));
  out = slice(iota_tensor({5}), {1}, {kMax}, {0}, {kMax});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{1}));
  out = slice(iota_tensor({5}), {3}, {kMin}, {0}, {kMin});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{3}));
}

TEST(TensorSlice, Int32InputsAndOtherDtypes) {
  ir::Node node = make_node("Slice", 3);
  const Tensor x = Tensor::from_vector<uint16_t>({5}, {10, 11, 12, 13, 14});
  auto out = run_node(node, {x, Tensor::from_vector<int32_t>({1}, {1}), Tensor::from_vector<int32_t>({1}, {-1})}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const Tensor& y = (*out)[0];
  ASSERT_EQ(y.shape(), (Shape{3}));
  EXPECT_EQ(y.data<uint16_t>()[0], 11);
  EXPECT_EQ(y.data<uint16_t>()[2], 13);
}

TEST(TensorSlice, Opset1Attributes) {
  ir::Node node = make_node("Slice", 1);
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = {1};
  node.attributes["starts"] = a;
  a.ints = {3};
  node.attributes["ends"] = a;
  a.ints = {1};
  node.attributes["axes"] = a;
  auto out = run_node(node, {iota_tensor({2, 4})}, 1);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values((*out)[0]), (std::vector<float>{1, 2, 5, 6}));
  node.attributes.erase("starts");
  EXPECT_FALSE(run_node(node, {iota_tensor({2, 4})}, 1).ok());
}

TEST(TensorSlice, Errors) {
  auto out = slice(iota_tensor({4}), {0}, {4}, {0}, {0});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("Slice_test"), std::string::npos) << out.status().to_string();
  EXPECT_NE(out.status().message().find("steps"), std::string::npos);
  out = slice(iota_tensor({4, 4}), {0, 0}, {1, 1}, {1, -1});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("repeated"), std::string::npos) << out.status().to_string();
  out = slice(iota_tensor({4, 4}), {0}, {1}, {2});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("[4, 4]"), std::string::npos) << out.status().to_string();
  out = slice(iota_tensor({4, 4}), {0, 0}, {1});
  ASSERT_FALSE(out.ok());
}

}  // namespace
}  // namespace onyx::test
