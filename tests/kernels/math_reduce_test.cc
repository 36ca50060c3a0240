// Reductions vs a plain reference (one multi-index per element): every reduction op over every axes pattern
// (rows, columns, several groups -> permuted), negative axes, keepdims, empty axes, noop_with_empty_axes.
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/kernels/kernel_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

struct RefOp {
  double init;
  std::function<double(double, double)> step;
  std::function<double(double, int64_t)> finish;
};

const std::map<std::string, RefOp>& ref_ops() {
  static const std::map<std::string, RefOp> ops = {
      {"ReduceSum", {0, [](double a, double x) { return a + x; }, [](double a, int64_t) { return a; }}},
      {"ReduceMean", {0, [](double a, double x) { return a + x; }, [](double a, int64_t n) { return a / n; }}},
      {"ReduceMax", {-INFINITY, [](double a, double x) { return std::max(a, x); }, [](double a, int64_t) { return a; }}},
      {"ReduceMin", {INFINITY, [](double a, double x) { return std::min(a, x); }, [](double a, int64_t) { return a; }}},
      {"ReduceProd", {1, [](double a, double x) { return a * x; }, [](double a, int64_t) { return a; }}},
      {"ReduceSumSquare", {0, [](double a, double x) { return a + x * x; }, [](double a, int64_t) { return a; }}},
      {"ReduceL1", {0, [](double a, double x) { return a + std::fabs(x); }, [](double a, int64_t) { return a; }}},
      {"ReduceL2", {0, [](double a, double x) { return a + x * x; }, [](double a, int64_t) { return std::sqrt(a); }}},
      {"ReduceLogSum", {0, [](double a, double x) { return a + x; }, [](double a, int64_t) { return std::log(a); }}},
      {"ReduceLogSumExp",
       {0, [](double a, double x) { return a + std::exp(x); }, [](double a, int64_t) { return std::log(a); }}},
  };
  return ops;
}

Tensor reduce_reference(const std::string& op, const Tensor& x, std::vector<int64_t> axes, bool keepdims) {
  const RefOp& r = ref_ops().at(op);
  const int64_t rank = static_cast<int64_t>(x.rank());
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) reduced[a < 0 ? a + rank : a] = true;
  Shape kept_shape, out_shape;
  for (int64_t d = 0; d < rank; ++d) {
    kept_shape.push_back(reduced[d] ? 1 : x.dim(d));
    if (!reduced[d] || keepdims) out_shape.push_back(reduced[d] ? 1 : x.dim(d));
  }
  const int64_t out_n = shape_numel(kept_shape);
  std::vector<double> acc(out_n, r.init);
  const auto kstr = math::strides_of(kept_shape);
  for (int64_t f = 0; f < x.numel(); ++f) {
    const auto idx = math::unravel(f, x.shape());
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d) o += reduced[d] ? 0 : idx[d] * kstr[d];
    acc[o] = r.step(acc[o], x.data<float>()[f]);
  }
  const int64_t count = out_n ? x.numel() / out_n : 0;
  Tensor y = Tensor::empty(DType::kFloat32, out_shape);
  for (int64_t o = 0; o < out_n; ++o) y.data<float>()[o] = static_cast<float>(r.finish(acc[o], count));
  return y;
}

TEST(MathReduce, AllOpsAllAxesPatternsMatchReference) {
  const Tensor x = random_tensor(DType::kFloat32, {3, 4, 5, 6}, 42, 0.5, 1.5);  // positive: logs are defined
  const std::vector<std::vector<int64_t>> axes_cases = {
      {3}, {-1}, {2, 3}, {1}, {0}, {0, 1}, {1, 3}, {0, 2}, {-4, -2, -1}, {}, {0, 1, 2, 3}};
  for (const auto& [op, ref] : ref_ops())
    for (const auto& axes : axes_cases)
      for (bool keepdims : {true, false}) {
        ir::Node node = make_node(op, op == "ReduceSum" ? 2 : 1);
        math::set_int(node, "keepdims", keepdims);
        std::vector<Tensor> inputs{x};
        if (op == "ReduceSum") inputs.push_back(Tensor::from_vector<int64_t>({static_cast<int64_t>(axes.size())}, axes));
        else if (!axes.empty()) math::set_ints(node, "axes", axes);
        auto out = run_node(node, inputs, 13);
        ASSERT_TRUE(out.ok()) << op << ": " << out.status().to_string();
        const Tensor want = reduce_reference(op, x, axes, keepdims);
        ASSERT_EQ((*out)[0].shape(), want.shape()) << op;
        EXPECT_LE(max_abs_diff((*out)[0], want), 2e-4 * (op == "ReduceProd" ? 1e3 : 1) + 1e-5)
            << op << " axes " << shape_to_string(axes) << " keepdims " << keepdims;
      }
}

TEST(MathReduce, NoopWithEmptyAxesAndOmittedAxes) {
  const Tensor x = random_tensor(DType::kFloat32, {2, 3}, 1);
  ir::Node noop = make_node("ReduceSum", 2);
  math::set_int(noop, "noop_with_empty_axes", 1);
  auto same = run_node(noop, {x, Tensor::from_vector<int64_t>({0}, {})}, 13);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(max_abs_diff((*same)[0], x), 0.0);
  auto all = run_node(make_node("ReduceSum", 1), {x}, 13);  // axes omitted: reduce everything
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].shape(), (Shape{1, 1}));
  // ReduceSum before 13 takes axes as an attribute
  ir::Node old = make_node("ReduceSum", 1);
  math::set_ints(old, "axes", {-1});
  math::set_int(old, "keepdims", 0);
  auto rows = run_node(old, {x}, 11);
  ASSERT_TRUE(rows.ok());
  EXPECT_LE(max_abs_diff((*rows)[0], reduce_reference("ReduceSum", x, {1}, false)), 1e-6);
}

TEST(MathReduce, EmptyReducedDimGivesIdentity) {
  const Tensor x = Tensor::empty(DType::kFloat32, {2, 0});
  ir::Node node = make_node("ReduceSum", 2);
  auto out = run_node(node, {x, Tensor::from_vector<int64_t>({1}, {1})}, 13);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(max_abs_diff((*out)[0], Tensor::from_vector<float>({2, 1}, {0, 0})), 0.0);
}

TEST(MathReduce, IntegersAndBadAxes) {
  const Tensor x = Tensor::from_vector<int64_t>({2, 3}, {1, 5, 3, -4, 2, 9});
  ir::Node mx = make_node("ReduceMax", 1);
  math::set_ints(mx, "axes", {1});
  auto out = run_node(mx, {x}, 13);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(max_abs_diff((*out)[0], Tensor::from_vector<int64_t>({2, 1}, {5, 9})), 0.0);
  ir::Node bad = make_node("ReduceMean", 1);
  math::set_ints(bad, "axes", {2});
  EXPECT_FALSE(run_node(bad, {x}, 13).ok());
}

TEST(MathReduce, MaxPropagatesNaN) {
  const Tensor x = Tensor::from_vector<float>({3}, {1.0f, NAN, 2.0f});
  auto out = run_node(make_node("ReduceMax", 1), {x}, 13);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(std::isnan((*out)[0].data<float>()[0]));
}

}  // namespace
}  // namespace onyx::test
