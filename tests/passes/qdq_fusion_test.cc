// FuseQdqMatMul on QDQ MatMul patterns built in code (the format ONNX Runtime's and onyx's quantizers emit), run
// with the pass on and off: node counts, and outputs (the fused com.microsoft kernels vs the fp32 DequantizeLinear +
// MatMul graph) within the fp32 rounding bound below. Cases that must not fuse: non-constant weight, a weight
// DequantizeLinear with another reader, per-row weight scales, int8 activations, per-axis activation scales.
// Also ConstantFolding must leave a weight DequantizeLinear alone (ONNX Runtime excludes DequantizeLinear from
// constant folding: folded, the weight would be fp32 before any QDQ fusion sees it).
#include <gtest/gtest.h>

#include <cmath>

#include "src/onnx/model_loader.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

constexpr int64_t kM = 6, kK = 32, kN = 10;
constexpr float kXScale = 2.f / 255.f;  // x in [-1, 1)
constexpr uint8_t kXZeroPoint = 128;

struct Qdq {
  bool dynamic = false;                  // DynamicQuantizeLinear instead of QuantizeLinear(s_x, zp_x)
  bool bias = true;                      // MatMul -> Add(bias [N])
  bool per_column = true;                // weight scale [N] along axis 1, else one value
  bool weight_input = false;             // W_q a graph input instead of an initializer
  bool weight_shared = false;            // the weight DequantizeLinear's output is also a graph output
  bool per_row = false;                  // weight scale [K] along axis 0
  bool int8_activation = false;          // x quantized to int8
  bool per_axis_activation = false;      // activation scale [K] along the last axis
  int matmuls = 1;                       // MatMuls reading the one activation DequantizeLinear (Q / K / V style)
  bool extra_activation_reader = false;  // the activation DequantizeLinear is also a graph output
};

Tensor weights_q() {
  Tensor w = Tensor::empty(DType::kInt8, {kK, kN});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>((i * 37 + 11) % 255 - 127);
  return w;
}

// Weight scales around 0.01 (|w| <= 1.27 once dequantized), zero points in [-3, 3].
Tensor weight_scales(int64_t count) {
  std::vector<float> s(static_cast<size_t>(count));
  for (size_t i = 0; i < s.size(); ++i) s[i] = 0.008f + 0.0005f * static_cast<float>(i % 7);
  return Tensor::from_vector<float>({count}, s);
}

std::string qdq_model(const Qdq& v) {
  ModelBuilder m(13);
  m.input("x", DType::kFloat32, {kM, kK});
  const std::string xq_dtype_zp = v.int8_activation ? "zp_x8" : "zp_x";
  if (v.dynamic) {
    m.node("DynamicQuantizeLinear", {"x"}, {"x_q", "x_s", "x_z"});
    m.node("DequantizeLinear", {"x_q", "x_s", "x_z"}, {"x_dq"});
  } else {
    if (v.per_axis_activation) {
      m.initializer("s_x", Tensor::from_vector<float>({kK}, std::vector<float>(kK, kXScale)));
      m.initializer("zp_x", Tensor::from_vector<uint8_t>({kK}, std::vector<uint8_t>(kK, kXZeroPoint)));
    } else {
      m.initializer("s_x", Tensor::from_vector<float>({}, {kXScale}));
      m.initializer("zp_x", Tensor::from_vector<uint8_t>({}, {kXZeroPoint}));
    }
    m.initializer("zp_x8", Tensor::from_vector<int8_t>({}, {0}));
    set_int(m.node("QuantizeLinear", {"x", "s_x", xq_dtype_zp}, {"x_q"}), "axis", -1);
    set_int(m.node("DequantizeLinear", {"x_q", "s_x", xq_dtype_zp}, {"x_dq"}), "axis", -1);
  }
  if (v.weight_input)
    m.input("w_q", DType::kInt8, {kK, kN});
  else
    m.initializer("w_q", weights_q());
  const int64_t count = v.per_row ? kK : v.per_column ? kN : 1;
  m.initializer("s_w", count == 1 ? Tensor::from_vector<float>({}, {0.01f}) : weight_scales(count));
  std::vector<int8_t> zp(static_cast<size_t>(count));
  for (size_t i = 0; i < zp.size(); ++i) zp[i] = static_cast<int8_t>(static_cast<int>(i % 7) - 3);
  m.initializer("zp_w", count == 1 ? Tensor::from_vector<int8_t>({}, {2}) : Tensor::from_vector<int8_t>({count}, zp));
  set_int(m.node("DequantizeLinear", {"w_q", "s_w", "zp_w"}, {"w_dq"}), "axis", v.per_row ? 0 : 1);
  std::vector<float> bias(kN);
  for (int64_t i = 0; i < kN; ++i) bias[static_cast<size_t>(i)] = 0.1f * static_cast<float>(i) - 0.4f;
  m.initializer("bias", Tensor::from_vector<float>({kN}, bias));
  for (int i = 0; i < v.matmuls; ++i) {
    const std::string p = "p" + std::to_string(i), y = "y" + std::to_string(i);
    // Each MatMul needs its own weight DequantizeLinear (one reader each); the first uses w_dq.
    std::string w = "w_dq";
    if (i > 0) {
      w = "w_dq" + std::to_string(i);
      set_int(m.node("DequantizeLinear", {"w_q", "s_w", "zp_w"}, {w}), "axis", v.per_row ? 0 : 1);
    }
    m.node("MatMul", {"x_dq", w}, {v.bias ? p : y});
    if (v.bias) m.node("Add", {p, "bias"}, {y});
    m.output(y, DType::kFloat32, {kM, kN});
  }
  if (v.weight_shared) m.output("w_dq", DType::kFloat32, {kK, kN});
  if (v.extra_activation_reader) m.output("x_dq", DType::kFloat32, {kM, kK});
  return m.bytes();
}

// Tolerance: the unfused graph rounds each dequantized value (1 rounding), each product and each of the K partial
// sums of the fp32 MatMul, and the bias Add; the fused kernels sum exactly in int32 and round the scaling (2-3
// roundings) and the bias. So |fused - unfused| <= (K + 5) * 2^-24 * sum_k |x_k w_k| + (bias rounding), with
// sum_k |x_k w_k| <= K * max|x_dq| * max|w_dq| = 32 * 1 * 1.27; the bias and output are < 16 in magnitude
// (2^-20 each). That is 37 * 2^-24 * 40.6 + 2 * 2^-20 = 9.2e-5.
constexpr double kTolerance = 9.2e-5;

NamedTensors inputs_for(const Qdq& v) {
  NamedTensors in{{"x", random_floats({kM, kK}, 7)}};
  if (v.weight_input) in.emplace_back("w_q", weights_q());
  return in;
}

TEST(FuseQdqMatMul, StaticPatternBecomesMatMulIntegerToFloat) {
  for (bool per_column : {true, false})
    for (bool bias : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "per_column=" << per_column << " bias=" << bias);
      Qdq v;
      v.per_column = per_column;
      v.bias = bias;
      const std::string bytes = qdq_model(v);
      PassResult r = run_passes(bytes, {"FuseQdqMatMul"});
      EXPECT_EQ(count_ops(r.graph, "MatMulIntegerToFloat"), 1);
      EXPECT_EQ(count_ops(r.graph, "QuantizeLinear"), 1);  // it produces x_q
      EXPECT_EQ(count_ops(r.graph, "DequantizeLinear"), 0);
      EXPECT_EQ(count_ops(r.graph, "MatMul"), 0);
      EXPECT_EQ(count_ops(r.graph, "Add"), 0);
      EXPECT_EQ(r.report.created["MatMulIntegerToFloat"], 1);
      if (count_ops(r.graph, "MatMulIntegerToFloat") == 1) expect_same_outputs(bytes, r, inputs_for(v), kTolerance);
    }
}

TEST(FuseQdqMatMul, DynamicPatternBecomesDynamicQuantizeMatMul) {
  for (bool bias : {true, false}) {
    SCOPED_TRACE(::testing::Message() << "bias=" << bias);
    Qdq v;
    v.dynamic = true;
    v.bias = bias;
    const std::string bytes = qdq_model(v);
    PassResult r = run_passes(bytes, {"FuseQdqMatMul"});
    EXPECT_EQ(count_ops(r.graph, "DynamicQuantizeMatMul"), 1);
    EXPECT_EQ(count_ops(r.graph, "DynamicQuantizeLinear"), 0);
    EXPECT_EQ(count_ops(r.graph, "DequantizeLinear"), 0);
    EXPECT_EQ(count_ops(r.graph, "MatMul"), 0);
    EXPECT_EQ(count_ops(r.graph, "Add"), 0);
    EXPECT_EQ(r.report.created["DynamicQuantizeMatMul"], 1);
    if (count_ops(r.graph, "DynamicQuantizeMatMul") == 1) expect_same_outputs(bytes, r, inputs_for(v), kTolerance);
  }
}

TEST(FuseQdqMatMul, SharedActivationDequantizeIsRemovedOnlyWhenEveryReaderFuses) {
  for (bool dynamic : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "dynamic=" << dynamic);
    Qdq v;
    v.dynamic = dynamic;
    v.matmuls = 3;  // Q / K / V projections of one quantized activation
    std::string bytes = qdq_model(v);
    PassResult r = run_passes(bytes, {"FuseQdqMatMul"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
    EXPECT_EQ(count_ops(r.graph, dynamic ? "DynamicQuantizeMatMul" : "MatMulIntegerToFloat"), 3);
    EXPECT_EQ(count_ops(r.graph, "DequantizeLinear"), 0);
    EXPECT_EQ(count_ops(r.graph, "DynamicQuantizeLinear"), 0);
    // Another reader of the activation DequantizeLinear (here a graph output) keeps it, and its quantizer.
    v.extra_activation_reader = true;
    bytes = qdq_model(v);
    r = run_passes(bytes, {"FuseQdqMatMul"});
    EXPECT_EQ(count_ops(r.graph, dynamic ? "DynamicQuantizeMatMul" : "MatMulIntegerToFloat"), 3);
    EXPECT_EQ(count_ops(r.graph, "DequantizeLinear"), 1);
    EXPECT_EQ(count_ops(r.graph, dynamic ? "DynamicQuantizeLinear" : "QuantizeLinear"), 1);
    expect_same_outputs(bytes, r, inputs_for(v), kTolerance);
  }
}

TEST(FuseQdqMatMul, LeavesWhatTheQuantizedKernelsCannotTake) {
  Qdq weight_input;
  weight_input.weight_input = true;
  Qdq weight_shared;
  weight_shared.weight_shared = true;
  Qdq per_row;
  per_row.per_row = true;
  Qdq int8_x;
  int8_x.int8_activation = true;
  Qdq per_axis_x;
  per_axis_x.per_axis_activation = true;
  int i = 0;
  for (const Qdq& v : {weight_input, weight_shared, per_row, int8_x, per_axis_x}) {
    SCOPED_TRACE(::testing::Message() << "case " << i++);
    PassResult r = run_passes(qdq_model(v), {"FuseQdqMatMul"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
    EXPECT_EQ(count_ops(r.graph, "MatMulIntegerToFloat"), 0);
    EXPECT_EQ(count_ops(r.graph, "DynamicQuantizeMatMul"), 0);
    EXPECT_EQ(count_ops(r.graph, "MatMul"), 1);
    EXPECT_EQ(count_ops(r.graph, "DequantizeLinear"), 2);
  }
}

TEST(FuseQdqMatMul, NotFusedWhenTheEpLacksTheOp) {
  // An EP without the com.microsoft quant ops: PassContext::ep_supports says no, nothing changes.
  opt::OptimizeOptions o;
  o.level = opt::Level::kReducedPrecision;
  o.only_passes = {"FuseQdqMatMul"};
  o.ep_supports = [](const ir::Graph&, std::string_view op, std::string_view) {
    return op != "MatMulIntegerToFloat" && op != "DynamicQuantizeMatMul";
  };
  PassResult r = run_passes(qdq_model(Qdq{}), {"FuseQdqMatMul"});
  ASSERT_EQ(count_ops(r.graph, "MatMulIntegerToFloat"), 1);  // the CPU EP has it
  auto g = onnx_io::load_model_bytes(qdq_model(Qdq{}), ".", {.run_onnx_checker = false});
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  auto report = opt::optimize(*g, o);
  ASSERT_TRUE(report.ok()) << report.status().to_string();
  EXPECT_EQ(count_ops(*g, "MatMulIntegerToFloat"), 0);
  EXPECT_EQ(count_ops(*g, "MatMul"), 1);
}

// ConstantFolding leaves DequantizeLinear of a constant weight (it folds the Mul of two initializers beside it), so
// the whole extended level still fuses the QDQ MatMul.
TEST(FuseQdqMatMul, ConstantFoldingKeepsWeightDequantizeLinear) {
  Qdq v;
  ModelBuilder m(13);
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(qdq_model(v)));
  m.proto() = proto;
  // bias = bias_half * 2 (foldable), replacing the "bias" initializer the Add reads.
  auto* g = m.proto().mutable_graph();
  for (auto& init : *g->mutable_initializer())
    if (init.name() == "bias") init.set_name("bias_half");
  m.initializer("two", Tensor::from_vector<float>({}, {2.f}));
  m.node("Mul", {"bias_half", "two"}, {"bias"});
  auto* nodes = g->mutable_node();  // keep the node list topologically sorted: the Mul first
  for (int i = nodes->size() - 1; i > 0; --i) nodes->SwapElements(i, i - 1);
  const std::string bytes = m.bytes();
  PassResult folded = run_passes(bytes, {"ConstantFolding"});
  EXPECT_EQ(count_ops(folded.graph, "Mul"), 0);
  EXPECT_EQ(count_ops(folded.graph, "DequantizeLinear"), 2);
  PassResult all = run_passes(bytes, {}, opt::Level::kExtended);
  EXPECT_EQ(count_ops(all.graph, "MatMulIntegerToFloat"), 1);
  EXPECT_EQ(count_ops(all.graph, "DequantizeLinear"), 0);
  expect_same_outputs(bytes, all, inputs_for(v), kTolerance);
}

// ---- FuseQdqAttention ----

constexpr int64_t kB = 2, kS = 4, kD = 16, kHeads = 2;

// com.microsoft Attention over QDQ input and weight ([D, 3D], per-column scale 0.002-ish, so |w| <= 0.26).
std::string qdq_attention_model(bool dynamic, bool with_bias, bool with_attention_bias) {
  ModelBuilder m(13);
  m.opset("com.microsoft", 1);
  m.input("x", DType::kFloat32, {kB, kS, kD});
  if (dynamic) {
    m.node("DynamicQuantizeLinear", {"x"}, {"x_q", "x_s", "x_z"});
    m.node("DequantizeLinear", {"x_q", "x_s", "x_z"}, {"x_dq"});
  } else {
    m.initializer("s_x", Tensor::from_vector<float>({}, {kXScale}));
    m.initializer("zp_x", Tensor::from_vector<uint8_t>({}, {kXZeroPoint}));
    m.node("QuantizeLinear", {"x", "s_x", "zp_x"}, {"x_q"});
    m.node("DequantizeLinear", {"x_q", "s_x", "zp_x"}, {"x_dq"});
  }
  Tensor w = Tensor::empty(DType::kInt8, {kD, 3 * kD});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>((i * 53 + 5) % 255 - 127);
  m.initializer("w_q", w);
  std::vector<float> s(3 * kD);
  for (size_t i = 0; i < s.size(); ++i) s[i] = 0.0016f + 0.0001f * static_cast<float>(i % 5);
  m.initializer("s_w", Tensor::from_vector<float>({3 * kD}, s));
  m.node("DequantizeLinear", {"w_q", "s_w"}, {"w_dq"});
  std::vector<std::string> in = {"x_dq", "w_dq", with_bias ? "bias" : ""};
  if (with_bias) m.initializer("bias", random_floats({3 * kD}, 11, -0.2f, 0.2f));
  if (with_attention_bias) {
    m.input("attn_bias", DType::kFloat32, {1, kHeads, kS, kS});
    in.insert(in.end(), {"", "", "attn_bias"});
  }
  set_int(m.node("Attention", in, {"y"}, "com.microsoft"), "num_heads", kHeads);
  m.output("y", DType::kFloat32, {kB, kS, kD});
  return m.bytes();
}

// Tolerance: each Q / K / V entry differs by <= (D + 5) * 2^-24 * D * 1 * 0.26 = 5.1e-6 (the bound of the MatMul
// tests), |q|, |k|, |v| <= D * 1 * 0.26 = 4.2 (+0.2 bias); a score q.k / sqrt(8) then moves by <= 2 * 8 * 4.4 *
// 5.1e-6 / sqrt(8) = 1.3e-4, the softmax weights by <= 2 * 1.3e-4 in sum, the output by <= 4.4 * 2.6e-4 + 5.1e-6:
// 1.2e-3.
constexpr double kAttentionTolerance = 1.2e-3;

TEST(FuseQdqAttention, QdqAttentionBecomesQAttention) {
  for (bool dynamic : {false, true})
    for (bool bias : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "dynamic=" << dynamic << " bias=" << bias);
      const std::string bytes = qdq_attention_model(dynamic, bias, false);
      PassResult r = run_passes(bytes, {"FuseQdqAttention"});
      EXPECT_EQ(count_ops(r.graph, "QAttention"), 1);
      EXPECT_EQ(count_ops(r.graph, "Attention"), 0);
      EXPECT_EQ(count_ops(r.graph, "DequantizeLinear"), 0);
      EXPECT_EQ(count_ops(r.graph, dynamic ? "DynamicQuantizeLinear" : "QuantizeLinear"), 1);  // feeds QAttention
      if (count_ops(r.graph, "QAttention") == 1)
        expect_same_outputs(bytes, r, {{"x", random_floats({kB, kS, kD}, 12)}}, kAttentionTolerance);
    }
}

TEST(FuseQdqAttention, AttentionBiasInputIsNotFused) {
  PassResult r = run_passes(qdq_attention_model(false, true, true), {"FuseQdqAttention"}, opt::Level::kReducedPrecision,
                            /*any_ep=*/true);
  EXPECT_EQ(count_ops(r.graph, "QAttention"), 0);
  EXPECT_EQ(count_ops(r.graph, "Attention"), 1);
  EXPECT_EQ(count_ops(r.graph, "DequantizeLinear"), 2);
}

}  // namespace
}  // namespace onyx::test
