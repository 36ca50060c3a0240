// float16 / bfloat16 through the half bridge: results equal the float32 kernel's, rounded once.
#include <vector>

#include <gtest/gtest.h>

#include "src/core/half.h"
#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

Tensor narrow(const Tensor& f, DType half) {
  Tensor t = Tensor::empty(half, f.shape());
  for (int64_t i = 0; i < f.numel(); ++i) {
    if (half == DType::kFloat16) t.data<Float16>()[i] = to_float16(f.data<float>()[i]);
    else t.data<BFloat16>()[i] = to_bfloat16(f.data<float>()[i]);
  }
  return t;
}
Tensor widen(const Tensor& t) {
  Tensor f = Tensor::empty(DType::kFloat32, t.shape());
  for (int64_t i = 0; i < t.numel(); ++i)
    f.data<float>()[i] = t.dtype() == DType::kFloat16 ? to_float(t.data<Float16>()[i]) : to_float(t.data<BFloat16>()[i]);
  return f;
}

TEST(MathHalf, SoftmaxMatMulReduceMatchFloat32) {
  for (DType half : {DType::kFloat16, DType::kBFloat16}) {
    // inputs exactly representable in the half type, so only the output rounding differs
    const Tensor a = widen(narrow(random_tensor(DType::kFloat32, {2, 3, 8}, 1), half));
    const Tensor b = widen(narrow(random_tensor(DType::kFloat32, {8, 5}, 2), half));
    auto check = [&](const ir::Node& node, const std::vector<Tensor>& xs, int64_t opset) {
      std::vector<Tensor> hs;
      for (const Tensor& x : xs) hs.push_back(narrow(x, half));
      auto f = run_node(node, xs, opset);
      auto h = run_node(node, hs, opset);
      ASSERT_TRUE(f.ok() && h.ok()) << node.op_type << ": " << h.status().to_string();
      ASSERT_EQ((*h)[0].dtype(), half) << node.op_type;
      EXPECT_EQ(max_abs_diff((*h)[0], narrow((*f)[0], half)), 0.0) << node.op_type;
    };
    check(make_node("Softmax", 1), {a}, 13);
    check(make_node("MatMul", 2), {a, b}, 13);
    ir::Node mean = make_node("ReduceMean", 1);
    math::set_ints(mean, "axes", {-1});
    check(mean, {a}, 13);
  }
}

TEST(MathHalf, LayerNormStatisticsStayFloat32) {
  const Tensor x = narrow(random_tensor(DType::kFloat32, {3, 16}, 4), DType::kFloat16);
  const Tensor s = narrow(random_tensor(DType::kFloat32, {16}, 5), DType::kFloat16);
  auto out = run_node(make_node("LayerNormalization", 2, 3), {x, s}, 17, 3);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].dtype(), DType::kFloat16);
  EXPECT_EQ((*out)[1].dtype(), DType::kFloat32);
  EXPECT_EQ((*out)[2].dtype(), DType::kFloat32);
  auto arg = run_node(make_node("ArgMax", 1), {x}, 13);
  ASSERT_TRUE(arg.ok());
  EXPECT_EQ((*arg)[0].dtype(), DType::kInt64);
}

}  // namespace
}  // namespace onyx::test
