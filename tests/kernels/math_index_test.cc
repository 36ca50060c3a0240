// CumSum, ArgMax / ArgMin, TopK and MeanVarianceNormalization on small hand-checked cases.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

TEST(MathCumSum, ExclusiveReverseAndAxis) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor axis1 = Tensor::from_vector<int64_t>({}, {1}), axis0 = Tensor::from_vector<int32_t>({}, {-2});
  auto plain = run_node(make_node("CumSum", 2), {x, axis1}, 14);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(max_abs_diff((*plain)[0], Tensor::from_vector<float>({2, 3}, {1, 3, 6, 4, 9, 15})), 0.0);
  ir::Node er = make_node("CumSum", 2);
  math::set_int(er, "exclusive", 1);
  math::set_int(er, "reverse", 1);
  auto both = run_node(er, {x, axis1}, 14);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(max_abs_diff((*both)[0], Tensor::from_vector<float>({2, 3}, {5, 3, 0, 11, 6, 0})), 0.0);
  auto cols = run_node(make_node("CumSum", 2), {x, axis0}, 14);
  ASSERT_TRUE(cols.ok());
  EXPECT_EQ(max_abs_diff((*cols)[0], Tensor::from_vector<float>({2, 3}, {1, 2, 3, 5, 7, 9})), 0.0);
  EXPECT_FALSE(run_node(make_node("CumSum", 2), {x, Tensor::from_vector<int64_t>({}, {2})}, 14).ok());
}

TEST(MathArgMax, KeepdimsAndSelectLastIndex) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1, 7, 7, 5, 0, 5});
  ir::Node first = make_node("ArgMax", 1);
  math::set_int(first, "axis", -1);
  auto a = run_node(first, {x}, 13);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(max_abs_diff((*a)[0], Tensor::from_vector<int64_t>({2, 1}, {1, 0})), 0.0);
  ir::Node last = first;
  math::set_int(last, "select_last_index", 1);
  math::set_int(last, "keepdims", 0);
  auto b = run_node(last, {x}, 13);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(max_abs_diff((*b)[0], Tensor::from_vector<int64_t>({2}, {2, 2})), 0.0);
  ir::Node mn = make_node("ArgMin", 1);
  auto c = run_node(mn, {x}, 13);  // axis 0
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(max_abs_diff((*c)[0], Tensor::from_vector<int64_t>({1, 3}, {0, 1, 1})), 0.0);
}

TEST(MathTopK, LargestSmallestAndTies) {
  const Tensor x = Tensor::from_vector<float>({2, 4}, {3, 1, 3, 2, 0, 5, 4, 5});
  const Tensor k = Tensor::from_vector<int64_t>({1}, {2});
  auto top = run_node(make_node("TopK", 2, 2), {x, k}, 11, 2);
  ASSERT_TRUE(top.ok()) << top.status().to_string();
  EXPECT_EQ(max_abs_diff((*top)[0], Tensor::from_vector<float>({2, 2}, {3, 3, 5, 5})), 0.0);
  EXPECT_EQ(max_abs_diff((*top)[1], Tensor::from_vector<int64_t>({2, 2}, {0, 2, 1, 3})), 0.0);
  ir::Node small = make_node("TopK", 2, 2);
  math::set_int(small, "largest", 0);
  math::set_int(small, "axis", 0);
  auto bottom = run_node(small, {x, Tensor::from_vector<int64_t>({1}, {1})}, 11, 2);
  ASSERT_TRUE(bottom.ok());
  EXPECT_EQ(max_abs_diff((*bottom)[0], Tensor::from_vector<float>({1, 4}, {0, 1, 3, 2})), 0.0);
  EXPECT_FALSE(run_node(make_node("TopK", 2, 2), {x, Tensor::from_vector<int64_t>({1}, {5})}, 11, 2).ok());
}

TEST(MathMvn, NormalisesOverAxes) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1, 3, 10, 20});
  auto out = run_node(make_node("MeanVarianceNormalization", 1), {x}, 13);
  ASSERT_TRUE(out.ok());
  EXPECT_LE(max_abs_diff((*out)[0], Tensor::from_vector<float>({1, 2, 1, 2}, {-1, 1, -1, 1})), 1e-6);
}

}  // namespace
}  // namespace onyx::test
