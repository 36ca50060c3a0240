// SimplifiedLayerNormalization, LayerNormalization before opset 17, SkipLayerNormalization and
// SkipSimplifiedLayerNormalization against a double-precision reference composed from the definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/kernels/contrib_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

using contrib::ms_node;
using contrib::run_ms;

struct NormRef {
  Tensor y, mean, inv, sum;
};

// Per row of h values: sum = x + skip(row % skip_rows) + bias; LN (or RMS) of sum, * gamma + beta.
NormRef norm_ref(const Tensor& x, const Tensor* skip, const Tensor* gamma, const Tensor* beta, const Tensor* bias,
                 int64_t h, float eps, bool rms) {
  NormRef r;
  Shape stat = x.shape();
  for (size_t i = 0; i < stat.size(); ++i) {
    int64_t tail = 1;
    for (size_t j = i; j < stat.size(); ++j) tail *= x.dim(j);
    if (tail <= h) stat[i] = 1;
  }
  r.y = Tensor::empty(DType::kFloat32, x.shape());
  r.sum = Tensor::empty(DType::kFloat32, x.shape());
  r.mean = Tensor::empty(DType::kFloat32, stat);
  r.inv = Tensor::empty(DType::kFloat32, stat);
  const int64_t rows = x.numel() / h;
  const int64_t skip_rows = skip ? skip->numel() / h : 1;
  for (int64_t row = 0; row < rows; ++row) {
    std::vector<double> v(h);
    for (int64_t j = 0; j < h; ++j) {
      v[j] = x.data<float>()[row * h + j];
      if (skip) v[j] += skip->data<float>()[(row % skip_rows) * h + j];
      if (bias) v[j] += bias->data<float>()[j];
      r.sum.data<float>()[row * h + j] = static_cast<float>(v[j]);
    }
    double mean = 0, var = 0;
    if (!rms) {
      for (double a : v) mean += a;
      mean /= h;
    }
    for (double a : v) var += (a - mean) * (a - mean);
    const double inv = 1.0 / std::sqrt(var / h + eps);
    for (int64_t j = 0; j < h; ++j)
      r.y.data<float>()[row * h + j] =
          static_cast<float>((v[j] - mean) * inv * gamma->data<float>()[j] + (beta ? beta->data<float>()[j] : 0.0));
    r.mean.data<float>()[row] = static_cast<float>(mean);
    r.inv.data<float>()[row] = static_cast<float>(inv);
  }
  return r;
}

TEST(ContribNorm, SimplifiedLayerNormalizationIsRmsNorm) {
  for (auto [shape, axis] : {std::pair{Shape{3, 5, 19}, int64_t{-1}}, std::pair{Shape{2, 3, 4, 6}, int64_t{2}},
                             std::pair{Shape{1, 1}, int64_t{-1}}}) {
    const int64_t h = shape_numel(std::span(shape).subspan(axis < 0 ? shape.size() + axis : axis));
    const Tensor x = random_tensor(DType::kFloat32, shape, 21, -3, 3);
    const Tensor scale = random_tensor(DType::kFloat32, {h}, 22);
    ir::Node node = make_node("SimplifiedLayerNormalization", 2, 2);
    math::set_int(node, "axis", axis);
    math::set_float(node, "epsilon", 1e-6f);
    auto out = run_node(node, {x, scale}, 1, 2);
    ASSERT_TRUE(out.ok()) << out.status().message();
    const NormRef ref = norm_ref(x, nullptr, &scale, nullptr, nullptr, h, 1e-6f, true);
    EXPECT_LE(max_abs_diff((*out)[0], ref.y), 1e-5);
    EXPECT_LE(max_abs_diff((*out)[1], ref.inv), 1e-5);
  }
}

TEST(ContribNorm, LayerNormalizationBeforeOpset17UsesTheContribRange) {
  const Tensor x = random_tensor(DType::kFloat32, {4, 7, 10}, 31, -2, 2);
  const Tensor scale = random_tensor(DType::kFloat32, {10}, 32);
  const Tensor bias = random_tensor(DType::kFloat32, {10}, 33);
  ir::Node node = make_node("LayerNormalization", 3, 3);
  for (int64_t opset : {1, 11, 16, 17}) {
    auto out = run_node(node, {x, scale, bias}, opset, 3);
    ASSERT_TRUE(out.ok()) << opset << ": " << out.status().message();
    const NormRef ref = norm_ref(x, nullptr, &scale, &bias, nullptr, 10, 1e-5f, false);
    EXPECT_LE(max_abs_diff((*out)[0], ref.y), 1e-5) << opset;
    EXPECT_LE(max_abs_diff((*out)[1], ref.mean), 1e-6) << opset;
    EXPECT_LE(max_abs_diff((*out)[2], ref.inv), 1e-5) << opset;
  }
}

TEST(ContribNorm, SkipLayerNormalizationAllInputsAndOutputs) {
  const int64_t b = 3, s = 5, h = 37;
  const Tensor x = random_tensor(DType::kFloat32, {b, s, h}, 41, -2, 2);
  const Tensor gamma = random_tensor(DType::kFloat32, {h}, 42);
  const Tensor beta = random_tensor(DType::kFloat32, {h}, 43);
  const Tensor bias = random_tensor(DType::kFloat32, {h}, 44);
  for (Shape skip_shape : {Shape{b, s, h}, Shape{1, s, h}, Shape{s, h}}) {
    const Tensor skip = random_tensor(DType::kFloat32, skip_shape, 45, -2, 2);
    ir::Node node = ms_node("SkipLayerNormalization", 5, 4);
    math::set_float(node, "epsilon", 1e-5f);
    auto out = run_ms(node, {x, skip, gamma, beta, bias}, 4);
    ASSERT_TRUE(out.ok()) << out.status().message();
    const NormRef ref = norm_ref(x, &skip, &gamma, &beta, &bias, h, 1e-5f, false);
    EXPECT_LE(max_abs_diff((*out)[0], ref.y), 1e-5) << shape_to_string(skip_shape);
    EXPECT_LE(max_abs_diff((*out)[1], ref.mean), 1e-6);
    EXPECT_LE(max_abs_diff((*out)[2], ref.inv), 1e-5);
    EXPECT_LE(max_abs_diff((*out)[3], ref.sum), 1e-6);
  }
  // optional beta / bias omitted, only the first output; default epsilon 1e-12
  const Tensor skip = random_tensor(DType::kFloat32, {b, s, h}, 46);
  auto out = run_ms(ms_node("SkipLayerNormalization", 3), {x, skip, gamma});
  ASSERT_TRUE(out.ok());
  EXPECT_LE(max_abs_diff((*out)[0], norm_ref(x, &skip, &gamma, nullptr, nullptr, h, 1e-12f, false).y), 1e-5);
  // skip that does not broadcast
  const Tensor bad = random_tensor(DType::kFloat32, {2, s, h}, 47);
  EXPECT_FALSE(run_ms(ms_node("SkipLayerNormalization", 3), {x, bad, gamma}).ok());
}

TEST(ContribNorm, SkipSimplifiedLayerNormalization) {
  const int64_t b = 2, s = 3, h = 20;
  const Tensor x = random_tensor(DType::kFloat32, {b, s, h}, 51, -2, 2);
  const Tensor skip = random_tensor(DType::kFloat32, {1, s, h}, 52, -2, 2);
  const Tensor gamma = random_tensor(DType::kFloat32, {h}, 53);
  const Tensor bias = random_tensor(DType::kFloat32, {h}, 54);
  ir::Node node = ms_node("SkipSimplifiedLayerNormalization", 4, 4);
  math::set_float(node, "epsilon", 1e-6f);
  auto out = run_ms(node, {x, skip, gamma, bias}, 4);
  ASSERT_TRUE(out.ok()) << out.status().message();
  const NormRef ref = norm_ref(x, &skip, &gamma, nullptr, &bias, h, 1e-6f, true);
  EXPECT_LE(max_abs_diff((*out)[0], ref.y), 1e-5);
  EXPECT_LE(max_abs_diff((*out)[2], ref.inv), 1e-5);
  EXPECT_LE(max_abs_diff((*out)[3], ref.sum), 1e-6);
  auto no_bias = run_ms(ms_node("SkipSimplifiedLayerNormalization", 3), {x, skip, gamma});
  ASSERT_TRUE(no_bias.ok());
  EXPECT_LE(max_abs_diff((*no_bias)[0], norm_ref(x, &skip, &gamma, nullptr, nullptr, h, 1e-12f, true).y), 1e-5);
}

}  // namespace
}  // namespace onyx::test
