// FuseGelu, FuseFastGelu, FuseBiasGelu, ApproximateGelu: each pattern is built in code the way exporters write it
// (torch 1.13's nn.GELU: Div(sqrt 2) -> Erf -> Add(1) -> Mul(x) -> Mul(0.5); transformers' gelu_new / GPT-2 / T5
// gated-gelu: Mul(x, 0.5) * (1 + tanh(0.7978845834732056 * (x + 0.044715 * Pow(x, 3)))); torch's
// gelu(approximate="tanh"): 0.5 * (x * (1 + tanh(beta * (x + kappa * x * (x * x)))))), plus reorderings, run with the
// passes on and off: node counts, and outputs equal within 1e-5 (the onyx CPU kernels of Gelu / FastGelu / BiasGelu
// against the unfused graph of plain ONNX ops). Negative cases change one constant, leak an intermediate, or use a
// tensor where a scalar is needed, and must not fuse.
#include <gtest/gtest.h>

#include <cmath>

#include "src/onnx/tensor_proto.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

const Shape kShape = {2, 3, 8};

Tensor scalar_f(float v) { return Tensor::from_vector<float>({}, {v}); }

// A scalar constant named `name`: an initializer, or a Constant node (as torch exports them).
void constant(ModelBuilder& m, const std::string& name, const Tensor& value, bool as_node) {
  if (!as_node) {
    m.initializer(name, value);
    return;
  }
  auto& n = m.node("Constant", {}, {name});
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  onnx_io::tensor_to_proto(value, "", a->mutable_t());
}

// Where the 0.5 goes in 0.5 * x * (1 + f).
enum class Half { kLast, kFirst, kOnFactor };

struct GeluVariant {
  bool mul_by_reciprocal = false;  // Mul(x, 0.7071) instead of Div(x, 1.4142)
  Half half = Half::kLast;
  bool swap = false;                   // the other operand order in every Add / Mul
  bool constant_nodes = false;         // scalars as Constant nodes instead of initializers
  bool output_is_graph_output = true;  // else a Relu reads the GELU result
  // Negative cases:
  float sqrt2 = 1.4142135381698608f;
  float half_value = 0.5f;
  bool leak_erf = false;  // the Erf output is also a graph output
};

struct FastGeluVariant {
  enum class Cube { kPow, kMulMulLeft, kMulMulRight, kMegatron } cube = Cube::kPow;
  Half half = Half::kFirst;
  bool swap = false;
  bool constant_nodes = false;
  float kappa = 0.044714998453855515f;
  float beta = 0.7978845834732056f;
  Shape kappa_shape = {};  // {1, 1, 8}: a tensor, not a scalar (must not fuse)
};

// Binary node with operands swapped when `swap`.
void binary(ModelBuilder& m, const std::string& op, const std::string& a, const std::string& b, const std::string& out,
            bool swap) {
  if (swap)
    m.node(op, {b, a}, {out});
  else
    m.node(op, {a, b}, {out});
}

// 0.5 * x * (1 + f) where f is the value `f` and "x" the GELU input; writes "y".
void half_x_one_plus(ModelBuilder& m, const std::string& f, Half half, bool swap, bool nodes, float half_value) {
  constant(m, "one", scalar_f(1.f), nodes);
  constant(m, "half", scalar_f(half_value), nodes);
  binary(m, "Add", f, "one", "one_plus", swap);
  switch (half) {
    case Half::kLast:
      binary(m, "Mul", "x", "one_plus", "x_one_plus", swap);
      binary(m, "Mul", "x_one_plus", "half", "y", swap);
      break;
    case Half::kFirst:
      binary(m, "Mul", "x", "half", "half_x", swap);
      binary(m, "Mul", "half_x", "one_plus", "y", swap);
      break;
    case Half::kOnFactor:
      binary(m, "Mul", "one_plus", "half", "half_one_plus", swap);
      binary(m, "Mul", "x", "half_one_plus", "y", swap);
      break;
  }
}

// in -> Add(bias [8]) -> x -> GELU -> y [-> Relu -> out]. The bias Add is BERT's dense bias (BiasGelu takes it).
void begin(ModelBuilder& m, bool bias_first) {
  m.input("in", DType::kFloat32, kShape);
  m.initializer("bias", random_floats({kShape.back()}, 7));
  if (bias_first)
    m.node("Add", {"bias", "in"}, {"x"});
  else
    m.node("Add", {"in", "bias"}, {"x"});
}
void end(ModelBuilder& m, bool output_is_graph_output) {
  if (output_is_graph_output) {
    m.output("y", DType::kFloat32, kShape);
    return;
  }
  m.node("Relu", {"y"}, {"out"});
  m.output("out", DType::kFloat32, kShape);
}

std::string erf_gelu(const GeluVariant& v, bool bias_first = false) {
  ModelBuilder m(14);
  begin(m, bias_first);
  if (v.mul_by_reciprocal) {
    constant(m, "inv_sqrt2", scalar_f(1.f / v.sqrt2), v.constant_nodes);
    binary(m, "Mul", "x", "inv_sqrt2", "scaled", v.swap);
  } else {
    constant(m, "sqrt2", scalar_f(v.sqrt2), v.constant_nodes);
    m.node("Div", {"x", "sqrt2"}, {"scaled"});
  }
  m.node("Erf", {"scaled"}, {"erf"});
  half_x_one_plus(m, "erf", v.half, v.swap, v.constant_nodes, v.half_value);
  end(m, v.output_is_graph_output);
  if (v.leak_erf) m.output("erf", DType::kFloat32, kShape);
  return m.bytes();
}

std::string tanh_gelu(const FastGeluVariant& v) {
  ModelBuilder m(17);
  begin(m, false);
  const bool s = v.swap, n = v.constant_nodes;
  constant(m, "beta", scalar_f(v.beta), n);
  if (v.kappa_shape.empty()) {
    constant(m, "kappa", scalar_f(v.kappa), n);
  } else {
    Tensor k = Tensor::empty(DType::kFloat32, v.kappa_shape);
    for (int64_t i = 0; i < k.numel(); ++i) k.data<float>()[i] = v.kappa;
    constant(m, "kappa", k, n);
  }
  using Cube = FastGeluVariant::Cube;
  if (v.cube == Cube::kMegatron) {
    // beta * x * (1 + kappa * x * x)
    constant(m, "one_inner", scalar_f(1.f), n);
    binary(m, "Mul", "beta", "x", "beta_x", s);
    binary(m, "Mul", "kappa", "x", "kappa_x", s);
    binary(m, "Mul", "kappa_x", "x", "kappa_xx", s);
    binary(m, "Add", "one_inner", "kappa_xx", "poly", s);
    binary(m, "Mul", "beta_x", "poly", "inner", s);
  } else {
    if (v.cube == Cube::kPow) {
      constant(m, "three", scalar_f(3.f), n);
      m.node("Pow", {"x", "three"}, {"cube"});
    } else if (v.cube == Cube::kMulMulLeft) {  // (x * x) * x
      m.node("Mul", {"x", "x"}, {"sq"});
      binary(m, "Mul", "sq", "x", "cube", s);
    } else {  // x * (x * x), torch's approximate="tanh"
      m.node("Mul", {"x", "x"}, {"sq"});
      binary(m, "Mul", "x", "sq", "cube", s);
    }
    binary(m, "Mul", "cube", "kappa", "kappa_cube", s);
    binary(m, "Add", "x", "kappa_cube", "sum", s);
    binary(m, "Mul", "sum", "beta", "inner", s);
  }
  m.node("Tanh", {"inner"}, {"tanh"});
  half_x_one_plus(m, "tanh", v.half, s, n, 0.5f);
  end(m, true);
  return m.bytes();
}

NamedTensors inputs() { return {{"in", random_floats(kShape, 3, -3.f, 3.f)}}; }

// ---- FuseGelu ----

TEST(FuseGelu, TorchExportOrderIsOneGelu) {
  const std::string bytes = erf_gelu({});
  PassResult r = run_passes(bytes, {"FuseGelu"});
  EXPECT_EQ(count_ops(r.graph, "Gelu"), 1);
  EXPECT_EQ(count_ops(r.graph, "Erf"), 0);
  EXPECT_EQ(count_ops(r.graph, "Div"), 0);
  EXPECT_EQ(count_ops(r.graph, "Mul"), 0);
  EXPECT_EQ(count_ops(r.graph, "Add"), 1);  // the bias Add stays (FuseBiasGelu's job)
  EXPECT_EQ(r.report.created["Gelu"], 1);
  expect_same_outputs(bytes, r, inputs(), 1e-5);
}

TEST(FuseGelu, EveryArrangementOfTheFormula) {
  for (bool reciprocal : {false, true})
    for (Half half : {Half::kLast, Half::kFirst, Half::kOnFactor})
      for (bool swap : {false, true})
        for (bool nodes : {false, true})
          for (bool graph_out : {true, false}) {
            GeluVariant v;
            v.mul_by_reciprocal = reciprocal;
            v.half = half;
            v.swap = swap;
            v.constant_nodes = nodes;
            v.output_is_graph_output = graph_out;
            SCOPED_TRACE(::testing::Message()
                         << "reciprocal=" << reciprocal << " half=" << static_cast<int>(half) << " swap=" << swap
                         << " constant_nodes=" << nodes << " graph_output=" << graph_out);
            const std::string bytes = erf_gelu(v);
            PassResult r = run_passes(bytes, {"FuseGelu"});
            EXPECT_EQ(count_ops(r.graph, "Gelu"), 1);
            EXPECT_EQ(count_ops(r.graph, "Erf"), 0);
            EXPECT_EQ(count_ops(r.graph, "Mul"), 0);
            expect_same_outputs(bytes, r, inputs(), 1e-5);
          }
}

TEST(FuseGelu, WrongConstantsDoNotFuse) {
  GeluVariant wrong_sqrt2;
  wrong_sqrt2.sqrt2 = 2.f;
  GeluVariant wrong_half;
  wrong_half.half_value = 0.6f;
  wrong_half.half = Half::kFirst;
  for (const GeluVariant& v : {wrong_sqrt2, wrong_half}) {
    PassResult r = run_passes(erf_gelu(v), {"FuseGelu"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
    EXPECT_EQ(count_ops(r.graph, "Gelu"), 0);
    EXPECT_EQ(count_ops(r.graph, "Erf"), 1);
  }
}

TEST(FuseGelu, AnIntermediateReadOutsideBlocksTheFusion) {
  GeluVariant v;
  v.leak_erf = true;
  PassResult r = run_passes(erf_gelu(v), {"FuseGelu"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  EXPECT_EQ(count_ops(r.graph, "Gelu"), 0);
  EXPECT_EQ(count_ops(r.graph, "Erf"), 1);
}

TEST(FuseGelu, NotBelowO2) {
  PassResult r = run_passes(erf_gelu({}), {"FuseGelu"}, opt::Level::kBasic);
  EXPECT_EQ(count_ops(r.graph, "Gelu"), 0);
}

// ---- FuseFastGelu ----

TEST(FuseFastGelu, Gpt2GeluNewIsOneFastGelu) {
  const std::string bytes = tanh_gelu({});
  PassResult r = run_passes(bytes, {"FuseFastGelu"});
  EXPECT_EQ(count_ops(r.graph, "FastGelu"), 1);
  EXPECT_EQ(count_ops(r.graph, "Tanh"), 0);
  EXPECT_EQ(count_ops(r.graph, "Pow"), 0);
  EXPECT_EQ(count_ops(r.graph, "Mul"), 0);
  EXPECT_EQ(count_ops(r.graph, "Add"), 1);  // the bias Add
  EXPECT_EQ(r.report.created["FastGelu"], 1);
  expect_same_outputs(bytes, r, inputs(), 1e-5);
}

TEST(FuseFastGelu, EveryArrangementOfTheFormula) {
  using Cube = FastGeluVariant::Cube;
  for (Cube cube : {Cube::kPow, Cube::kMulMulLeft, Cube::kMulMulRight, Cube::kMegatron})
    for (Half half : {Half::kLast, Half::kFirst, Half::kOnFactor})
      for (bool swap : {false, true})
        for (bool nodes : {false, true}) {
          FastGeluVariant v;
          v.cube = cube;
          v.half = half;
          v.swap = swap;
          v.constant_nodes = nodes;
          SCOPED_TRACE(::testing::Message() << "cube=" << static_cast<int>(cube) << " half=" << static_cast<int>(half)
                                            << " swap=" << swap << " constant_nodes=" << nodes);
          const std::string bytes = tanh_gelu(v);
          PassResult r = run_passes(bytes, {"FuseFastGelu"});
          EXPECT_EQ(count_ops(r.graph, "FastGelu"), 1);
          EXPECT_EQ(count_ops(r.graph, "Tanh"), 0);
          EXPECT_EQ(count_ops(r.graph, "Mul"), 0);
          expect_same_outputs(bytes, r, inputs(), 1e-5);
        }
}

TEST(FuseFastGelu, RoundedConstantsWithinToleranceFuse) {
  FastGeluVariant v;
  v.beta = 0.79788456f;  // Megatron's literal
  v.kappa = 0.0447f;     // 3e-4 relative off
  PassResult r = run_passes(tanh_gelu(v), {"FuseFastGelu"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  EXPECT_EQ(count_ops(r.graph, "FastGelu"), 1);
}

TEST(FuseFastGelu, WrongOrTensorConstantsDoNotFuse) {
  FastGeluVariant wrong_kappa;
  wrong_kappa.kappa = 0.05f;
  FastGeluVariant wrong_beta;
  wrong_beta.beta = 0.75f;
  FastGeluVariant tensor_kappa;
  tensor_kappa.kappa_shape = {1, 1, 8};
  for (const FastGeluVariant& v : {wrong_kappa, wrong_beta, tensor_kappa}) {
    PassResult r = run_passes(tanh_gelu(v), {"FuseFastGelu"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
    EXPECT_EQ(count_ops(r.graph, "FastGelu"), 0);
    EXPECT_EQ(count_ops(r.graph, "Tanh"), 1);
  }
}

TEST(FuseFastGelu, PoolerTanhIsNotGelu) {
  // BERT's pooler: Gemm -> Tanh, nothing around it.
  ModelBuilder m(14);
  m.input("in", DType::kFloat32, {2, 8});
  m.initializer("w", random_floats({8, 8}, 1));
  m.node("MatMul", {"in", "w"}, {"h"});
  m.node("Tanh", {"h"}, {"y"});
  m.output("y", DType::kFloat32, {2, 8});
  PassResult r = run_passes(m.bytes(), {"FuseFastGelu"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  EXPECT_EQ(count_ops(r.graph, "FastGelu"), 0);
  EXPECT_EQ(count_ops(r.graph, "Tanh"), 1);
}

// Opset 20's ai.onnx Gelu has no onyx kernel: FuseGelu / FuseFastGelu turn it into the contrib op. The oracle is the
// same formula written with plain ops (erf_gelu / tanh_gelu), run unoptimized.
TEST(FuseGelu, OnnxGeluOfOpset20BecomesTheContribOp) {
  for (const char* approximate : {"none", "tanh"}) {
    SCOPED_TRACE(approximate);
    ModelBuilder m(20);
    begin(m, false);
    auto& g = m.node("Gelu", {"x"}, {"y"});
    auto* a = g.add_attribute();
    a->set_name("approximate");
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(approximate);
    end(m, true);
    const bool tanh = std::string(approximate) == "tanh";
    PassResult r = run_passes(m.bytes(), {"FuseGelu", "FuseFastGelu"});
    ASSERT_EQ(r.graph.nodes.size(), 2u);
    EXPECT_EQ(count_ops(r.graph, tanh ? "FastGelu" : "Gelu"), 1);
    EXPECT_EQ(r.graph.nodes[1].domain, "com.microsoft");
    expect_same_outputs(tanh ? tanh_gelu({}) : erf_gelu({}), r, inputs(), 1e-5);
  }
}

// ---- FuseBiasGelu ----

TEST(FuseBiasGelu, BiasAddAndGeluIsOneBiasGeluInEitherOrder) {
  for (bool bias_first : {false, true}) {
    SCOPED_TRACE(bias_first ? "Add(bias, in)" : "Add(in, bias)");
    const std::string bytes = erf_gelu({}, bias_first);
    PassResult r = run_passes(bytes, {"FuseGelu", "FuseBiasGelu"});
    EXPECT_EQ(count_ops(r.graph, "BiasGelu"), 1);
    EXPECT_EQ(count_ops(r.graph, "Gelu"), 0);
    EXPECT_EQ(count_ops(r.graph, "Add"), 0);
    EXPECT_EQ(r.graph.nodes.size(), 1u);
    expect_same_outputs(bytes, r, inputs(), 1e-5);
  }
}

TEST(FuseBiasGelu, BiasAddAndFastGeluIsFastGeluWithBias) {
  const std::string bytes = tanh_gelu({});
  PassResult r = run_passes(bytes, {"FuseFastGelu", "FuseBiasGelu"});
  ASSERT_EQ(r.graph.nodes.size(), 1u);
  EXPECT_EQ(r.graph.nodes[0].op_type, "FastGelu");
  EXPECT_EQ(r.graph.nodes[0].inputs.size(), 2u);
  expect_same_outputs(bytes, r, inputs(), 1e-5);
}

TEST(FuseBiasGelu, NonConstantOrWrongShapeBiasOrSharedSumDoNotFuse) {
  auto gelu_after_add = [](const std::string& bias_kind) {
    ModelBuilder m(14);
    m.input("in", DType::kFloat32, kShape);
    if (bias_kind == "input")
      m.input("bias", DType::kFloat32, {kShape.back()});
    else if (bias_kind == "2d")
      m.initializer("bias", random_floats({1, kShape.back()}, 7));
    else
      m.initializer("bias", random_floats({kShape.back()}, 7));
    m.node("Add", {"in", "bias"}, {"x"});
    m.node("Gelu", {"x"}, {"y"}, "com.microsoft");
    m.opset("com.microsoft", 1);
    m.output("y", DType::kFloat32, kShape);
    if (bias_kind == "shared") m.output("x", DType::kFloat32, kShape);
    return m.bytes();
  };
  for (const char* kind : {"input", "2d", "shared"}) {
    SCOPED_TRACE(kind);
    PassResult r = run_passes(gelu_after_add(kind), {"FuseBiasGelu"}, opt::Level::kReducedPrecision, true);
    EXPECT_EQ(count_ops(r.graph, "BiasGelu"), 0);
    EXPECT_EQ(count_ops(r.graph, "Gelu"), 1);
  }
  PassResult ok = run_passes(gelu_after_add("1d"), {"FuseBiasGelu"}, opt::Level::kReducedPrecision, true);
  EXPECT_EQ(count_ops(ok.graph, "BiasGelu"), 1);  // the same graph with a 1-D constant bias does fuse
}

// ---- ApproximateGelu (O3) ----

// Largest |erf GELU - tanh GELU| over all reals is 4.7e-4 (near |x| = 2.7), hence the 1e-3 tolerance on one layer.
TEST(ApproximateGelu, GeluAndBiasGeluBecomeFastGeluAtO3) {
  const std::string bytes = erf_gelu({});
  PassResult gelu = run_passes(bytes, {"FuseGelu", "ApproximateGelu"}, opt::Level::kApproximate);
  EXPECT_EQ(count_ops(gelu.graph, "FastGelu"), 1);
  EXPECT_EQ(count_ops(gelu.graph, "Gelu"), 0);
  const double d = expect_same_outputs(bytes, gelu, inputs(), 1e-3);
  EXPECT_GT(d, 0.0);  // it is an approximation: the outputs do change

  PassResult bias = run_passes(bytes, {"FuseGelu", "FuseBiasGelu", "ApproximateGelu"}, opt::Level::kApproximate);
  ASSERT_EQ(bias.graph.nodes.size(), 1u);
  EXPECT_EQ(bias.graph.nodes[0].op_type, "FastGelu");
  EXPECT_EQ(bias.graph.nodes[0].inputs.size(), 2u);
  expect_same_outputs(bytes, bias, inputs(), 1e-3);
}

TEST(ApproximateGelu, NotAtO2) {
  PassResult r = run_passes(erf_gelu({}), {"FuseGelu", "ApproximateGelu"}, opt::Level::kExtended);
  EXPECT_EQ(count_ops(r.graph, "Gelu"), 1);
  EXPECT_EQ(count_ops(r.graph, "FastGelu"), 0);
}

}  // namespace
}  // namespace onyx::test
