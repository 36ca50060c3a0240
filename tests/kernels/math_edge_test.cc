// Math kernels on empty tensors (0-sized dims) and scalars: no crash, the spec's shapes, identities for
// empty reductions.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

Tensor zeros(Shape s) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(s));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = 0.0f;
  return t;
}

Shape shape_of(const ir::Node& node, const std::vector<Tensor>& inputs, int64_t opset = 17, size_t outputs = 1) {
  auto out = run_node(node, inputs, opset, outputs);
  EXPECT_TRUE(out.ok()) << node.op_type << ": " << out.status().to_string();
  return out.ok() ? (*out)[0].shape() : Shape{-1};
}

TEST(MathEdge, EmptyTensors) {
  EXPECT_EQ(shape_of(make_node("MatMul", 2), {zeros({0, 3}), zeros({3, 0})}), (Shape{0, 0}));
  EXPECT_EQ(shape_of(make_node("MatMul", 2), {zeros({2, 0, 3}), zeros({3, 4})}), (Shape{2, 0, 4}));
  EXPECT_EQ(shape_of(make_node("Gemm", 2), {zeros({0, 3}), zeros({3, 4})}), (Shape{0, 4}));
  EXPECT_EQ(shape_of(make_node("Softmax", 1), {zeros({0, 4})}), (Shape{0, 4}));
  EXPECT_EQ(shape_of(make_node("LogSoftmax", 1), {zeros({3, 0})}), (Shape{3, 0}));
  EXPECT_EQ(shape_of(make_node("Hardmax", 1), {zeros({3, 0})}), (Shape{3, 0}));
  EXPECT_EQ(shape_of(make_node("LayerNormalization", 2), {zeros({0, 8}), zeros({8})}), (Shape{0, 8}));
  EXPECT_EQ(shape_of(make_node("CumSum", 2), {zeros({0}), Tensor::from_vector<int64_t>({}, {0})}), (Shape{0}));
  ir::Node arg = make_node("ArgMax", 1);
  math::set_int(arg, "axis", 1);
  EXPECT_EQ(shape_of(arg, {zeros({0, 3})}), (Shape{0, 1}));
  EXPECT_EQ(shape_of(make_node("TopK", 2, 2), {zeros({2, 3}), Tensor::from_vector<int64_t>({1}, {0})}, 11, 2),
            (Shape{2, 0}));
  ir::Node ein = make_node("Einsum", 2);
  math::set_string(ein, "equation", "ij,jk->ik");
  EXPECT_EQ(shape_of(ein, {zeros({2, 0}), zeros({0, 3})}), (Shape{2, 3}));  // sums over nothing: zeros
  auto ein_out = run_node(ein, {zeros({2, 0}), zeros({0, 3})}, 12);
  ASSERT_TRUE(ein_out.ok());
  EXPECT_EQ(max_abs_diff((*ein_out)[0], zeros({2, 3})), 0.0);
  // reductions over an empty axis give the op's identity
  ir::Node mx = make_node("ReduceMax", 1);
  math::set_ints(mx, "axes", {1});
  auto m = run_node(mx, {zeros({2, 0})}, 13);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)[0].data<float>()[0], -INFINITY);
  ir::Node prod = make_node("ReduceProd", 1);
  auto p = run_node(prod, {zeros({0, 3})}, 13);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)[0].data<float>()[0], 1.0f);
}

TEST(MathEdge, Scalars) {
  const Tensor s = Tensor::from_vector<float>({}, {2.5f});
  EXPECT_EQ(shape_of(make_node("Softmax", 1), {s}, 13), Shape{});
  auto sm = run_node(make_node("Softmax", 1), {s}, 13);
  ASSERT_TRUE(sm.ok());
  EXPECT_EQ((*sm)[0].data<float>()[0], 1.0f);
  auto r = run_node(make_node("ReduceSum", 1), {s}, 13);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].shape(), Shape{});
  EXPECT_EQ((*r)[0].data<float>()[0], 2.5f);
  ir::Node ein = make_node("Einsum", 1);
  math::set_string(ein, "equation", "->");
  EXPECT_EQ(shape_of(ein, {s}, 12), Shape{});
  EXPECT_FALSE(run_node(make_node("MatMul", 2), {s, s}).ok());
  EXPECT_FALSE(run_node(make_node("ArgMax", 1), {s}).ok());
}

TEST(MathEdge, LayerNormScaleWithLeadingOnes) {
  const Tensor x = random_tensor(DType::kFloat32, {4, 6}, 9), scale = random_tensor(DType::kFloat32, {6}, 10);
  auto flat = run_node(make_node("LayerNormalization", 2), {x, scale}, 17);
  auto lead = run_node(make_node("LayerNormalization", 2), {x, scale.reshaped({1, 1, 6})}, 17);
  ASSERT_TRUE(flat.ok() && lead.ok()) << lead.status().to_string();
  EXPECT_EQ(max_abs_diff((*flat)[0], (*lead)[0]), 0.0);
}

TEST(MathEdge, TopKOrdersNaNFirstWhenLargest) {
  const Tensor x = Tensor::from_vector<float>({4}, {1.0f, NAN, 3.0f, 2.0f});
  auto out = run_node(make_node("TopK", 2, 2), {x, Tensor::from_vector<int64_t>({1}, {2})}, 11, 2);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(std::isnan((*out)[0].data<float>()[0]));
  EXPECT_EQ((*out)[0].data<float>()[1], 3.0f);
  EXPECT_EQ((*out)[1].data<int64_t>()[0], 1);
}

TEST(MathEdge, EinsumPermutationAnyDtype) {
  const Tensor x = Tensor::from_vector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  ir::Node ein = make_node("Einsum", 1);
  math::set_string(ein, "equation", "ij->ji");
  auto out = run_node(ein, {x}, 12);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(max_abs_diff((*out)[0], Tensor::from_vector<int32_t>({3, 2}, {1, 4, 2, 5, 3, 6})), 0.0);
}

}  // namespace
}  // namespace onyx::test
