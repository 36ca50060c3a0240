// MatMul and Gemm kernels vs plain reference loops (numpy matmul semantics, written out here).
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

// numpy.matmul, one element at a time, double accumulation.
Tensor matmul_reference(const Tensor& a, const Tensor& b) {
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  const size_t r = std::max(as.size(), bs.size()) - 2;
  Shape batch(r, 1);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i + as.size() - 2 >= r ? as[i + as.size() - 2 - r] : 1;
    const int64_t db = i + bs.size() - 2 >= r ? bs[i + bs.size() - 2 - r] : 1;
    batch[i] = std::max(da, db);
  }
  Shape out = batch;
  if (a.rank() > 1) out.push_back(m);
  if (b.rank() > 1) out.push_back(n);
  Tensor y = Tensor::empty(DType::kFloat32, out);
  const auto sa = math::strides_of(as), sb = math::strides_of(bs);
  const int64_t nb = shape_numel(batch);
  for (int64_t bi = 0; bi < nb; ++bi) {
    const auto idx = math::unravel(bi, batch);
    int64_t oa = 0, ob = 0;
    for (size_t i = 0; i < r; ++i) {
      const int64_t ia = static_cast<int64_t>(i + as.size() - 2) - static_cast<int64_t>(r);
      const int64_t ib = static_cast<int64_t>(i + bs.size() - 2) - static_cast<int64_t>(r);
      if (ia >= 0 && as[ia] != 1) oa += idx[i] * sa[ia];
      if (ib >= 0 && bs[ib] != 1) ob += idx[i] * sb[ib];
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t l = 0; l < k; ++l)
          acc += static_cast<double>(a.data<float>()[oa + i * k + l]) * b.data<float>()[ob + l * n + j];
        y.data<float>()[(bi * m + i) * n + j] = static_cast<float>(acc);
      }
  }
  return y;
}

void check_matmul(const Shape& as, const Shape& bs, unsigned seed) {
  const Tensor a = random_tensor(DType::kFloat32, as, seed), b = random_tensor(DType::kFloat32, bs, seed + 1);
  auto out = run_node(make_node("MatMul", 2), {a, b}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const Tensor want = matmul_reference(a, b);
  ASSERT_EQ((*out)[0].shape(), want.shape()) << shape_to_string(as) << " x " << shape_to_string(bs);
  EXPECT_LE(max_abs_diff((*out)[0], want), 1e-4) << shape_to_string(as) << " x " << shape_to_string(bs);
}

TEST(MathMatMul, BroadcastCasesMatchReference) {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{7, 35}, {35, 129}},             // plain 2-D
      {{2, 5, 16}, {16, 9}},            // [B,S,K] x [K,N]: merged into one GEMM
      {{2, 3, 5, 8}, {2, 3, 8, 5}},     // attention scores [B,H,S,D] x [B,H,D,S]
      {{16}, {16, 4}},                  // 1-D A
      {{2, 3, 16}, {16}},               // 1-D B
      {{16}, {16}},                     // dot product -> scalar
      {{4, 16}, {3, 16, 5}},            // 2-D A, batched B
      {{2, 1, 4, 6}, {1, 3, 6, 5}},     // mixed broadcast
      {{1, 4, 6}, {3, 6, 5}},           // batch 1 against 3
      {{3, 0, 6}, {6, 5}},              // empty M
      {{3, 4, 0}, {0, 5}},              // K = 0: zeros
  };
  unsigned seed = 1;
  for (const auto& [as, bs] : cases) check_matmul(as, bs, seed += 2);
}

TEST(MathMatMul, IntegerAndDouble) {
  const Tensor a = Tensor::from_vector<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = Tensor::from_vector<int64_t>({3, 2}, {1, -1, 2, 0, 0, 3});
  auto out = run_node(make_node("MatMul", 2), {a, b}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], Tensor::from_vector<int64_t>({2, 2}, {5, 8, 14, 14})), 0.0);
  const Tensor ad = Tensor::from_vector<double>({1, 2}, {0.5, 2.0});
  const Tensor bd = Tensor::from_vector<double>({2, 1}, {4.0, 1.0});
  auto outd = run_node(make_node("MatMul", 2), {ad, bd}, 13);
  ASSERT_TRUE(outd.ok());
  EXPECT_EQ((*outd)[0].data<double>()[0], 4.0);
}

TEST(MathMatMul, ShapeErrorsAreStatuses) {
  auto bad_k = run_node(make_node("MatMul", 2), {random_tensor(DType::kFloat32, {2, 3}, 1),
                                                 random_tensor(DType::kFloat32, {4, 2}, 2)});
  EXPECT_FALSE(bad_k.ok());
  auto bad_batch = run_node(make_node("MatMul", 2), {random_tensor(DType::kFloat32, {2, 2, 3}, 1),
                                                     random_tensor(DType::kFloat32, {3, 3, 2}, 2)});
  EXPECT_FALSE(bad_batch.ok());
  auto bad_dtype = run_node(make_node("MatMul", 2), {random_tensor(DType::kFloat32, {2, 3}, 1),
                                                     random_tensor(DType::kFloat64, {3, 2}, 2)});
  EXPECT_FALSE(bad_dtype.ok());
}

TEST(MathGemm, AttributesAndBiasBroadcastMatchReference) {
  const int64_t m = 5, n = 7, k = 9;
  for (int t = 0; t < 4; ++t)
    for (const Shape& c_shape : {Shape{}, Shape{n}, Shape{m, 1}, Shape{m, n}}) {
      const bool ta = t & 1, tb = t & 2;
      const Tensor a = random_tensor(DType::kFloat32, ta ? Shape{k, m} : Shape{m, k}, 10 + t);
      const Tensor b = random_tensor(DType::kFloat32, tb ? Shape{n, k} : Shape{k, n}, 20 + t);
      const Tensor c = random_tensor(DType::kFloat32, c_shape, 30 + t);
      ir::Node node = make_node("Gemm", 3);
      math::set_int(node, "transA", ta);
      math::set_int(node, "transB", tb);
      math::set_float(node, "alpha", 0.5f);
      math::set_float(node, "beta", 2.0f);
      auto out = run_node(node, {a, b, c}, 13);
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      Tensor want = Tensor::empty(DType::kFloat32, {m, n});
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = 0;
          for (int64_t l = 0; l < k; ++l)
            acc += static_cast<double>(a.data<float>()[ta ? l * m + i : i * k + l]) *
                   b.data<float>()[tb ? j * k + l : l * n + j];
          const int64_t ci = c_shape.size() == 2 ? (c_shape[0] == 1 ? 0 : i) * c_shape[1] + (c_shape[1] == 1 ? 0 : j)
                                                 : (c_shape.empty() ? 0 : j);
          want.data<float>()[i * n + j] = static_cast<float>(0.5 * acc + 2.0 * c.data<float>()[ci]);
        }
      EXPECT_LE(max_abs_diff((*out)[0], want), 1e-4) << "t=" << t << " C " << shape_to_string(c_shape);
    }
}

TEST(MathGemm, OptionalCFromOpset11) {
  const Tensor a = Tensor::from_vector<float>({1, 2}, {1, 2}), b = Tensor::from_vector<float>({2, 1}, {3, 4});
  auto out = run_node(make_node("Gemm", 2), {a, b}, 11);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].data<float>()[0], 11.0f);
  auto bad_c = run_node(make_node("Gemm", 3), {a, b, Tensor::from_vector<float>({3}, {1, 2, 3})}, 13);
  EXPECT_FALSE(bad_c.ok());
}

}  // namespace
}  // namespace onyx::test
