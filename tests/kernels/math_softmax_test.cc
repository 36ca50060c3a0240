// Softmax / LogSoftmax / Hardmax: opset-12 (coerce to 2-D at axis) vs opset-13 (along one axis) semantics,
// against a plain reference; LayerNormalization against a reference with its Mean / InvStdDev outputs.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

// Softmax over [outer, d, inner] groups (log = LogSoftmax), double precision.
Tensor softmax_reference(const Tensor& x, int64_t outer, int64_t d, int64_t inner, bool log) {
  Tensor y = Tensor::empty(DType::kFloat32, x.shape());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * d + j) * inner + i; };
      double mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < d; ++j) mx = std::max(mx, static_cast<double>(x.data<float>()[at(j)]));
      for (int64_t j = 0; j < d; ++j) sum += std::exp(x.data<float>()[at(j)] - mx);
      for (int64_t j = 0; j < d; ++j) {
        const double v = x.data<float>()[at(j)] - mx;
        y.data<float>()[at(j)] = static_cast<float>(log ? v - std::log(sum) : std::exp(v) / sum);
      }
    }
  return y;
}

TEST(MathSoftmax, Opset12CoercesTo2DAndOpset13UsesOneAxis) {
  const Tensor x = random_tensor(DType::kFloat32, {2, 3, 4}, 5, -5, 5);
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    const bool log = std::string(op) == "LogSoftmax";
    ir::Node node = make_node(op, 1);
    math::set_int(node, "axis", 1);
    auto v12 = run_node(node, {x}, 12);
    auto v13 = run_node(node, {x}, 13);
    ASSERT_TRUE(v12.ok() && v13.ok());
    EXPECT_LE(max_abs_diff((*v12)[0], softmax_reference(x, 2, 12, 1, log)), 1e-5) << op;  // rows of 3*4
    EXPECT_LE(max_abs_diff((*v13)[0], softmax_reference(x, 2, 3, 4, log)), 1e-5) << op;  // along axis 1
    // defaults: axis 1 before 13, -1 from 13
    ir::Node plain = make_node(op, 1);
    auto d12 = run_node(plain, {x}, 11);
    auto d13 = run_node(plain, {x}, 13);
    ASSERT_TRUE(d12.ok() && d13.ok());
    EXPECT_LE(max_abs_diff((*d12)[0], softmax_reference(x, 2, 12, 1, log)), 1e-5) << op;
    EXPECT_LE(max_abs_diff((*d13)[0], softmax_reference(x, 6, 4, 1, log)), 1e-5) << op;
  }
}

TEST(MathSoftmax, LargeValuesAreStable) {
  const Tensor x = Tensor::from_vector<float>({1, 3}, {1000.0f, 1001.0f, 1002.0f});
  auto out = run_node(make_node("Softmax", 1), {x}, 13);
  ASSERT_TRUE(out.ok());
  EXPECT_LE(max_abs_diff((*out)[0], softmax_reference(x, 1, 3, 1, false)), 1e-6);
  EXPECT_FALSE(run_node([] {
                 ir::Node n = make_node("Softmax", 1);
                 math::set_int(n, "axis", 3);
                 return n;
               }(), {x}, 13)
                   .ok());
}

TEST(MathHardmax, FirstMaximumWins) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1, 3, 3, 2, 0, 2});
  auto out = run_node(make_node("Hardmax", 1), {x}, 13);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(max_abs_diff((*out)[0], Tensor::from_vector<float>({2, 3}, {0, 1, 0, 1, 0, 0})), 0.0);
  ir::Node axis0 = make_node("Hardmax", 1);
  math::set_int(axis0, "axis", 0);
  auto out0 = run_node(axis0, {x}, 13);
  ASSERT_TRUE(out0.ok());
  EXPECT_EQ(max_abs_diff((*out0)[0], Tensor::from_vector<float>({2, 3}, {0, 1, 1, 1, 0, 0})), 0.0);
  auto old0 = run_node(axis0, {x}, 11);  // coerced to [1, 6]: one winner overall
  ASSERT_TRUE(old0.ok());
  EXPECT_EQ(max_abs_diff((*old0)[0], Tensor::from_vector<float>({2, 3}, {0, 1, 0, 0, 0, 0})), 0.0);
}

TEST(MathLayerNorm, MatchesReferenceWithStatistics) {
  const Shape shape{2, 3, 8};
  const Tensor x = random_tensor(DType::kFloat32, shape, 3, -2, 2);
  for (int64_t axis : {-1, 1, 0}) {
    const int64_t a = axis < 0 ? axis + 3 : axis;
    Shape norm(shape.begin() + a, shape.end());
    const int64_t d = shape_numel(norm), rows = x.numel() / d;
    const Tensor scale = random_tensor(DType::kFloat32, norm, 4), bias = random_tensor(DType::kFloat32, norm, 5);
    ir::Node node = make_node("LayerNormalization", 3, 3);
    math::set_int(node, "axis", axis);
    math::set_float(node, "epsilon", 1e-3f);
    auto out = run_node(node, {x, scale, bias}, 17, 3);
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    Tensor y = Tensor::empty(DType::kFloat32, shape);
    Shape stat_shape = shape;
    for (size_t i = a; i < 3; ++i) stat_shape[i] = 1;
    Tensor mean_t = Tensor::empty(DType::kFloat32, stat_shape), inv_t = Tensor::empty(DType::kFloat32, stat_shape);
    for (int64_t r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int64_t j = 0; j < d; ++j) mean += x.data<float>()[r * d + j];
      mean /= d;
      for (int64_t j = 0; j < d; ++j) var += std::pow(x.data<float>()[r * d + j] - mean, 2);
      const double inv = 1.0 / std::sqrt(var / d + 1e-3);
      for (int64_t j = 0; j < d; ++j)
        y.data<float>()[r * d + j] = static_cast<float>((x.data<float>()[r * d + j] - mean) * inv *
                                                            scale.data<float>()[j] + bias.data<float>()[j]);
      mean_t.data<float>()[r] = static_cast<float>(mean);
      inv_t.data<float>()[r] = static_cast<float>(inv);
    }
    EXPECT_LE(max_abs_diff((*out)[0], y), 1e-4) << "axis " << axis;
    EXPECT_LE(max_abs_diff((*out)[1], mean_t), 1e-5) << "axis " << axis;
    EXPECT_LE(max_abs_diff((*out)[2], inv_t), 1e-4) << "axis " << axis;
  }
}

TEST(MathLayerNorm, ScalarScaleBroadcastsAndBadScaleFails) {
  const Tensor x = random_tensor(DType::kFloat32, {4, 6}, 9);
  auto out = run_node(make_node("LayerNormalization", 2), {x, Tensor::from_vector<float>({1}, {2.0f})}, 17);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  auto plain = run_node(make_node("LayerNormalization", 2),
                        {x, Tensor::from_vector<float>({6}, std::vector<float>(6, 2.0f))}, 17);
  ASSERT_TRUE(plain.ok());
  EXPECT_LE(max_abs_diff((*out)[0], (*plain)[0]), 1e-6);
  EXPECT_FALSE(run_node(make_node("LayerNormalization", 2), {x, random_tensor(DType::kFloat32, {5}, 1)}, 17).ok());
}

}  // namespace
}  // namespace onyx::test
