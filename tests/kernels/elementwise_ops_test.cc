// Elementwise op semantics: integer Div/Mod/Pow, rounding, NaN handling, Cast rules, Clip, Where, Min/Max/Sum/Mean,
// half-precision inputs and dtype errors. Expected values are worked out by hand from the ONNX spec (and agree
// with numpy: e.g. np.fmod / np.mod for Mod, np.round for Round, ndarray.astype for Cast).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "src/core/half.h"
#include "tests/kernels/kernel_test_util.h"

namespace onyx {
namespace {

using test::make_node;
using test::max_abs_diff;
using test::random_tensor;
using test::run_node;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

template <typename T>
std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

ir::Node with_int(ir::Node n, const std::string& name, int64_t v) {
  n.attributes[name].kind = ir::Attribute::Kind::kInt;
  n.attributes[name].i = v;
  return n;
}
ir::Node with_float(ir::Node n, const std::string& name, float v) {
  n.attributes[name].kind = ir::Attribute::Kind::kFloat;
  n.attributes[name].f = v;
  return n;
}

template <typename T>
std::vector<T> run1(const ir::Node& node, const std::vector<Tensor>& inputs, int64_t opset = 17) {
  auto r = run_node(node, inputs, opset);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (!r.ok()) return {};
  EXPECT_EQ((*r)[0].dtype(), dtype_of_storage<T>());
  return values<T>((*r)[0]);
}

TEST(ElementwiseOps, IntegerDivTruncatesAndNeverTraps) {
  const auto a = Tensor::from_vector<int32_t>({5}, {7, -7, 7, std::numeric_limits<int32_t>::min(), 3});
  const auto b = Tensor::from_vector<int32_t>({5}, {2, 2, -2, -1, 0});
  EXPECT_EQ(run1<int32_t>(make_node("Div", 2), {a, b}),
            (std::vector<int32_t>{3, -3, -3, std::numeric_limits<int32_t>::min(), 0}));
}

TEST(ElementwiseOps, IntegerAddWraps) {
  const auto a = Tensor::from_vector<int8_t>({2}, {127, -128});
  const auto b = Tensor::from_vector<int8_t>({2}, {1, -1});
  EXPECT_EQ(run1<int8_t>(make_node("Add", 2), {a, b}), (std::vector<int8_t>{-128, 127}));
}

TEST(ElementwiseOps, ModSignFollowsDivisorOrDividend) {
  const auto a = Tensor::from_vector<int64_t>({4}, {-4, 4, -4, 5});
  const auto b = Tensor::from_vector<int64_t>({4}, {3, -3, -3, 0});
  EXPECT_EQ(run1<int64_t>(make_node("Mod", 2), {a, b}), (std::vector<int64_t>{2, -2, -1, 0}));  // np.mod
  EXPECT_EQ(run1<int64_t>(with_int(make_node("Mod", 2), "fmod", 1), {a, b}),
            (std::vector<int64_t>{-1, 1, -1, 0}));  // np.fmod
  const auto fa = Tensor::from_vector<float>({2}, {-4.5f, 4.5f});
  const auto fb = Tensor::from_vector<float>({2}, {2.0f, -2.0f});
  EXPECT_EQ(run1<float>(with_int(make_node("Mod", 2), "fmod", 1), {fa, fb}), (std::vector<float>{-0.5f, 0.5f}));
  auto r = run_node(make_node("Mod", 2), {fa, fb});  // float needs fmod=1
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(ElementwiseOps, PowMixedTypes) {
  const auto ib = Tensor::from_vector<int64_t>({4}, {2, -3, 2, 1});
  const auto ie = Tensor::from_vector<int64_t>({4}, {10, 3, -1, -5});
  EXPECT_EQ(run1<int64_t>(make_node("Pow", 2), {ib, ie}), (std::vector<int64_t>{1024, -27, 0, 1}));
  const auto fe = Tensor::from_vector<float>({4}, {0.5f, 2.0f, 1.5f, 0.0f});
  EXPECT_EQ(run1<int64_t>(make_node("Pow", 2), {ib, fe}), (std::vector<int64_t>{1, 9, 2, 1}));  // trunc(2^1.5)
  const auto fb = Tensor::from_vector<float>({2}, {4.0f, 2.0f});
  const auto e32 = Tensor::from_vector<int32_t>({2}, {2, -1});
  EXPECT_EQ(run1<float>(make_node("Pow", 2), {fb, e32}), (std::vector<float>{16.0f, 0.5f}));
}

TEST(ElementwiseOps, RoundHalfToEvenAndSign) {
  const auto x = Tensor::from_vector<float>({7}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, kNaN});
  auto r = run1<float>(make_node("Round", 1), {x});
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(std::vector<float>(r.begin(), r.begin() + 6), (std::vector<float>{0, 2, 2, -0.0f, -2, 2}));
  EXPECT_TRUE(std::isnan(r[6]));
  auto s = run1<float>(make_node("Sign", 1), {x});
  EXPECT_EQ(std::vector<float>(s.begin(), s.begin() + 6), (std::vector<float>{1, 1, 1, -1, -1, 1}));
  EXPECT_TRUE(std::isnan(s[6]));
  EXPECT_EQ(run1<int32_t>(make_node("Sign", 1), {Tensor::from_vector<int32_t>({3}, {-5, 0, 9})}),
            (std::vector<int32_t>{-1, 0, 1}));
}

TEST(ElementwiseOps, ReluAndActivationsKeepNaN) {
  const auto x = Tensor::from_vector<float>({4}, {-1.0f, 0.0f, 2.0f, kNaN});
  auto relu = run1<float>(make_node("Relu", 1), {x});
  EXPECT_EQ(std::vector<float>(relu.begin(), relu.begin() + 3), (std::vector<float>{0, 0, 2}));
  EXPECT_TRUE(std::isnan(relu[3]));
  auto lrelu = run1<float>(with_float(make_node("LeakyRelu", 1), "alpha", 0.1f), {x});
  EXPECT_FLOAT_EQ(lrelu[0], -0.1f);
  // Sigmoid / Softplus do not overflow for large |x|.
  const auto big = Tensor::from_vector<float>({2}, {-1000.0f, 1000.0f});
  EXPECT_EQ(run1<float>(make_node("Sigmoid", 1), {big}), (std::vector<float>{0.0f, 1.0f}));
  EXPECT_EQ(run1<float>(make_node("Softplus", 1), {big}), (std::vector<float>{0.0f, 1000.0f}));
  EXPECT_EQ(run1<float>(make_node("HardSwish", 1), {Tensor::from_vector<float>({3}, {-4.0f, 1.0f, 4.0f})}),
            (std::vector<float>{0.0f, 1.0f * (1.0f / 6.0f + 0.5f), 4.0f}));
}

TEST(ElementwiseOps, IsInfDetectAttributes) {
  const auto x = Tensor::from_vector<float>({4}, {-kInf, kInf, kNaN, 1.0f});
  EXPECT_EQ(run1<bool>(make_node("IsInf", 1), {x}), (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(run1<bool>(with_int(make_node("IsInf", 1), "detect_negative", 0), {x}),
            (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(run1<bool>(make_node("IsNaN", 1), {x}), (std::vector<bool>{false, false, true, false}));
}

TEST(ElementwiseOps, ComparisonsBroadcastToBool) {
  const auto a = Tensor::from_vector<int64_t>({2, 2}, {1, 2, 3, 4});
  const auto b = Tensor::from_vector<int64_t>({2}, {2, 3});
  EXPECT_EQ(run1<bool>(make_node("Less", 2), {a, b}), (std::vector<bool>{true, true, false, false}));
  EXPECT_EQ(run1<bool>(make_node("GreaterOrEqual", 2), {a, b}), (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(run1<bool>(make_node("Equal", 2), {a, b}), (std::vector<bool>{false, false, false, false}));
  const auto nan = Tensor::from_vector<float>({1}, {kNaN});
  EXPECT_EQ(run1<bool>(make_node("Equal", 2), {nan, nan}), (std::vector<bool>{false}));
}

TEST(ElementwiseOps, LogicalOnlyTakesBool) {
  const auto t = Tensor::from_vector<bool>({3}, {true, false, true});
  const auto f = Tensor::from_vector<bool>({1}, {true});
  EXPECT_EQ(run1<bool>(make_node("Xor", 2), {t, f}), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(run1<bool>(make_node("Not", 1), {t}), (std::vector<bool>{false, true, false}));
  auto r =
      run_node(make_node("And", 2), {random_tensor(DType::kFloat32, {2}, 1), random_tensor(DType::kFloat32, {2}, 2)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented);
}

TEST(ElementwiseOps, VariadicBroadcastAndNaN) {
  const auto a = Tensor::from_vector<float>({2, 1}, {1.0f, kNaN});
  const auto b = Tensor::from_vector<float>({3}, {0.0f, 5.0f, 2.0f});
  const auto c = Tensor::from_vector<float>({}, {3.0f});
  auto mx = run1<float>(make_node("Max", 3), {a, b, c});
  ASSERT_EQ(mx.size(), 6u);
  EXPECT_EQ(std::vector<float>(mx.begin(), mx.begin() + 3), (std::vector<float>{3, 5, 3}));
  EXPECT_TRUE(std::isnan(mx[3]) && std::isnan(mx[4]) && std::isnan(mx[5]));
  const auto a2 = Tensor::from_vector<float>({2, 1}, {1.0f, 2.0f});
  EXPECT_EQ(run1<float>(make_node("Sum", 3), {a2, b, c}), (std::vector<float>{4, 9, 6, 5, 10, 7}));
  EXPECT_EQ(run1<float>(make_node("Mean", 2), {a2, b}), (std::vector<float>{0.5f, 3, 1.5f, 1, 3.5f, 2}));
  EXPECT_EQ(run1<float>(make_node("Min", 1), {b}), (std::vector<float>{0, 5, 2}));  // one input: identity
}

TEST(ElementwiseOps, WhereBroadcastsAllThree) {
  const auto cond = Tensor::from_vector<bool>({2, 1}, {true, false});
  const auto x = Tensor::from_vector<int64_t>({3}, {1, 2, 3});
  const auto y = Tensor::from_vector<int64_t>({}, {-1});
  EXPECT_EQ(run1<int64_t>(make_node("Where", 3), {cond, x, y}), (std::vector<int64_t>{1, 2, 3, -1, -1, -1}));
  const auto h = Tensor::from_vector<Float16>({1}, {to_float16(2.5f)});
  auto r = run_node(make_node("Where", 3), {cond, h, h});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].shape(), (Shape{2, 1}));
  EXPECT_FALSE(run_node(make_node("Where", 3), {x, x, x}).ok());  // condition must be bool
}

TEST(ElementwiseOps, ClipAttributesAndInputs) {
  const auto x = Tensor::from_vector<float>({4}, {-2.0f, 0.5f, 3.0f, kNaN});
  ir::Node old = with_float(with_float(make_node("Clip", 1), "min", -1.0f), "max", 1.0f);
  auto r6 = run1<float>(old, {x}, 6);
  EXPECT_EQ(std::vector<float>(r6.begin(), r6.begin() + 3), (std::vector<float>{-1, 0.5f, 1}));
  EXPECT_TRUE(std::isnan(r6[3]));
  // Opset 13: only max given (min omitted).
  auto r13 = run1<float>(make_node("Clip", 3), {x, Tensor(), Tensor::from_vector<float>({}, {0.0f})});
  EXPECT_EQ(std::vector<float>(r13.begin(), r13.begin() + 3), (std::vector<float>{-2, 0, 0}));
  // min > max: everything becomes max.
  const auto xi = Tensor::from_vector<int8_t>({3}, {-100, 0, 100});
  EXPECT_EQ(run1<int8_t>(make_node("Clip", 3),
                         {xi, Tensor::from_vector<int8_t>({}, {5}), Tensor::from_vector<int8_t>({}, {1})}),
            (std::vector<int8_t>{1, 1, 1}));
  EXPECT_FALSE(run_node(make_node("Clip", 2), {x, Tensor::from_vector<float>({2}, {0, 1})}).ok());
}

TEST(ElementwiseOps, CastFloatToIntTruncatesWithoutUB) {
  const auto x = Tensor::from_vector<float>({6}, {1.9f, -1.9f, kNaN, 1e30f, -1e30f, 300.0f});
  EXPECT_EQ(
      run1<int64_t>(with_int(make_node("Cast", 1), "to", 7), {x}),
      (std::vector<int64_t>{1, -1, 0, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 300}));
  EXPECT_EQ(run1<uint8_t>(with_int(make_node("Cast", 1), "to", 2), {x})[5], 44);  // 300 wraps mod 256
  EXPECT_EQ(run1<bool>(with_int(make_node("Cast", 1), "to", 9), {x})[2], true);   // NaN != 0
}

TEST(ElementwiseOps, CastHalfTypesRoundToNearestEven) {
  // 1 + 2^-8 + 2^-9 rounds up to 1 + 2^-7 in bfloat16 (truncation would give 1).
  const float v = 1.0f + 1.0f / 256 + 1.0f / 512;
  const auto x = Tensor::from_vector<float>({2}, {v, -65536.0f});
  auto bf = run1<BFloat16>(with_int(make_node("Cast", 1), "to", 16), {x});
  ASSERT_EQ(bf.size(), 2u);
  EXPECT_EQ(to_float(bf[0]), 1.0f + 1.0f / 128);
  EXPECT_EQ(to_float(bf[1]), -65536.0f);
  auto h = run1<Float16>(with_int(make_node("Cast", 1), "to", 10), {x});
  EXPECT_TRUE(std::isinf(to_float(h[1])));  // beyond float16's range
  // Round trip float16 -> double and back through CastLike.
  auto d = run_node(with_int(make_node("Cast", 1), "to", 11), {Tensor::from_vector<Float16>({1}, {to_float16(0.1f)})});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at(0).data<double>()[0], static_cast<double>(to_float(to_float16(0.1f))));
  auto back = run_node(make_node("CastLike", 2), {d->at(0), Tensor::from_vector<Float16>({1}, {to_float16(0)})});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->at(0).data<Float16>()[0].bits, to_float16(0.1f).bits);
}

TEST(ElementwiseOps, CastOpset1StringTo) {
  ir::Node n = make_node("Cast", 1);
  n.attributes["to"].kind = ir::Attribute::Kind::kString;
  n.attributes["to"].s = "INT32";
  EXPECT_EQ(run1<int32_t>(n, {Tensor::from_vector<float>({1}, {2.7f})}, 1), (std::vector<int32_t>{2}));
  EXPECT_FALSE(run_node(with_int(make_node("Cast", 1), "to", 8), {Tensor::from_vector<float>({1}, {1})}).ok());
}

TEST(ElementwiseOps, Float16ArithmeticComputesInFloat) {
  const Tensor a = random_tensor(DType::kFloat16, {3, 5}, 7);
  const Tensor b = random_tensor(DType::kFloat16, {5}, 8);
  auto got = run_node(make_node("Mul", 2), {a, b});
  ASSERT_TRUE(got.ok());
  for (int64_t i = 0; i < 15; ++i) {
    const float want = to_float(a.data<Float16>()[i]) * to_float(b.data<Float16>()[i % 5]);
    EXPECT_EQ(got->at(0).data<Float16>()[i].bits, to_float16(want).bits);
  }
}

TEST(ElementwiseOps, UnsupportedDtypeIsNotImplemented) {
  auto r = run_node(make_node("Sqrt", 1), {Tensor::from_vector<int32_t>({1}, {4})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented);
  EXPECT_NE(r.status().message().find("int32"), std::string::npos);
}

TEST(ElementwiseOps, EmptyAndScalarTensors) {
  auto e = run_node(make_node("Exp", 1), {Tensor::empty(DType::kFloat32, {0, 3})});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->at(0).shape(), (Shape{0, 3}));
  EXPECT_EQ(run1<float>(make_node("Neg", 1), {Tensor::from_vector<float>({}, {2.0f})}), (std::vector<float>{-2.0f}));
  auto w = run_node(make_node("Where", 3), {Tensor::empty(DType::kBool, {0}), Tensor::from_vector<float>({1}, {1}),
                                            Tensor::from_vector<float>({1}, {2})});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->at(0).numel(), 0);
}

TEST(ElementwiseOps, ErfFastPathMatchesReference) {
  // float32 uses a vectorizable rational approximation; the reference is std::erf in double.
  const Tensor x = random_tensor(DType::kFloat32, {8192}, 11, -6.0, 6.0);
  auto got = run_node(make_node("Erf", 1), {x});
  ASSERT_TRUE(got.ok());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double want = std::erf(static_cast<double>(x.data<float>()[i]));
    EXPECT_NEAR(got->at(0).data<float>()[i], want, 1e-6 * std::fabs(want)) << x.data<float>()[i];
  }
  auto special =
      run1<float>(make_node("Erf", 1), {Tensor::from_vector<float>({5}, {kNaN, kInf, -kInf, -0.0f, 1e-40f})});
  ASSERT_EQ(special.size(), 5u);
  EXPECT_TRUE(std::isnan(special[0]));
  EXPECT_EQ(special[1], 1.0f);
  EXPECT_EQ(special[2], -1.0f);
  EXPECT_TRUE(special[3] == 0.0f && std::signbit(special[3]));
  EXPECT_GT(special[4], 0.0f);
  // float64 is the reference itself.
  auto d = run_node(make_node("Erf", 1), {Tensor::from_vector<double>({2}, {0.3, -2.0})});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->at(0).data<double>()[0], std::erf(0.3));
  EXPECT_EQ(d->at(0).data<double>()[1], std::erf(-2.0));
}

}  // namespace
}  // namespace onyx
