// Broadcasting (src/ep/cpu/kernels/elementwise/broadcast.h) and the binary kernels' broadcast paths.
// Expected values come from a plain reference in this file (per output element: unravel the index, map it into
// each input with numpy's right-aligned rule), never from the plan being tested.
#include <gtest/gtest.h>

#include <cmath>

#include "src/ep/cpu/kernels/elementwise/broadcast.h"
#include "tests/kernels/kernel_test_util.h"

namespace onyx {
namespace {

using cpu::broadcast_shape;
using cpu::BroadcastPlan;
using test::make_node;
using test::max_abs_diff;
using test::random_tensor;
using test::run_node;

// Reference: out[idx] = op(a[map(idx)], b[map(idx)]) for float tensors.
template <typename Op>
Tensor reference_binary(const Tensor& a, const Tensor& b, const Shape& out_shape, Op op) {
  Tensor out = Tensor::empty(DType::kFloat32, out_shape);
  const size_t rank = out_shape.size();
  auto map_index = [&](const Tensor& t, const std::vector<int64_t>& idx) {
    int64_t off = 0;
    for (size_t j = 0; j < t.rank(); ++j) {
      const int64_t i = idx[rank - t.rank() + j];
      off = off * t.dim(j) + (t.dim(j) == 1 ? 0 : i);
    }
    return off;
  };
  std::vector<int64_t> idx(rank, 0);
  for (int64_t flat = 0; flat < out.numel(); ++flat) {
    int64_t rem = flat;
    for (size_t d = rank; d-- > 0;) {
      idx[d] = rem % out_shape[d];
      rem /= out_shape[d];
    }
    out.data<float>()[flat] = op(a.data<float>()[map_index(a, idx)], b.data<float>()[map_index(b, idx)]);
  }
  return out;
}

TEST(ElementwiseBroadcast, ShapeRules) {
  EXPECT_EQ(*broadcast_shape({Shape{2, 3, 4}, Shape{4}}), (Shape{2, 3, 4}));
  EXPECT_EQ(*broadcast_shape({Shape{2, 1, 4}, Shape{3, 1}}), (Shape{2, 3, 4}));
  EXPECT_EQ(*broadcast_shape({Shape{}, Shape{5}}), (Shape{5}));
  EXPECT_EQ(*broadcast_shape({Shape{}, Shape{}}), (Shape{}));
  EXPECT_EQ(*broadcast_shape({Shape{0, 3}, Shape{1, 3}}), (Shape{0, 3}));
  EXPECT_EQ(*broadcast_shape({Shape{2, 0}, Shape{1}}), (Shape{2, 0}));
  EXPECT_EQ(*broadcast_shape({Shape{8, 1, 6, 1}, Shape{7, 1, 5}, Shape{1}}), (Shape{8, 7, 6, 5}));
  auto bad = broadcast_shape({Shape{2, 3}, Shape{4}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("[2, 3]"), std::string::npos);
  EXPECT_FALSE(broadcast_shape({Shape{0}, Shape{3}}).ok());  // 0 only broadcasts with 0 and 1
}

TEST(ElementwiseBroadcast, PlanMergesDims) {
  // Same shape: one row of numel.
  auto same = BroadcastPlan::make(Shape{2, 3, 4}, {Shape{2, 3, 4}, Shape{2, 3, 4}});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->is_elementwise());
  EXPECT_EQ(same->merged_dims(), (std::vector<int64_t>{24}));
  // Bias over the last dim: rows of 768, bias read from offset 0.
  auto bias = BroadcastPlan::make(Shape{2, 5, 768}, {Shape{2, 5, 768}, Shape{768}});
  ASSERT_TRUE(bias.ok());
  EXPECT_EQ(bias->merged_dims(), (std::vector<int64_t>{10, 768}));
  EXPECT_EQ(bias->inner_stride(0), 1);
  EXPECT_EQ(bias->inner_stride(1), 1);
  EXPECT_EQ(std::vector<int64_t>(bias->merged_strides(1).begin(), bias->merged_strides(1).end()),
            (std::vector<int64_t>{0, 1}));
  // Attention mask [B,1,1,S] over [B,H,S,S].
  auto mask = BroadcastPlan::make(Shape{2, 4, 7, 7}, {Shape{2, 4, 7, 7}, Shape{2, 1, 1, 7}});
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ(mask->merged_dims(), (std::vector<int64_t>{2, 28, 7}));
  // Scalar operand: one row, stride 0.
  auto scalar = BroadcastPlan::make(Shape{3, 4}, {Shape{3, 4}, Shape{}});
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->merged_dims(), (std::vector<int64_t>{12}));
  EXPECT_EQ(scalar->inner_stride(1), 0);
  // Empty output: no rows.
  auto empty = BroadcastPlan::make(Shape{0, 4}, {Shape{0, 4}, Shape{4}});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->rows(), 0);
  EXPECT_FALSE(BroadcastPlan::make(Shape{3, 4}, {Shape{2, 4}}).ok());
}

TEST(ElementwiseBroadcast, ForRowsFromAnyStartRow) {
  // Chunks starting mid-way must produce the same offsets as one pass from row 0.
  auto plan = BroadcastPlan::make(Shape{3, 4, 5, 6}, {Shape{3, 1, 5, 1}, Shape{4, 1, 6}});
  ASSERT_TRUE(plan.ok());
  std::vector<std::pair<int64_t, int64_t>> all;
  plan->for_rows(0, plan->rows(), [&](int64_t, const int64_t* off) { all.emplace_back(off[0], off[1]); });
  ASSERT_EQ(static_cast<int64_t>(all.size()), plan->rows());
  for (int64_t start = 0; start < plan->rows(); start += 7) {
    plan->for_rows(start, std::min(start + 7, plan->rows()), [&](int64_t row, const int64_t* off) {
      EXPECT_EQ(off[0], all[row].first) << row;
      EXPECT_EQ(off[1], all[row].second) << row;
    });
  }
}

struct BroadcastCase {
  Shape a, b;
};

TEST(ElementwiseBroadcast, BinaryKernelsMatchReference) {
  const std::vector<BroadcastCase> cases = {
      {{2, 3, 4}, {2, 3, 4}},        // same shape (elementwise fast path)
      {{2, 3, 4}, {}},               // scalar b
      {{}, {2, 3, 4}},               // scalar a
      {{1}, {5}},                    // one-element vector
      {{4, 5, 768}, {768}},          // bias
      {{2, 3, 9, 9}, {2, 1, 1, 9}},  // attention mask
      {{3, 1}, {1, 4}},              // outer product
      {{2, 1, 4}, {3, 1}},           // rank mismatch, both broadcast
      {{5, 1, 3, 1}, {4, 1, 2}},     // general strided path
      {{0, 3}, {3}},                 // empty
      {{2, 0, 3}, {1, 3}},           // empty middle dim
      {{300, 257}, {257}},           // big enough to run on several threads
      {{64, 1, 1024}, {64, 8, 1}},   // parallel rows with broadcast on both sides
  };
  struct OpCase {
    const char* op;
    float (*ref)(float, float);
  };
  const OpCase ops[] = {{"Add", [](float x, float y) { return x + y; }},
                        {"Sub", [](float x, float y) { return x - y; }},
                        {"Mul", [](float x, float y) { return x * y; }},
                        {"Div", [](float x, float y) { return x / y; }}};
  unsigned seed = 1;
  for (const auto& c : cases) {
    const Tensor a = random_tensor(DType::kFloat32, c.a, seed++);
    const Tensor b = random_tensor(DType::kFloat32, c.b, seed++, 0.5, 2.0);
    const Shape out_shape = *broadcast_shape({a.shape(), b.shape()});
    for (const auto& op : ops) {
      auto got = run_node(make_node(op.op, 2), {a, b});
      ASSERT_TRUE(got.ok()) << op.op << " " << got.status().to_string();
      const Tensor want = reference_binary(a, b, out_shape, op.ref);
      EXPECT_EQ(max_abs_diff((*got)[0], want), 0.0)
          << op.op << " " << shape_to_string(c.a) << " " << shape_to_string(c.b);
    }
  }
}

TEST(ElementwiseBroadcast, IncompatibleShapesNameTheNode) {
  auto r = run_node(make_node("Add", 2),
                    {random_tensor(DType::kFloat32, {2, 3}, 1), random_tensor(DType::kFloat32, {4}, 2)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("Add_test"), std::string::npos) << r.status().message();
}

TEST(ElementwiseBroadcast, DtypeMismatchIsAnError) {
  auto r =
      run_node(make_node("Mul", 2), {random_tensor(DType::kFloat32, {2}, 1), random_tensor(DType::kInt64, {2}, 2)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(ElementwiseBroadcast, LegacyBroadcastAttribute) {
  // Opset 6: B [3] aligned at axis 1 of A [2,3,4] (numpy would need [3,1]).
  ir::Node node = make_node("Add", 2);
  node.attributes["broadcast"].kind = ir::Attribute::Kind::kInt;
  node.attributes["broadcast"].i = 1;
  node.attributes["axis"].kind = ir::Attribute::Kind::kInt;
  node.attributes["axis"].i = 1;
  const Tensor a = random_tensor(DType::kFloat32, {2, 3, 4}, 3);
  const Tensor b = random_tensor(DType::kFloat32, {3}, 4);
  auto got = run_node(node, {a, b}, 6);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  const Tensor want = reference_binary(a, b.reshaped({3, 1}), a.shape(), [](float x, float y) { return x + y; });
  EXPECT_EQ(max_abs_diff((*got)[0], want), 0.0);
  // Without broadcast=1, opset 6 needs equal shapes.
  EXPECT_FALSE(run_node(make_node("Add", 2), {a, b}, 6).ok());
}

}  // namespace
}  // namespace onyx
