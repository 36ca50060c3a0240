// ONNX quant kernels (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, QLinearMatMul) vs
// plain references written here from the ONNX operator docs (onnx/docs/Operators.md): round half to even (a
// floor-based rounding, not std::nearbyint, so the kernels' rounding is checked), saturation, per-tensor / per-axis
// / blocked scales, numpy matmul broadcasting, int64 accumulation. Hand-written expected values say where they come
// from. Edge cases: ties, saturation, NaN / inf, zero points, axis 0 / 1 / -1, empty tensors, bad dtypes and
// mismatched scale shapes (clear errors).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <unordered_map>
#include <vector>

#include "src/core/half.h"
#include "src/ep/cpu/registry.h"
#include "tests/kernels/kernel_test_util.h"

namespace onyx::test {
namespace {

// ---- references ----

// Round half to even, written out: the nearest integer, ties to the even one.
double round_half_even(double v) {
  const double f = std::floor(v), d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return std::fmod(f, 2.0) == 0 ? f : f + 1;
}

template <typename Q>
Q saturate(double v) {
  return static_cast<Q>(std::clamp(v, double(std::numeric_limits<Q>::min()), double(std::numeric_limits<Q>::max())));
}

// The flat index of the scale that element `i` of a tensor of `shape` uses: per tensor (scale_shape {} or {1}),
// per axis (1-D) or blocked (scale has x's rank; the axis coordinate divided by block).
int64_t scale_index(const Shape& shape, int64_t i, const Shape& scale_shape, int64_t axis, int64_t block) {
  if (shape_numel(scale_shape) == 1 && scale_shape.size() <= 1) return 0;
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (axis < 0) axis += rank;
  std::vector<int64_t> coord(shape.size());
  for (int64_t d = rank - 1, r = i; d >= 0; --d) {
    coord[d] = r % shape[d];
    r /= shape[d];
  }
  if (block == 0) return coord[axis];
  coord[axis] /= block;
  int64_t idx = 0;
  for (int64_t d = 0; d < rank; ++d) idx = idx * scale_shape[d] + coord[d];
  return idx;
}

template <typename Q>
Tensor quantize_reference(const Tensor& x, const Tensor& scale, const Tensor* zp, int64_t axis, int64_t block = 0) {
  Tensor y = Tensor::empty(dtype_of_storage<Q>(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t s = scale_index(x.shape(), i, scale.shape(), axis, block);
    const double z = zp ? zp->data<Q>()[s] : 0;
    const float q = x.data<float>()[i] / scale.data<float>()[s];  // ONNX: x / y_scale (float32 division)
    y.data<Q>()[i] = std::isnan(q) ? saturate<Q>(z) : saturate<Q>(round_half_even(q) + z);
  }
  return y;
}

template <typename Q>
Tensor dequantize_reference(const Tensor& x, const Tensor& scale, const Tensor* zp, int64_t axis, int64_t block = 0) {
  Tensor y = Tensor::empty(DType::kFloat32, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t s = scale_index(x.shape(), i, scale.shape(), axis, block);
    const double z = zp ? zp->data<Q>()[s] : 0;
    y.data<float>()[i] = static_cast<float>((x.data<Q>()[i] - z) * scale.data<float>()[s]);
  }
  return y;
}

template <typename T>
Tensor values(Shape shape, std::vector<T> v) {
  return Tensor::from_vector<T>(std::move(shape), v);
}

template <typename T>
std::vector<T> to_vector(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

ir::Attribute int_attribute(int64_t v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
  return a;
}

ir::Node node_with_axis(const std::string& op, size_t inputs, int64_t axis) {
  ir::Node n = make_node(op, inputs);
  n.attributes["axis"] = int_attribute(axis);
  return n;
}

// ---- QuantizeLinear ----

TEST(QuantOpsQuantizeLinear, TiesRoundToEvenAndSaturate) {
  // Expected: round half to even of x / 1 (ONNX QuantizeLinear doc: "rounding to nearest ties to even"), then the
  // int8 range [-128, 127]; NaN -> the zero point (onyx's documented choice), +-inf saturate.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const Tensor x = values<float>({11}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 300.f, -300.f, nan, inf, -inf});
  auto out = run_node(make_node("QuantizeLinear", 3), {x, values<float>({}, {1.f}), values<int8_t>({}, {0})}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(to_vector<int8_t>((*out)[0]), (std::vector<int8_t>{0, 2, 2, 0, -2, -2, 127, -128, 0, 127, -128}));
  // uint8 with zero point 128: 2.5 / 0.5 = 5 -> 133; -300 saturates at 0; NaN -> 128.
  const Tensor xu = values<float>({4}, {2.5f, -300.f, 0.25f, nan});
  out = run_node(make_node("QuantizeLinear", 3), {xu, values<float>({}, {0.5f}), values<uint8_t>({}, {128})}, 10);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  // 0.25 / 0.5 = 0.5 -> ties to 0 -> 128.
  EXPECT_EQ(to_vector<uint8_t>((*out)[0]), (std::vector<uint8_t>{133, 0, 128, 128}));
}

TEST(QuantOpsQuantizeLinear, DefaultZeroPointIsUint8Zero) {
  const Tensor x = random_tensor(DType::kFloat32, {3, 5}, 1, -2, 2);
  const Tensor s = values<float>({}, {0.01f});
  auto out = run_node(make_node("QuantizeLinear", 2), {x, s}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].dtype(), DType::kUInt8);
  EXPECT_EQ(max_abs_diff((*out)[0], quantize_reference<uint8_t>(x, s, nullptr, 1)), 0);
}

TEST(QuantOpsQuantizeLinear, PerTensorMatchesReference) {
  const Tensor x = random_tensor(DType::kFloat32, {2, 7, 33}, 2, -3, 3);
  const Tensor s = values<float>({1}, {0.023f});  // a 1-element 1-D scale is per tensor too
  const Tensor zi = values<int8_t>({1}, {-7}), zu = values<uint8_t>({1}, {131});
  auto out = run_node(make_node("QuantizeLinear", 3), {x, s, zi}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], quantize_reference<int8_t>(x, s, &zi, 1)), 0);
  out = run_node(make_node("QuantizeLinear", 3), {x, s, zu}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], quantize_reference<uint8_t>(x, s, &zu, 1)), 0);
}

TEST(QuantOpsQuantizeLinear, PerAxisOnEveryAxisMatchesReference) {
  const Shape shape = {2, 3, 4};
  const Tensor x = random_tensor(DType::kFloat32, shape, 3, -4, 4);
  for (int64_t axis : {0, 1, 2, -1, -3}) {
    SCOPED_TRACE(axis);
    const int64_t d = shape[axis < 0 ? axis + 3 : axis];
    const Tensor s = random_tensor(DType::kFloat32, {d}, 10 + static_cast<unsigned>(d), 0.01, 0.1);
    const Tensor z = random_tensor(DType::kUInt8, {d}, 20, 0, 255);
    auto out = run_node(node_with_axis("QuantizeLinear", 3, axis), {x, s, z}, 13);
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(max_abs_diff((*out)[0], quantize_reference<uint8_t>(x, s, &z, axis)), 0);
  }
}

TEST(QuantOpsQuantizeLinear, BlockedScalesMatchReference) {
  // Opset 21 block_size: scale [2, ceil(5 / 2), 3] for x [2, 5, 3] along axis 1.
  const Tensor x = random_tensor(DType::kFloat32, {2, 5, 3}, 4, -2, 2);
  const Tensor s = random_tensor(DType::kFloat32, {2, 3, 3}, 5, 0.01, 0.05);
  const Tensor z = random_tensor(DType::kInt8, {2, 3, 3}, 6, -20, 20);
  ir::Node n = node_with_axis("QuantizeLinear", 3, 1);
  n.attributes["block_size"] = int_attribute(2);
  auto out = run_node(n, {x, s, z}, 21);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], quantize_reference<int8_t>(x, s, &z, 1, 2)), 0);
  // The wrong number of blocks is an error naming the expected scale shape.
  out = run_node(n, {x, random_tensor(DType::kFloat32, {2, 2, 3}, 7, 0.01, 0.05), Tensor()}, 21);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("[2, 3, 3]"), std::string::npos) << out.status().to_string();
}

TEST(QuantOpsQuantizeLinear, EmptyAndInt32AndHalfInputs) {
  auto out =
      run_node(make_node("QuantizeLinear", 2), {Tensor::empty(DType::kFloat32, {0, 4}), values<float>({}, {1.f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 4}));
  // int32 x: 7 / 2 = 3.5 -> 4, -7 / 2 -> -4, 5 / 2 = 2.5 -> 2 (ties to even), 1000 -> 127.
  out = run_node(make_node("QuantizeLinear", 3),
                 {values<int32_t>({4}, {7, -7, 5, 1000}), values<float>({}, {2.f}), values<int8_t>({}, {0})}, 13);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(to_vector<int8_t>((*out)[0]), (std::vector<int8_t>{4, -4, 2, 127}));
  // float16 x and scale (opset 19): 3 / 0.5 = 6.
  const Tensor xh = values<Float16>({2}, {to_float16(3.f), to_float16(-1.25f)});
  out = run_node(make_node("QuantizeLinear", 3),
                 {xh, values<Float16>({}, {to_float16(0.5f)}), values<uint8_t>({}, {10})}, 19);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(to_vector<uint8_t>((*out)[0]), (std::vector<uint8_t>{16, 8}));  // 6 + 10; -2.5 -> -2, + 10
}

TEST(QuantOpsQuantizeLinear, BadInputsAreClearErrors) {
  const Tensor x = random_tensor(DType::kFloat32, {2, 3}, 8);
  // int64 x is not a QuantizeLinear input type.
  auto out = run_node(make_node("QuantizeLinear", 2), {values<int64_t>({2}, {1, 2}), values<float>({}, {1.f})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("int64"), std::string::npos) << out.status().to_string();
  // An integer scale.
  out = run_node(make_node("QuantizeLinear", 2), {x, values<int32_t>({}, {1})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("y_scale"), std::string::npos) << out.status().to_string();
  // A per-axis scale of the wrong length for axis 1 (3 values needed).
  out = run_node(make_node("QuantizeLinear", 2), {x, values<float>({2}, {1.f, 2.f})}, 13);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("per-axis"), std::string::npos) << out.status().to_string();
  // Per-axis scales before opset 13.
  out = run_node(make_node("QuantizeLinear", 2), {x, values<float>({3}, {1.f, 2.f, 3.f})}, 10);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("opset 13"), std::string::npos) << out.status().to_string();
  // Zero point and scale of different shapes.
  out =
      run_node(make_node("QuantizeLinear", 3), {x, values<float>({3}, {1.f, 2.f, 3.f}), values<uint8_t>({}, {0})}, 13);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("zero point"), std::string::npos) << out.status().to_string();
  // Axis out of range.
  out = run_node(node_with_axis("QuantizeLinear", 2, 2), {x, values<float>({3}, {1.f, 2.f, 3.f})}, 13);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("axis 2"), std::string::npos) << out.status().to_string();
}

// ---- DequantizeLinear ----

// Round trips through the two kernels: for x inside the representable range, |DQ(Q(x)) - x| <= scale / 2 (plus
// float rounding); outside it, DQ(Q(x)) is the range end (saturation); and Q(DQ(q)) == q for every code q (exact
// for int8 and uint8, per tensor and per channel, with nonzero zero points).
TEST(QuantOpsRoundTrip, QuantizeThenDequantizeIsWithinHalfAStepAndSaturates) {
  const Shape shape = {4, 6};
  for (bool per_channel : {false, true}) {
    SCOPED_TRACE(per_channel ? "per channel" : "per tensor");
    const Tensor s = per_channel ? random_tensor(DType::kFloat32, {6}, 50, 0.01, 0.2) : values<float>({}, {0.05f});
    const Tensor zu = per_channel ? random_tensor(DType::kUInt8, {6}, 51, 0, 255) : values<uint8_t>({}, {97});
    const Tensor x = random_tensor(DType::kFloat32, shape, 52, -30.0, 30.0);  // partly outside every range
    auto q = run_node(node_with_axis("QuantizeLinear", 3, 1), {x, s, zu}, 13);
    ASSERT_TRUE(q.ok()) << q.status().to_string();
    auto dq = run_node(node_with_axis("DequantizeLinear", 3, 1), {(*q)[0], s, zu}, 13);
    ASSERT_TRUE(dq.ok()) << dq.status().to_string();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const int64_t c = per_channel ? i % 6 : 0;
      const double sc = s.data<float>()[c], z = zu.data<uint8_t>()[c];
      const double lo = (0 - z) * sc, hi = (255 - z) * sc, v = x.data<float>()[i];
      const double got = (*dq)[0].data<float>()[i];
      if (v < lo) EXPECT_NEAR(got, lo, 1e-6 * std::fabs(lo) + 1e-7) << i;
      else if (v > hi) EXPECT_NEAR(got, hi, 1e-6 * std::fabs(hi) + 1e-7) << i;
      else EXPECT_LE(std::fabs(got - v), sc / 2 * (1 + 1e-5)) << i;
    }
    // Every code survives DQ then Q unchanged.
    const Tensor codes = random_tensor(DType::kInt8, shape, 53, -128, 127);
    const Tensor zi = per_channel ? random_tensor(DType::kInt8, {6}, 54, -20, 20) : values<int8_t>({}, {-7});
    auto back = run_node(node_with_axis("DequantizeLinear", 3, 1), {codes, s, zi}, 13);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    auto again = run_node(node_with_axis("QuantizeLinear", 3, 1), {(*back)[0], s, zi}, 13);
    ASSERT_TRUE(again.ok()) << again.status().to_string();
    EXPECT_EQ(to_vector<int8_t>((*again)[0]), to_vector<int8_t>(codes));
  }
}

TEST(QuantOpsDequantizeLinear, PerTensorAndPerAxisMatchReference) {
  const Shape shape = {3, 4, 5};
  const Tensor xu = random_tensor(DType::kUInt8, shape, 30, 0, 255);
  const Tensor xi = random_tensor(DType::kInt8, shape, 31, -128, 127);
  const Tensor s1 = values<float>({}, {0.037f});
  const Tensor zu = values<uint8_t>({}, {119}), zi = values<int8_t>({}, {-3});
  auto out = run_node(make_node("DequantizeLinear", 3), {xu, s1, zu}, 10);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], dequantize_reference<uint8_t>(xu, s1, &zu, 1)), 0);
  out = run_node(make_node("DequantizeLinear", 2), {xi, s1}, 13);  // default zero point 0
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], dequantize_reference<int8_t>(xi, s1, nullptr, 1)), 0);
  for (int64_t axis : {0, 1, -1}) {
    SCOPED_TRACE(axis);
    const int64_t d = shape[axis < 0 ? axis + 3 : axis];
    const Tensor s = random_tensor(DType::kFloat32, {d}, 40, 0.01, 0.1);
    const Tensor z = random_tensor(DType::kInt8, {d}, 41, -10, 10);
    out = run_node(node_with_axis("DequantizeLinear", 3, axis), {xi, s, z}, 13);
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(max_abs_diff((*out)[0], dequantize_reference<int8_t>(xi, s, &z, axis)), 0);
  }
}

TEST(QuantOpsDequantizeLinear, Int32BlockedHalfAndEmpty) {
  // int32 x (the bias of QOperator models): (x - 0) * scale.
  auto out =
      run_node(make_node("DequantizeLinear", 2), {values<int32_t>({3}, {-1000, 0, 77}), values<float>({}, {0.5f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(to_vector<float>((*out)[0]), (std::vector<float>{-500.f, 0.f, 38.5f}));
  // Blocked along axis 0 (opset 21): x [4, 2], block 3 -> scale [2, 2].
  const Tensor x = random_tensor(DType::kUInt8, {4, 2}, 50, 0, 255);
  const Tensor s = random_tensor(DType::kFloat32, {2, 2}, 51, 0.01, 0.1);
  const Tensor z = random_tensor(DType::kUInt8, {2, 2}, 52, 100, 150);
  ir::Node n = node_with_axis("DequantizeLinear", 3, 0);
  n.attributes["block_size"] = int_attribute(3);
  out = run_node(n, {x, s, z}, 21);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(max_abs_diff((*out)[0], dequantize_reference<uint8_t>(x, s, &z, 0, 3)), 0);
  // A float16 scale gives a float16 output (opset 19): (5 - 1) * 0.25 = 1.
  out = run_node(make_node("DequantizeLinear", 3),
                 {values<uint8_t>({1}, {5}), values<Float16>({}, {to_float16(0.25f)}), values<uint8_t>({}, {1})}, 19);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ((*out)[0].dtype(), DType::kFloat16);
  EXPECT_EQ(to_float((*out)[0].data<Float16>()[0]), 1.f);
  out = run_node(make_node("DequantizeLinear", 2), {Tensor::empty(DType::kInt8, {2, 0}), values<float>({}, {1.f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 0}));
}

TEST(QuantOpsDequantizeLinear, BadInputsAreClearErrors) {
  const Tensor x = random_tensor(DType::kUInt8, {2, 3}, 60, 0, 255);
  auto out = run_node(make_node("DequantizeLinear", 3), {x, values<float>({}, {1.f}), values<int8_t>({}, {0})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("must match"), std::string::npos) << out.status().to_string();
  out = run_node(make_node("DequantizeLinear", 2), {random_tensor(DType::kFloat32, {2}, 61), values<float>({}, {1.f})});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("float32"), std::string::npos) << out.status().to_string();
  out = run_node(node_with_axis("DequantizeLinear", 2, 0), {x, values<float>({3}, {1.f, 2.f, 3.f})}, 13);
  ASSERT_FALSE(out.ok());  // axis 0 has 2 values
  EXPECT_NE(out.status().message().find("per-axis"), std::string::npos) << out.status().to_string();
}

// ---- DynamicQuantizeLinear ----

TEST(QuantOpsDynamicQuantizeLinear, MatchesFormula) {
  // The ONNX doc's example (test_dynamicquantizelinear): x = [0, 2, -3, -2.5, 1.34, 0.5] -> scale 5 / 255,
  // zero point 153, y = [153, 255, 0, 26, 221, 179]
  // (0.5 / (5 / 255) = 25.5 in float32 -> ties to 26).
  auto out = run_node(make_node("DynamicQuantizeLinear", 1, 3),
                      {values<float>({6}, {0.f, 2.f, -3.f, -2.5f, 1.34f, 0.5f})}, 11, 3);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(to_vector<uint8_t>((*out)[0]), (std::vector<uint8_t>{153, 255, 0, 26, 221, 179}));
  EXPECT_FLOAT_EQ((*out)[1].data<float>()[0], 5.f / 255.f);
  EXPECT_EQ((*out)[2].data<uint8_t>()[0], 153);
  EXPECT_TRUE((*out)[1].shape().empty() && (*out)[2].shape().empty());

  // Random data vs the formula (ONNX doc): range widened to 0, scale = range / 255, zp = rne(saturate(-min/scale)).
  const Tensor x = random_tensor(DType::kFloat32, {3, 50}, 70, -1.3, 2.9);
  out = run_node(make_node("DynamicQuantizeLinear", 1, 3), {x}, 11, 3);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  float lo = 0, hi = 0;
  for (float v : to_vector<float>(x)) lo = std::min(lo, v), hi = std::max(hi, v);
  const float scale = (hi - lo) / 255.f;
  const uint8_t zp = saturate<uint8_t>(round_half_even(std::clamp(0.f - lo / scale, 0.f, 255.f)));
  EXPECT_EQ((*out)[1].data<float>()[0], scale);
  EXPECT_EQ((*out)[2].data<uint8_t>()[0], zp);
  const Tensor s = values<float>({}, {scale});
  const Tensor z = values<uint8_t>({}, {zp});
  EXPECT_EQ(max_abs_diff((*out)[0], quantize_reference<uint8_t>(x, s, &z, 1)), 0);
}

TEST(QuantOpsDynamicQuantizeLinear, ZerosNaNAndEmpty) {
  // All zeros: the range is 0, scale 1 (ONNX Runtime's choice; the formula would divide by 0), zero point 0.
  auto out = run_node(make_node("DynamicQuantizeLinear", 1, 3), {values<float>({3}, {0.f, 0.f, 0.f})}, 11, 3);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[1].data<float>()[0], 1.f);
  EXPECT_EQ((*out)[2].data<uint8_t>()[0], 0);
  EXPECT_EQ(to_vector<uint8_t>((*out)[0]), (std::vector<uint8_t>{0, 0, 0}));
  // NaN is left out of the range and quantizes to the zero point: range [-1, 0] -> scale 1/255, zp 255.
  out = run_node(make_node("DynamicQuantizeLinear", 1, 3),
                 {values<float>({3}, {-1.f, std::numeric_limits<float>::quiet_NaN(), 0.f})}, 11, 3);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[2].data<uint8_t>()[0], 255);
  EXPECT_EQ(to_vector<uint8_t>((*out)[0]), (std::vector<uint8_t>{0, 255, 255}));
  out = run_node(make_node("DynamicQuantizeLinear", 1, 3), {Tensor::empty(DType::kFloat32, {0, 3})}, 11, 3);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{0, 3}));
  out = run_node(make_node("DynamicQuantizeLinear", 1, 3), {random_tensor(DType::kFloat64, {2}, 71)}, 11, 3);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("float32"), std::string::npos) << out.status().to_string();
}

// ---- MatMulInteger / QLinearMatMul ----

struct QMatMulCase {
  Shape a, b;
  Shape a_zp, b_zp;  // shapes of the zero points ({} = one value; omitted when `zp` is false)
  DType a_dtype = DType::kUInt8, b_dtype = DType::kInt8;
};

// numpy.matmul of (A - zp_a) and (B - zp_b) in int64, written out; zp_a index = (A matrix, row) per the shape
// rules of the ONNX doc (one value, M values, or [..., M, 1]); likewise zp_b per column.
Tensor int_matmul_reference(const Tensor& a, const Tensor& b, const Tensor* a_zp, const Tensor* b_zp) {
  const MatMulBroadcast mb = matmul_broadcast(a.shape(), b.shape());
  const int64_t m = mb.m, k = mb.k, n = mb.n;
  auto value = [](const Tensor& t, int64_t i) -> int64_t {
    return t.dtype() == DType::kInt8 ? t.data<int8_t>()[i] : t.data<uint8_t>()[i];
  };
  Tensor y = Tensor::empty(DType::kInt32, mb.out);
  for (int64_t bi = 0; bi < shape_numel(mb.batch); ++bi) {
    const auto [ai, bj] = mb.matrices(bi);  // the A / B matrix of this output batch
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const int64_t za = !a_zp                ? 0
                           : a_zp->numel() == 1 ? value(*a_zp, 0)
                           : a_zp->rank() == 1  ? value(*a_zp, i)
                                                : value(*a_zp, ai * m + i);
        const int64_t zb = !b_zp                ? 0
                           : b_zp->numel() == 1 ? value(*b_zp, 0)
                           : b_zp->rank() == 1  ? value(*b_zp, j)
                                                : value(*b_zp, bj * n + j);
        int64_t acc = 0;
        for (int64_t l = 0; l < k; ++l)
          acc += (value(a, (ai * m + i) * k + l) - za) * (value(b, (bj * k + l) * n + j) - zb);
        y.data<int32_t>()[(bi * m + i) * n + j] = static_cast<int32_t>(acc);
      }
  }
  return y;
}

class HeapAllocator final : public cpu::OutputAllocator {
 public:
  Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
};

struct ConstantRun {
  std::vector<Tensor> outputs;
  std::vector<bool> packed;  // packed_constant_input(i) per input
};

// Runs `node` with the inputs flagged in `constant` handed to the factory as initializers and, as the session's
// plan does, nullptr at run time for those the kernel reports packed.
Result<ConstantRun> run_with_constants(const ir::Node& node, const std::vector<Tensor>& inputs,
                                       const std::vector<bool>& constant, int64_t opset) {
  std::unordered_map<std::string, Tensor> initializers;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (constant[i] && inputs[i].defined()) initializers[node.inputs[i]] = inputs[i];
  const cpu::KernelDef* def = cpu::find_cpu_kernel(node.op_type, node.domain, opset);
  if (!def) return not_implemented("no kernel for " + node.op_type);
  ONYX_ASSIGN_OR_RETURN(auto kernel, def->create(cpu::KernelInfo{node, opset, &initializers}));
  ConstantRun r;
  std::vector<const Tensor*> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    r.packed.push_back(kernel->packed_constant_input(i));
    in.push_back(r.packed.back() || !inputs[i].defined() ? nullptr : &inputs[i]);
  }
  r.outputs.resize(1);
  HeapAllocator alloc;
  cpu::KernelContext ctx(node, in, r.outputs, alloc);
  ONYX_RETURN_IF_ERROR(kernel->compute(ctx));
  return r;
}

Tensor random_q(DType d, Shape s, unsigned seed) {
  return d == DType::kInt8 ? random_tensor(d, std::move(s), seed, -128, 127)
                           : random_tensor(d, std::move(s), seed, 0, 255);
}

const std::vector<QMatMulCase>& matmul_cases() {
  static const std::vector<QMatMulCase> cases = {
      {{5, 17}, {17, 9}, {}, {}, DType::kUInt8, DType::kInt8},         // 2-D, per-tensor zero points
      {{5, 17}, {17, 9}, {5}, {9}, DType::kUInt8, DType::kUInt8},      // per row / per column
      {{2, 3, 4, 8}, {8, 6}, {}, {6}, DType::kInt8, DType::kInt8},     // batched A, 2-D B
      {{2, 3, 4, 8}, {3, 8, 7}, {}, {}, DType::kUInt8, DType::kInt8},  // batched A and B
      {{2, 1, 4, 8}, {1, 3, 8, 5}, {2, 1, 4, 1}, {1, 3, 1, 5}, DType::kInt8, DType::kUInt8},  // broadcast, N-D zps
      {{16}, {16, 4}, {}, {4}, DType::kUInt8, DType::kInt8},                                  // 1-D A
      {{3, 16}, {16}, {3}, {}, DType::kUInt8, DType::kInt8},                                  // 1-D B
      {{0, 8}, {8, 4}, {}, {}, DType::kUInt8, DType::kInt8},                                  // empty M
      {{3, 0}, {0, 4}, {}, {}, DType::kUInt8, DType::kInt8},                                  // K = 0: zeros
  };
  return cases;
}

TEST(QuantOpsMatMulInteger, MatchesReferenceWithAndWithoutPacking) {
  unsigned seed = 100;
  for (const QMatMulCase& c : matmul_cases()) {
    SCOPED_TRACE(shape_to_string(c.a) + " x " + shape_to_string(c.b) + " zp " + shape_to_string(c.a_zp) + " / " +
                 shape_to_string(c.b_zp));
    const Tensor a = random_q(c.a_dtype, c.a, seed++), b = random_q(c.b_dtype, c.b, seed++);
    const Tensor za = random_q(c.a_dtype, c.a_zp, seed++), zb = random_q(c.b_dtype, c.b_zp, seed++);
    const Tensor want = int_matmul_reference(a, b, &za, &zb);
    for (bool constant_b : {false, true}) {
      SCOPED_TRACE(constant_b ? "constant B" : "B input");
      auto r =
          run_with_constants(make_node("MatMulInteger", 4), {a, b, za, zb}, {false, constant_b, false, constant_b}, 10);
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      // Packed exactly when B is a constant 2-D matrix with elements.
      const bool packable = constant_b && c.b.size() == 2 && shape_numel(c.b) > 0;
      EXPECT_EQ(r->packed[1], packable);
      EXPECT_EQ(r->packed[3], packable);
      EXPECT_FALSE(r->packed[0] || r->packed[2]);
      EXPECT_EQ(max_abs_diff(r->outputs[0], want), 0);
    }
    // Without zero points (0), B an input and B a constant.
    for (bool constant_b : {false, true}) {
      auto r = run_with_constants(make_node("MatMulInteger", 2), {a, b}, {false, constant_b}, 10);
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      EXPECT_EQ(max_abs_diff(r->outputs[0], int_matmul_reference(a, b, nullptr, nullptr)), 0)
          << (constant_b ? "constant B" : "B input") << ", no zero points";
    }
  }
}

TEST(QuantOpsMatMulInteger, ExtremeValuesAreExact) {
  // All-extreme operands: (0 - 255) * (-128 - 127) * 300 = 19,507,500 per output, far inside int32; a packed GEMM
  // that saturated 16-bit intermediate sums (vpmaddubsw) would fail this.
  const int64_t k = 300;
  const Tensor a = values<uint8_t>({2, k}, std::vector<uint8_t>(2 * k, 0));
  const Tensor b = values<int8_t>({k, 3}, std::vector<int8_t>(k * 3, -128));
  const Tensor za = values<uint8_t>({}, {255}), zb = values<int8_t>({}, {127});
  for (bool constant_b : {false, true}) {
    auto r =
        run_with_constants(make_node("MatMulInteger", 4), {a, b, za, zb}, {false, constant_b, false, constant_b}, 10);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(to_vector<int32_t>(r->outputs[0]), std::vector<int32_t>(6, 255 * 255 * k));
  }
}

TEST(QuantOpsMatMulInteger, BadInputsAreClearErrors) {
  const Tensor a = random_q(DType::kUInt8, {3, 4}, 1), b = random_q(DType::kInt8, {4, 5}, 2);
  auto out = run_node(make_node("MatMulInteger", 2), {random_tensor(DType::kFloat32, {3, 4}, 3), b}, 10);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("int8 or uint8"), std::string::npos) << out.status().to_string();
  out = run_node(make_node("MatMulInteger", 4), {a, b, values<uint8_t>({2}, {1, 2}), Tensor()}, 10);
  ASSERT_FALSE(out.ok());  // 2 zero points for 3 rows
  EXPECT_NE(out.status().message().find("a_zero_point"), std::string::npos) << out.status().to_string();
  out = run_node(make_node("MatMulInteger", 4), {a, b, Tensor(), values<uint8_t>({}, {1})}, 10);
  ASSERT_FALSE(out.ok());  // b_zero_point uint8 for int8 B
  EXPECT_NE(out.status().message().find("b_zero_point"), std::string::npos) << out.status().to_string();
  out = run_node(make_node("MatMulInteger", 2), {a, random_q(DType::kInt8, {5, 4}, 4)}, 10);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("inner dims"), std::string::npos) << out.status().to_string();
}

// QLinearMatMul reference: the int64 product, then y = saturate(rne(acc * (a_scale * b_scale / y_scale)) + y_zp)
// with the multiplier in float32 (ONNX Runtime's formula; the ONNX doc states the math, not the float order).
template <typename Q>
Tensor qlinear_reference(const Tensor& acc, const Tensor& a_scale, const Tensor& b_scale, float y_scale, int y_zp,
                         int64_t m, int64_t n) {
  Tensor y = Tensor::empty(dtype_of_storage<Q>(), acc.shape());
  for (int64_t idx = 0; idx < acc.numel(); ++idx) {
    const int64_t i = (idx / n) % m, j = idx % n;
    const float sa = a_scale.numel() == 1 ? a_scale.data<float>()[0] : a_scale.data<float>()[i];
    const float sb = b_scale.numel() == 1 ? b_scale.data<float>()[0] : b_scale.data<float>()[j];
    const float mult = sa * sb / y_scale;
    y.data<Q>()[idx] = saturate<Q>(round_half_even(static_cast<float>(acc.data<int32_t>()[idx]) * mult) + y_zp);
  }
  return y;
}

TEST(QuantOpsQLinearMatMul, MatchesReferenceWithAndWithoutPacking) {
  unsigned seed = 300;
  for (const QMatMulCase& c : matmul_cases()) {
    if (c.a_zp.size() > 1) continue;  // N-D parameters: covered by MatMulInteger
    SCOPED_TRACE(shape_to_string(c.a) + " x " + shape_to_string(c.b));
    const Tensor a = random_q(c.a_dtype, c.a, seed++), b = random_q(c.b_dtype, c.b, seed++);
    const Tensor za = random_q(c.a_dtype, c.a_zp, seed++), zb = random_q(c.b_dtype, c.b_zp, seed++);
    const Tensor sa = random_tensor(DType::kFloat32, c.a_zp, seed++, 0.01, 0.03);
    const Tensor sb = random_tensor(DType::kFloat32, c.b_zp, seed++, 0.01, 0.03);
    const int64_t m = c.a.size() == 1 ? 1 : c.a[c.a.size() - 2], n = c.b.size() == 1 ? 1 : c.b.back();
    // y_scale near the output's spread so values land inside and outside the int8 range (saturation).
    const float y_scale = 0.02f;
    const Tensor ys = values<float>({}, {y_scale}), yz = values<int8_t>({}, {-5});
    const Tensor want = qlinear_reference<int8_t>(int_matmul_reference(a, b, &za, &zb), sa, sb, y_scale, -5, m, n);
    for (bool constant_b : {false, true}) {
      SCOPED_TRACE(constant_b ? "constant b" : "b input");
      auto r = run_with_constants(make_node("QLinearMatMul", 8), {a, sa, za, b, sb, zb, ys, yz},
                                  {false, false, false, constant_b, false, constant_b, false, false}, 10);
      ASSERT_TRUE(r.ok()) << r.status().to_string();
      EXPECT_EQ(r->packed[3], constant_b && c.b.size() == 2 && shape_numel(c.b) > 0);
      ASSERT_EQ(r->outputs[0].dtype(), DType::kInt8);
      EXPECT_EQ(max_abs_diff(r->outputs[0], want), 0);
    }
  }
}

TEST(QuantOpsQLinearMatMul, SaturatesAndRejectsPerRowOutputScale) {
  // 1x2 . 2x1: (200 - 0) * (100 - 0) * 2 = 40000, * (1 * 1 / 1) -> saturates at 255 (uint8); 0 -> y_zp 7.
  const Tensor a = values<uint8_t>({2, 2}, {200, 200, 0, 0}), b = values<uint8_t>({2, 1}, {100, 100});
  const Tensor one = values<float>({}, {1.f}), z = values<uint8_t>({}, {0}), yz = values<uint8_t>({}, {7});
  auto out = run_node(make_node("QLinearMatMul", 8), {a, one, z, b, one, z, one, yz}, 10);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(to_vector<uint8_t>((*out)[0]), (std::vector<uint8_t>{255, 7}));
  out = run_node(make_node("QLinearMatMul", 8), {a, one, z, b, one, z, values<float>({2}, {1.f, 1.f}), yz}, 10);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("y_scale"), std::string::npos) << out.status().to_string();
  out = run_node(make_node("QLinearMatMul", 8), {a, values<float>({3}, {1.f, 1.f, 1.f}), z, b, one, z, one, yz}, 10);
  ASSERT_FALSE(out.ok());  // 3 scales for 2 rows
  EXPECT_NE(out.status().message().find("a_scale"), std::string::npos) << out.status().to_string();
}

}  // namespace
}  // namespace onyx::test
