// Gelu / FastGelu / BiasGelu (com.microsoft) against the formulas written out in double precision.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/kernels/contrib_test_util.h"

namespace onyx::test {
namespace {

using contrib::ms_node;
using contrib::run_ms;

double gelu_erf_ref(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double gelu_tanh_ref(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

// fn(x + bias[last dim]) elementwise, bias may be undefined.
template <typename F>
Tensor biased_ref(const Tensor& x, const Tensor& bias, F fn) {
  Tensor y = Tensor::empty(DType::kFloat32, x.shape());
  const int64_t d = x.dim(x.rank() - 1);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double v = x.data<float>()[i] + (bias.defined() ? bias.data<float>()[i % d] : 0.0f);
    y.data<float>()[i] = static_cast<float>(fn(v));
  }
  return y;
}

TEST(ContribGelu, GeluMatchesErfFormula) {
  for (Shape shape : {Shape{7}, Shape{3, 5, 13}, Shape{2, 1, 33}}) {
    const Tensor x = random_tensor(DType::kFloat32, shape, 11, -6, 6);
    auto out = run_ms(ms_node("Gelu", 1), {x});
    ASSERT_TRUE(out.ok()) << out.status().message();
    EXPECT_LE(max_abs_diff((*out)[0], biased_ref(x, Tensor(), gelu_erf_ref)), 2e-6);
  }
}

TEST(ContribGelu, FastGeluWithAndWithoutBias) {
  const Tensor x = random_tensor(DType::kFloat32, {2, 3, 17}, 3, -6, 6);
  const Tensor bias = random_tensor(DType::kFloat32, {17}, 4);
  auto plain = run_ms(ms_node("FastGelu", 1), {x});
  auto biased = run_ms(ms_node("FastGelu", 2), {x, bias});
  ASSERT_TRUE(plain.ok() && biased.ok());
  EXPECT_LE(max_abs_diff((*plain)[0], biased_ref(x, Tensor(), gelu_tanh_ref)), 2e-6);
  EXPECT_LE(max_abs_diff((*biased)[0], biased_ref(x, bias, gelu_tanh_ref)), 2e-6);
  // tanh and erf formulas differ (by up to ~5e-4): the test can tell them apart
  EXPECT_GT(max_abs_diff((*plain)[0], biased_ref(x, Tensor(), gelu_erf_ref)), 1e-5);
}

TEST(ContribGelu, BiasGeluAddsBiasOverLastDim) {
  const Tensor a = random_tensor(DType::kFloat32, {4, 9}, 5, -4, 4);
  const Tensor b = random_tensor(DType::kFloat32, {9}, 6);
  auto out = run_ms(ms_node("BiasGelu", 2), {a, b});
  ASSERT_TRUE(out.ok());
  EXPECT_LE(max_abs_diff((*out)[0], biased_ref(a, b, gelu_erf_ref)), 2e-6);
  const Tensor bad = random_tensor(DType::kFloat32, {8}, 6);
  EXPECT_FALSE(run_ms(ms_node("BiasGelu", 2), {a, bad}).ok());
  EXPECT_FALSE(run_ms(ms_node("BiasGelu", 2), {a, Tensor()}).ok());  // B is required
}

}  // namespace
}  // namespace onyx::test
