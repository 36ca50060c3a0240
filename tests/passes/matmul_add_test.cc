// FuseMatMulAdd: MatMul(A [M, K], constant B [K, N]) + Add(constant bias) -> Gemm, built in code (a classifier head
// as exporters write a Linear on a 2-D input), run with the pass on and off: node counts and outputs within 1e-5
// (onyx's Gemm against its MatMul + Add). Negative cases: 3-D A, non-constant B or bias, a bias that would broadcast
// the output to another shape, the MatMul output read elsewhere.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

constexpr int64_t kM = 4, kK = 8, kN = 5;

struct Variant {
  Shape a_shape = {kM, kK};
  Shape bias_shape = {kN};
  bool bias_first = false;
  bool weight_is_input = false;
  bool bias_is_input = false;
  bool leak_product = false;  // the MatMul output is also a graph output
};

std::string linear(const Variant& v) {
  ModelBuilder m(14);
  m.input("a", DType::kFloat32, v.a_shape);
  if (v.weight_is_input)
    m.input("w", DType::kFloat32, {kK, kN});
  else
    m.initializer("w", random_floats({kK, kN}, 2));
  if (v.bias_is_input)
    m.input("b", DType::kFloat32, v.bias_shape);
  else
    m.initializer("b", random_floats(v.bias_shape, 3));
  m.node("MatMul", {"a", "w"}, {"p"});
  if (v.bias_first)
    m.node("Add", {"b", "p"}, {"y"});
  else
    m.node("Add", {"p", "b"}, {"y"});
  Shape out = v.a_shape;  // broadcast of the [.., M, N] product and the bias
  out.back() = kN;
  while (out.size() < v.bias_shape.size()) out.insert(out.begin(), 1);
  for (size_t i = 0; i < v.bias_shape.size(); ++i) {
    int64_t& d = out[out.size() - v.bias_shape.size() + i];
    d = std::max(d, v.bias_shape[i]);
  }
  m.output("y", DType::kFloat32, out);
  if (v.leak_product) m.output("p", DType::kFloat32, out);
  return m.bytes();
}

TEST(FuseMatMulAdd, TwoDimLinearIsOneGemm) {
  for (Shape bias_shape : {Shape{kN}, Shape{1, kN}, Shape{}, Shape{1}})
    for (bool bias_first : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "bias rank " << bias_shape.size() << " bias_first=" << bias_first);
      Variant v;
      v.bias_shape = bias_shape;
      v.bias_first = bias_first;
      const std::string bytes = linear(v);
      PassResult r = run_passes(bytes, {"FuseMatMulAdd"});
      EXPECT_EQ(count_ops(r.graph, "Gemm"), 1);
      EXPECT_EQ(count_ops(r.graph, "MatMul"), 0);
      EXPECT_EQ(count_ops(r.graph, "Add"), 0);
      EXPECT_EQ(r.report.created["Gemm"], 1);
      expect_same_outputs(bytes, r, {{"a", random_floats({kM, kK}, 5)}}, 1e-5);
    }
}

TEST(FuseMatMulAdd, LeavesWhatGemmCannotTake) {
  Variant three_d;
  three_d.a_shape = {2, kM, kK};
  Variant weight_input;
  weight_input.weight_is_input = true;
  Variant bias_input;
  bias_input.bias_is_input = true;
  Variant full_bias;  // [M, N] is valid for Gemm but not a row bias: left as it is
  full_bias.bias_shape = {kM, kN};
  Variant broadcasting_bias;  // [3, 1, N] would turn the [M, N] product into [3, M, N]
  broadcasting_bias.bias_shape = {3, 1, kN};
  Variant leak;
  leak.leak_product = true;
  int i = 0;
  for (const Variant& v : {three_d, weight_input, bias_input, full_bias, broadcasting_bias, leak}) {
    SCOPED_TRACE(::testing::Message() << "case " << i++);
    PassResult r = run_passes(linear(v), {"FuseMatMulAdd"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
    EXPECT_EQ(count_ops(r.graph, "Gemm"), 0);
    EXPECT_EQ(count_ops(r.graph, "MatMul"), 1);
    EXPECT_EQ(count_ops(r.graph, "Add"), 1);
  }
}

}  // namespace
}  // namespace onyx::test
