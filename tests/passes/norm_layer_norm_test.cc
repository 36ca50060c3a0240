// FuseLayerNorm and FuseSimplifiedLayerNorm: the decomposed norms torch exports (and their variants) become one
// LayerNormalization / SimplifiedLayerNormalization; broken patterns stay. Outputs are compared with the unoptimized
// model (1e-5) once the CPU EP implements the fused op.
#include <gtest/gtest.h>

#include "tests/passes/norm_test_util.h"

namespace onyx::test {
namespace {

using namespace norm_test;

constexpr int64_t kHidden = 8;

struct LnOptions {
  int64_t opset = 14;
  bool mul_square = false;  // Mul(d, d) instead of Pow(d, 2)
  bool reciprocal = false;  // Mul(d, Reciprocal(sqrt)) instead of Div(d, sqrt)
  bool swapped = false;     // Mul(gamma, .), Add(beta, .), Add(eps, var)
  bool beta = true;
  bool gamma = true;      // false: elementwise_affine=False, no Mul(gamma) / Add(beta) (scale of ones)
  bool two_subs = false;  // a second Sub(X, mean) feeds the Div
  int64_t axis = -1;
  float exponent = 2.f;
  bool sub_is_output = false;  // the numerator is also a graph output
};

std::string layer_norm_model(const LnOptions& o) {
  ModelBuilder m(o.opset);
  m.input("x", DType::kFloat32, {2, 3, kHidden});
  m.output("y", DType::kFloat32, {2, 3, kHidden});
  m.initializer("gamma", random_floats({kHidden}, 11, 0.5f, 1.5f));
  m.initializer("beta", random_floats({kHidden}, 12));
  constant_node(m, "two", scalar(o.exponent));
  constant_node(m, "eps", scalar(1e-5f));
  auto reduce = [&](const std::string& in, const std::string& out) {
    if (o.opset >= 18) {
      constant_node(m, out + "_axes", ints({o.axis}));
      m.node("ReduceMean", {in, out + "_axes"}, {out});
    } else {
      set_ints(m.node("ReduceMean", {in}, {out}), "axes", {o.axis});
    }
  };
  reduce("x", "mean");
  m.node("Sub", {"x", "mean"}, {"d"});
  if (o.sub_is_output) m.output("d", DType::kFloat32, {2, 3, kHidden});
  if (o.two_subs) m.node("Sub", {"x", "mean"}, {"d2"});
  const std::string num = o.two_subs ? "d2" : "d";
  if (o.mul_square)
    m.node("Mul", {"d", "d"}, {"sq"});
  else
    m.node("Pow", {"d", "two"}, {"sq"});
  reduce("sq", "var");
  if (o.swapped)
    m.node("Add", {"eps", "var"}, {"ve"});
  else
    m.node("Add", {"var", "eps"}, {"ve"});
  m.node("Sqrt", {"ve"}, {"std"});
  if (o.reciprocal) {
    m.node("Reciprocal", {"std"}, {"inv"});
    m.node("Mul", {"inv", num}, {"n"});
  } else {
    m.node("Div", {num, "std"}, {"n"});
  }
  if (!o.gamma) {
    m.node("Identity", {"n"}, {"y"});
    return m.bytes();
  }
  const std::string scaled = o.beta ? "s" : "y";
  if (o.swapped)
    m.node("Mul", {"gamma", "n"}, {scaled});
  else
    m.node("Mul", {"n", "gamma"}, {scaled});
  if (o.beta) {
    if (o.swapped)
      m.node("Add", {"beta", "s"}, {"y"});
    else
      m.node("Add", {"s", "beta"}, {"y"});
  }
  return m.bytes();
}

NamedTensors ln_inputs() { return {{"x", random_floats({2, 3, kHidden}, 5, -2.f, 3.f)}}; }

void expect_layer_norm(const LnOptions& o) {
  const std::string bytes = layer_norm_model(o);
  PassResult r = run_passes(bytes, {"FuseLayerNorm"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  EXPECT_EQ(count_ops(r.graph, "LayerNormalization"), 1);
  for (const char* gone : {"ReduceMean", "Sub", "Pow", "Sqrt", "Div", "Reciprocal", "Mul", "Add"})
    EXPECT_EQ(count_ops(r.graph, gone), 0) << gone;
  EXPECT_EQ(r.report.created["LayerNormalization"], 1);
  for (const auto& n : r.graph.nodes)
    if (n.op_type == "LayerNormalization") {
      EXPECT_EQ(n.inputs.size(), o.beta && o.gamma ? 3u : 2u);
      EXPECT_FLOAT_EQ(n.attr_float("epsilon", 0), 1e-5f);
      EXPECT_EQ(n.attr_int("axis", 0), -1);
    }
  expect_same_on_cpu(bytes, "FuseLayerNorm", "LayerNormalization", "", o.opset, ln_inputs(), 1);
}

TEST(FuseLayerNorm, Opset14PowDiv) { expect_layer_norm({}); }
TEST(FuseLayerNorm, MulSquareAndReciprocal) { expect_layer_norm({.mul_square = true, .reciprocal = true}); }
TEST(FuseLayerNorm, SwappedOperands) { expect_layer_norm({.swapped = true}); }
TEST(FuseLayerNorm, NoBeta) { expect_layer_norm({.beta = false}); }
TEST(FuseLayerNorm, NoAffineGetsAScaleOfOnes) { expect_layer_norm({.beta = false, .gamma = false}); }
TEST(FuseLayerNorm, TwoSubs) { expect_layer_norm({.two_subs = true}); }
TEST(FuseLayerNorm, Opset18AxesInput) { expect_layer_norm({.opset = 18}); }
TEST(FuseLayerNorm, PositiveLastAxis) { expect_layer_norm({.axis = 2}); }

TEST(FuseLayerNorm, NotTheLastAxisWrongExponentOrSharedNumeratorStay) {
  for (const LnOptions& o : {LnOptions{.axis = 1}, LnOptions{.exponent = 3.f}, LnOptions{.sub_is_output = true}}) {
    PassResult r = run_passes(layer_norm_model(o), {"FuseLayerNorm"}, opt::Level::kReducedPrecision, true);
    EXPECT_EQ(count_ops(r.graph, "LayerNormalization"), 0);
    EXPECT_EQ(count_ops(r.graph, "ReduceMean"), 2);
  }
}

// fp16 export: the numerator is cast to fp32 for the statistics and the normalized value cast back.
TEST(FuseLayerNorm, Fp16CastsAroundTheStatistics) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat16, {2, 3, kHidden});
  m.output("y", DType::kFloat16, {2, 3, kHidden});
  Tensor ones = Tensor::empty(DType::kFloat16, {kHidden});
  for (int64_t i = 0; i < kHidden; ++i) ones.data<uint16_t>()[i] = 0x3c00;  // fp16 1.0
  m.initializer("gamma", ones);
  m.initializer("beta", ones);
  constant_node(m, "two", scalar(2.f));
  constant_node(m, "eps", scalar(1e-5f));
  set_ints(m.node("ReduceMean", {"x"}, {"mean"}), "axes", {-1});
  m.node("Sub", {"x", "mean"}, {"d"});
  set_int(m.node("Cast", {"d"}, {"df"}), "to", 1);
  m.node("Pow", {"df", "two"}, {"sq"});
  set_ints(m.node("ReduceMean", {"sq"}, {"var"}), "axes", {-1});
  m.node("Add", {"var", "eps"}, {"ve"});
  m.node("Sqrt", {"ve"}, {"std"});
  m.node("Div", {"df", "std"}, {"n"});
  set_int(m.node("Cast", {"n"}, {"nh"}), "to", 10);
  m.node("Mul", {"nh", "gamma"}, {"s"});
  m.node("Add", {"s", "beta"}, {"y"});
  PassResult r = run_passes(m.bytes(), {"FuseLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(r.graph, "LayerNormalization"), 1);
  EXPECT_EQ(count_ops(r.graph, "Cast"), 0);
}

// ---- SimplifiedLayerNormalization (T5 / RMSNorm) ----

struct RmsOptions {
  bool cast_input = true;  // X = Cast(input, float) as T5 exports
  int form = 0;            // 0: Mul(X, Div(1, sqrt)); 1: Mul(X, Reciprocal(sqrt)); 2: Div(X, sqrt)
  bool weight = true;
  bool weight_first = true;  // Mul(weight, .)
  float eps_value = 1e-6f;
  bool x_minus_mean = false;  // Pow of X - mean(X): a LayerNorm, not ours
  bool second_cast = false;   // the product reads a second Cast of the input (fp16 T5 exports)
};

std::string rms_model(const RmsOptions& o) {
  ModelBuilder m(14);
  m.input("in", DType::kFloat32, {2, 3, kHidden});
  m.output("y", DType::kFloat32, {2, 3, kHidden});
  m.output("res", DType::kFloat32, {2, 3, kHidden});
  m.initializer("w", random_floats({kHidden}, 21, 0.5f, 1.5f));
  constant_node(m, "two", scalar(2.f));
  constant_node(m, "eps", scalar(o.eps_value));
  constant_node(m, "one", scalar(1.f));
  std::string x = "in";
  if (o.cast_input) {
    set_int(m.node("Cast", {"in"}, {"xf"}), "to", 1);
    x = "xf";
  }
  if (o.x_minus_mean) {
    set_ints(m.node("ReduceMean", {x}, {"mu"}), "axes", {-1});
    m.node("Sub", {x, "mu"}, {"xc"});
    x = "xc";
  }
  m.node("Add", {x, "in"}, {"res"});  // X is read elsewhere (the residual), as in T5
  m.node("Pow", {x, "two"}, {"sq"});
  set_ints(m.node("ReduceMean", {"sq"}, {"var"}), "axes", {-1});
  m.node("Add", {"var", "eps"}, {"ve"});
  m.node("Sqrt", {"ve"}, {"rms"});
  const std::string normed = o.weight ? "n" : "y";
  if (o.second_cast) set_int(m.node("Cast", {"in"}, {"xf2"}), "to", 1);
  if (o.form == 0) {
    m.node("Div", {"one", "rms"}, {"inv"});
    m.node("Mul", {o.second_cast ? "xf2" : x, "inv"}, {normed});
  } else if (o.form == 1) {
    m.node("Reciprocal", {"rms"}, {"inv"});
    m.node("Mul", {"inv", x}, {normed});
  } else {
    m.node("Div", {x, "rms"}, {normed});
  }
  if (o.weight) {
    if (o.weight_first)
      m.node("Mul", {"w", "n"}, {"y"});
    else
      m.node("Mul", {"n", "w"}, {"y"});
  }
  return m.bytes();
}

void expect_rms(const RmsOptions& o) {
  const std::string bytes = rms_model(o);
  PassResult r = run_passes(bytes, {"FuseSimplifiedLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(r.graph, "SimplifiedLayerNormalization"), 1);
  for (const char* gone : {"ReduceMean", "Pow", "Sqrt", "Div", "Reciprocal", "Mul"})
    EXPECT_EQ(count_ops(r.graph, gone), 0) << gone;
  EXPECT_EQ(count_ops(r.graph, "Add"), 1);  // the residual
  for (const auto& n : r.graph.nodes) {
    if (n.op_type == "SimplifiedLayerNormalization") {
      EXPECT_FLOAT_EQ(n.attr_float("epsilon", 0), o.eps_value);
    }
  }
  expect_same_on_cpu(bytes, "FuseSimplifiedLayerNorm", "SimplifiedLayerNormalization", "", 14,
                     {{"in", random_floats({2, 3, kHidden}, 7, -2.f, 2.f)}}, 1);
}

TEST(FuseSimplifiedLayerNorm, T5DivOneForm) { expect_rms({}); }
TEST(FuseSimplifiedLayerNorm, ReciprocalForm) { expect_rms({.form = 1, .weight_first = false}); }
TEST(FuseSimplifiedLayerNorm, DivForm) { expect_rms({.cast_input = false, .form = 2}); }
TEST(FuseSimplifiedLayerNorm, NoWeight) { expect_rms({.weight = false}); }
TEST(FuseSimplifiedLayerNorm, SecondCastOfTheInput) { expect_rms({.second_cast = true}); }

TEST(FuseSimplifiedLayerNorm, LayerNormNumeratorIsLeftToFuseLayerNorm) {
  PassResult r =
      run_passes(rms_model({.x_minus_mean = true}), {"FuseSimplifiedLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(r.graph, "SimplifiedLayerNormalization"), 0);
  EXPECT_EQ(count_ops(r.graph, "Pow"), 1);
}

TEST(FuseSimplifiedLayerNorm, NonConstantEpsilonStays) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {2, kHidden});
  m.input("eps", DType::kFloat32, {1});
  m.output("y", DType::kFloat32, {2, kHidden});
  constant_node(m, "two", scalar(2.f));
  m.node("Pow", {"x", "two"}, {"sq"});
  set_ints(m.node("ReduceMean", {"sq"}, {"var"}), "axes", {-1});
  m.node("Add", {"var", "eps"}, {"ve"});
  m.node("Sqrt", {"ve"}, {"rms"});
  m.node("Div", {"x", "rms"}, {"y"});
  PassResult r = run_passes(m.bytes(), {"FuseSimplifiedLayerNorm"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(r.graph, "SimplifiedLayerNormalization"), 0);
}

}  // namespace
}  // namespace onyx::test
