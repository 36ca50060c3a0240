// Einsum equations vs a reference: the float32 kernel (matmul variant where it applies) against the float64
// kernel (the direct variant), and both against hand-written loops for the transformer equations.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

Tensor to_f64(const Tensor& t) {
  Tensor d = Tensor::empty(DType::kFloat64, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) d.data<double>()[i] = t.data<float>()[i];
  return d;
}
Tensor to_f32(const Tensor& t) {
  Tensor f = Tensor::empty(DType::kFloat32, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i) f.data<float>()[i] = static_cast<float>(t.data<double>()[i]);
  return f;
}

Result<std::vector<Tensor>> einsum(const std::string& eq, const std::vector<Tensor>& xs) {
  ir::Node node = make_node("Einsum", xs.size());
  math::set_string(node, "equation", eq);
  return run_node(node, xs, 12);
}

TEST(MathEinsum, Float32MatchesFloat64DirectPath) {
  const std::vector<std::pair<std::string, std::vector<Shape>>> cases = {
      {"bhid,bhjd->bhij", {{2, 3, 5, 4}, {2, 3, 6, 4}}},  // attention scores (B transposed)
      {"bhij,bhjd->bhid", {{2, 3, 5, 6}, {2, 3, 6, 4}}},  // attention context
      {"ij,jk->ik", {{7, 9}, {9, 5}}},
      {"ij,jk", {{7, 9}, {9, 5}}},                        // implicit output
      {"ji,jk->ki", {{9, 7}, {9, 5}}},                    // transposed A, transposed output
      {"bij->bji", {{2, 3, 4}}},
      {"i,i", {{6}, {6}}},
      {"ij->i", {{3, 4}}},
      {"...ii->...i", {{2, 4, 4}}},
      {"bij,bjk->bik", {{5, 2, 3}, {5, 3, 4}}},
      {"ab,cd->abcd", {{2, 3}, {4, 5}}},                  // outer product (k empty)
      {"...ij,...jk->...ik", {{2, 1, 3, 4}, {3, 4, 2}}},   // ellipsis broadcast
      {"ij,jk,kl->il", {{2, 3}, {3, 4}, {4, 5}}},         // three operands
      {"iij->j", {{3, 3, 4}}},
  };
  unsigned seed = 1;
  for (const auto& [eq, shapes] : cases) {
    std::vector<Tensor> xs32, xs64;
    for (const Shape& s : shapes) {
      xs32.push_back(random_tensor(DType::kFloat32, s, seed++));
      xs64.push_back(to_f64(xs32.back()));
    }
    auto y32 = einsum(eq, xs32);
    auto y64 = einsum(eq, xs64);
    ASSERT_TRUE(y32.ok()) << eq << ": " << y32.status().to_string();
    ASSERT_TRUE(y64.ok()) << eq << ": " << y64.status().to_string();
    EXPECT_LE(max_abs_diff((*y32)[0], to_f32((*y64)[0])), 1e-5) << eq;
  }
}

TEST(MathEinsum, AttentionScoresMatchLoop) {
  const Tensor q = random_tensor(DType::kFloat32, {1, 2, 3, 4}, 7), k = random_tensor(DType::kFloat32, {1, 2, 5, 4}, 8);
  auto y = einsum("bhid,bhjd->bhij", {q, k});
  ASSERT_TRUE(y.ok());
  ASSERT_EQ((*y)[0].shape(), (Shape{1, 2, 3, 5}));
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 5; ++j) {
        double acc = 0;
        for (int64_t d = 0; d < 4; ++d)
          acc += static_cast<double>(q.data<float>()[(h * 3 + i) * 4 + d]) * k.data<float>()[(h * 5 + j) * 4 + d];
        EXPECT_NEAR((*y)[0].data<float>()[(h * 3 + i) * 5 + j], acc, 1e-5);
      }
}

TEST(MathEinsum, BadEquationsAreErrors) {
  const Tensor a = random_tensor(DType::kFloat32, {2, 3}, 1);
  EXPECT_FALSE(einsum("ij,jk->ik", {a}).ok());           // operand count
  EXPECT_FALSE(einsum("ijk->i", {a}).ok());              // rank mismatch
  EXPECT_FALSE(einsum("ij->iz", {a}).ok());              // unknown output label
  EXPECT_FALSE(einsum("i1->i", {a}).ok());               // bad character
  EXPECT_FALSE(einsum("ij,ij->ij", {a, random_tensor(DType::kFloat32, {3, 2}, 2)}).ok());  // dims disagree
}

}  // namespace
}  // namespace onyx::test
