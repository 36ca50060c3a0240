// quant::quantize (src/quant/quantize.h) and calibration (src/quant/calibration.h).
//
// Graph structure per mode x format on small graphs built in code: op types and counts, ONNX Runtime's input orders
// (ORT docs/ContribOperators.md: DynamicQuantizeMatMul(A, B, b_scale, b_zero_point, bias); MatMulIntegerToFloat(A,
// B, a_scale, b_scale, a_zero_point, b_zero_point, bias); QAttention(input, weight, bias, input_scale, weight_scale,
// mask_index, input_zero_point, weight_zero_point, past)), weight values against cpu::quantize_weights_symmetric and
// against max|w| / 127 computed here, activation sharing, exclusions and errors, save + reload through the loader's
// ONNX checker. Calibration collectors on synthetic data whose answers are known by construction.
#include "src/quant/quantize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include "src/ep/cpu/gemm/qgemm.h"
#include "src/onnx/model_loader.h"
#include "src/onnx/model_saver.h"
#include "src/opt/pass_manager.h"
#include "src/quant/calibration.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {
namespace {

using quant::CalibrationMethod;
using quant::QuantFormat;
using quant::QuantizeOptions;
using quant::QuantMode;

// Deterministic weights in [-1, 1), with column j scaled by (j + 1) so per-channel scales differ per column.
Tensor weights(int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) v[i * cols + j] = u(rng) * static_cast<float>(j + 1);
  return Tensor::from_vector<float>({rows, cols}, v);
}

ir::Graph load(const ModelBuilder& b) {
  auto g = onnx_io::load_model_bytes(b.bytes(), ".");
  EXPECT_TRUE(g.ok()) << g.status().to_string();
  return std::move(g).value();
}

// x [batch, 4] -> MatMul(W1 [4, 3]) -> Add(b1 [3]) -> y1;  x -> MatMul(W2 [4, 5]) -> y2  (both read x).
ModelBuilder two_matmuls() {
  ModelBuilder b(17);
  b.input("x", DType::kFloat32, {-1, 4}, {"batch"});
  b.output("y1", DType::kFloat32, {-1, 3}, {"batch"}).output("y2", DType::kFloat32, {-1, 5}, {"batch"});
  b.initializer("W1", weights(4, 3, 1)).initializer("W2", weights(4, 5, 2));
  b.initializer("b1", Tensor::from_vector<float>({3}, {0.5f, -1.0f, 2.0f}));
  b.node("MatMul", {"x", "W1"}, {"m1"}).set_name("mm1");
  b.node("Add", {"m1", "b1"}, {"y1"}).set_name("add1");
  b.node("MatMul", {"x", "W2"}, {"y2"}).set_name("mm2");
  return b;
}

// x [batch, seq, 8] -> Attention(W [8, 24], bias [24], mask int32 [batch, seq], num_heads 2) -> y, twice on x.
ModelBuilder two_attentions() {
  ModelBuilder b(17);
  b.opset("com.microsoft", 1);
  b.input("x", DType::kFloat32, {-1, -1, 8}, {"batch", "seq"});
  b.input("mask", DType::kInt32, {-1, -1}, {"batch", "seq"});
  b.output("y1", DType::kFloat32, {-1, -1, 8}, {"batch", "seq"});
  b.output("y2", DType::kFloat32, {-1, -1, 8}, {"batch", "seq"});
  b.initializer("Wqkv1", weights(8, 24, 3)).initializer("Wqkv2", weights(8, 24, 4));
  b.initializer("bqkv", weights(1, 24, 5).reshaped({24}));
  set_int(b.node("Attention", {"x", "Wqkv1", "bqkv", "mask"}, {"y1"}, "com.microsoft"), "num_heads", 2)
      .set_name("att1");
  set_int(b.node("Attention", {"x", "Wqkv2", "bqkv", "mask"}, {"y2"}, "com.microsoft"), "num_heads", 2)
      .set_name("att2");
  return b;
}

// x [batch, 4] -> Gemm(W [3, 4], C [3], transB 1, alpha 2, beta 0.5) -> y
ModelBuilder gemm_model() {
  ModelBuilder b(17);
  b.input("x", DType::kFloat32, {-1, 4}, {"batch"});
  b.output("y", DType::kFloat32, {-1, 3}, {"batch"});
  b.initializer("W", weights(3, 4, 6)).initializer("C", Tensor::from_vector<float>({3}, {1.0f, 2.0f, -4.0f}));
  auto& g = b.node("Gemm", {"x", "W", "C"}, {"y"});
  g.set_name("gemm");
  set_int(g, "transB", 1);
  set_float(g, "alpha", 2.0f);
  set_float(g, "beta", 0.5f);
  return b;
}

std::vector<const ir::Node*> nodes_of(const ir::Graph& g, const std::string& op) {
  std::vector<const ir::Node*> out;
  for (const ir::Node& n : g.nodes)
    if (n.op_type == op) out.push_back(&n);
  return out;
}

const Tensor& init(const ir::Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  EXPECT_NE(it, g.initializers.end()) << "no initializer " << name;
  static const Tensor kNone;
  return it == g.initializers.end() ? kNone : it->second;
}

// Checks that `q` / `scales` in the graph are W quantized as quantize_weights_symmetric does, and that its scales are
// max|w| / 127 per column (or over W), computed here directly. W is [K, N] (or [N, K] when transposed); `q_kn`:
// the graph stores q as [K, N] regardless.
void expect_weight(const Tensor& w, bool transposed, bool per_channel, float alpha, const Tensor& q, const Tensor& s,
                   bool q_kn) {
  const int64_t k = transposed ? w.dim(1) : w.dim(0), n = transposed ? w.dim(0) : w.dim(1);
  std::vector<float> wa(w.data<float>(), w.data<float>() + w.numel());
  for (float& v : wa) v *= alpha;
  std::vector<int8_t> ref_q(k * n);
  std::vector<float> ref_s(per_channel ? n : 1);
  cpu::quantize_weights_symmetric(wa.data(), k, n, transposed, per_channel, ref_q.data(), ref_s.data());
  ASSERT_EQ(s.dtype(), DType::kFloat32);
  ASSERT_EQ(s.shape(), per_channel ? Shape{n} : Shape{});
  for (int64_t j = 0; j < static_cast<int64_t>(ref_s.size()); ++j) {
    float amax = 0.0f;
    for (int64_t i = 0; i < k; ++i)
      for (int64_t c = per_channel ? j : 0; c < (per_channel ? j + 1 : n); ++c)
        amax = std::max(amax, std::fabs(wa[transposed ? c * k + i : i * n + c]));
    EXPECT_FLOAT_EQ(s.data<float>()[j], amax / 127.0f) << "scale " << j;
    EXPECT_EQ(s.data<float>()[j], ref_s[j]) << "scale " << j;
  }
  ASSERT_EQ(q.dtype(), DType::kInt8);
  ASSERT_EQ(q.numel(), k * n);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t ref_at = transposed ? j * k + i : i * n + j;
      const int64_t got_at = (q_kn || !transposed) ? i * n + j : j * k + i;
      EXPECT_EQ(q.data<int8_t>()[got_at], ref_q[ref_at]) << i << "," << j;
    }
}

// Save, reload with ONNX's checker and shape inference (as onyx's loader runs them), and sort topologically.
void expect_reloads(const ir::Graph& g) {
  auto bytes = onnx_io::save_model_bytes(g);
  ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
  auto back = onnx_io::load_model_bytes(*bytes, ".", {.run_onnx_checker = true});
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->nodes.size(), g.nodes.size());
  EXPECT_TRUE(back->topological_order().ok());
}

// ---------------------------------------------------------------------------------------------------------------------
// Dynamic, QOperator
// ---------------------------------------------------------------------------------------------------------------------

TEST(Quantize, DynamicQOperatorMatMulsBecomeDynamicQuantizeMatMulWithBiasFolded) {
  ir::Graph g = load(two_matmuls());
  const Tensor w1 = g.initializers.at("W1"), w2 = g.initializers.at("W2");
  auto r = quant::quantize(g, {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->quantized, (std::map<std::string, int>{{"MatMul", 2}}));
  EXPECT_EQ(r->created, (std::map<std::string, int>{{"DynamicQuantizeMatMul", 2}}));
  EXPECT_TRUE(nodes_of(g, "MatMul").empty());
  EXPECT_TRUE(nodes_of(g, "Add").empty());  // folded into the first one's bias input
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.opset("com.microsoft"), 1);
  for (const ir::Node& n : g.nodes) {
    EXPECT_EQ(n.domain, "com.microsoft");
    ASSERT_GE(n.inputs.size(), 4u);
    EXPECT_EQ(n.inputs[0], "x");  // A stays fp32: the op quantizes it per run
    const Tensor& zp = init(g, n.inputs[3]);
    EXPECT_EQ(zp.dtype(), DType::kInt8);
    for (int64_t i = 0; i < zp.numel(); ++i) EXPECT_EQ(zp.data<int8_t>()[i], 0);
    if (n.outputs[0] == "y1") {
      ASSERT_EQ(n.inputs.size(), 5u);
      EXPECT_EQ(n.inputs[4], "b1");
      expect_weight(w1, false, true, 1.0f, init(g, n.inputs[1]), init(g, n.inputs[2]), true);
    } else {
      EXPECT_EQ(n.outputs[0], "y2");
      EXPECT_EQ(n.inputs.size(), 4u);
      expect_weight(w2, false, true, 1.0f, init(g, n.inputs[1]), init(g, n.inputs[2]), true);
    }
  }
  EXPECT_EQ(g.initializers.count("W1"), 0u);  // the fp32 weights are gone
  expect_reloads(g);
}

TEST(Quantize, PerTensorScaleIsOneScalarMatchingQuantizeWeightsSymmetric) {
  ir::Graph g = load(two_matmuls());
  const Tensor w2 = g.initializers.at("W2");
  QuantizeOptions o;
  o.per_channel = false;
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  for (const ir::Node& n : g.nodes) {
    EXPECT_EQ(init(g, n.inputs[2]).shape(), Shape{});
    EXPECT_EQ(init(g, n.inputs[3]).shape(), Shape{});
    if (n.outputs[0] == "y2") expect_weight(w2, false, false, 1.0f, init(g, n.inputs[1]), init(g, n.inputs[2]), true);
  }
  expect_reloads(g);
}

TEST(Quantize, GemmTransBAlphaBetaFoldIntoKnWeightAndNewBias) {
  ir::Graph g = load(gemm_model());
  const Tensor w = g.initializers.at("W");
  auto r = quant::quantize(g, {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto dq = nodes_of(g, "DynamicQuantizeMatMul");
  ASSERT_EQ(dq.size(), 1u);
  const ir::Node& n = *dq[0];
  ASSERT_EQ(n.inputs.size(), 5u);
  EXPECT_EQ(n.outputs, std::vector<std::string>{"y"});
  const Tensor& q = init(g, n.inputs[1]);
  EXPECT_EQ(q.shape(), (Shape{4, 3}));  // [K, N]: B of a MatMul
  expect_weight(w, true, true, 2.0f, q, init(g, n.inputs[2]), true);
  const Tensor& bias = init(g, n.inputs[4]);  // beta * C
  ASSERT_EQ(bias.shape(), Shape{3});
  EXPECT_EQ(std::vector<float>(bias.data<float>(), bias.data<float>() + 3), (std::vector<float>{0.5f, 1.0f, -2.0f}));
  expect_reloads(g);
}

TEST(Quantize, DynamicQOperatorAttentionsShareOneDynamicQuantizeLinear) {
  ir::Graph g = load(two_attentions());
  const Tensor w1 = g.initializers.at("Wqkv1");
  auto r = quant::quantize(g, {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->quantized, (std::map<std::string, int>{{"Attention", 2}}));
  EXPECT_EQ(r->created, (std::map<std::string, int>{{"DynamicQuantizeLinear", 1}, {"QAttention", 2}}));
  auto dql = nodes_of(g, "DynamicQuantizeLinear");
  ASSERT_EQ(dql.size(), 1u);
  EXPECT_EQ(dql[0]->domain, "");
  EXPECT_EQ(dql[0]->inputs, std::vector<std::string>{"x"});
  ASSERT_EQ(dql[0]->outputs.size(), 3u);
  auto qa = nodes_of(g, "QAttention");
  ASSERT_EQ(qa.size(), 2u);
  for (const ir::Node* n : qa) {
    EXPECT_EQ(n->domain, "com.microsoft");
    ASSERT_EQ(n->inputs.size(), 8u);
    EXPECT_EQ(n->inputs[0], dql[0]->outputs[0]);             // input (uint8)
    EXPECT_EQ(n->inputs[2], "bqkv");                         // bias
    EXPECT_EQ(n->inputs[3], dql[0]->outputs[1]);             // input_scale
    EXPECT_EQ(n->inputs[5], "mask");                         // mask_index
    EXPECT_EQ(n->inputs[6], dql[0]->outputs[2]);             // input_zero_point
    EXPECT_EQ(init(g, n->inputs[7]).dtype(), DType::kInt8);  // weight_zero_point
    EXPECT_EQ(n->attr_int("num_heads", 0), 2);
    if (n->outputs[0] == "y1") expect_weight(w1, false, true, 1.0f, init(g, n->inputs[1]), init(g, n->inputs[4]), true);
  }
  expect_reloads(g);
}

// ---------------------------------------------------------------------------------------------------------------------
// QDQ
// ---------------------------------------------------------------------------------------------------------------------

TEST(Quantize, DynamicQdqKeepsMatMulsReadingDequantizedValues) {
  ir::Graph g = load(two_matmuls());
  const Tensor w1 = g.initializers.at("W1");
  QuantizeOptions o;
  o.format = QuantFormat::kQdq;
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->created, (std::map<std::string, int>{{"DequantizeLinear", 3}, {"DynamicQuantizeLinear", 1}}));
  auto mm = nodes_of(g, "MatMul");
  ASSERT_EQ(mm.size(), 2u);
  EXPECT_EQ(nodes_of(g, "Add").size(), 1u);  // QDQ keeps the bias Add
  auto dql = nodes_of(g, "DynamicQuantizeLinear");
  ASSERT_EQ(dql.size(), 1u);
  for (const ir::Node* m : mm) {
    EXPECT_TRUE(m->name == "mm1" || m->name == "mm2");  // names and attributes kept
    const ir::Node* act = nullptr;
    const ir::Node* wdq = nullptr;
    for (const ir::Node& n : g.nodes) {
      if (n.outputs[0] == m->inputs[0]) act = &n;
      if (n.outputs[0] == m->inputs[1]) wdq = &n;
    }
    ASSERT_TRUE(act && wdq);
    EXPECT_EQ(act->op_type, "DequantizeLinear");
    EXPECT_EQ(act->inputs, dql[0]->outputs);  // (x_q, scale, zero point) of the shared DynamicQuantizeLinear
    EXPECT_EQ(wdq->op_type, "DequantizeLinear");
    EXPECT_EQ(wdq->attr_int("axis", -1), 1);  // per output column of [K, N]
    if (m->name == "mm1") expect_weight(w1, false, true, 1.0f, init(g, wdq->inputs[0]), init(g, wdq->inputs[1]), false);
  }
  expect_reloads(g);
}

TEST(Quantize, QdqGemmTransBPerChannelAxisIsZeroAndWeightKeepsItsLayout) {
  ir::Graph g = load(gemm_model());
  const Tensor w = g.initializers.at("W");
  QuantizeOptions o;
  o.format = QuantFormat::kQdq;
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto gemm = nodes_of(g, "Gemm");
  ASSERT_EQ(gemm.size(), 1u);
  EXPECT_EQ(gemm[0]->attr_float("alpha", 0), 2.0f);  // kept: QDQ leaves the op as it was
  const ir::Node* wdq = nullptr;
  for (const ir::Node& n : g.nodes)
    if (n.outputs[0] == gemm[0]->inputs[1]) wdq = &n;
  ASSERT_TRUE(wdq);
  EXPECT_EQ(wdq->attr_int("axis", -1), 0);
  EXPECT_EQ(init(g, wdq->inputs[0]).shape(), (Shape{3, 4}));
  expect_weight(w, true, true, 1.0f, init(g, wdq->inputs[0]), init(g, wdq->inputs[1]), false);
  EXPECT_EQ(gemm[0]->inputs[2], "C");
  expect_reloads(g);
}

TEST(Quantize, PerTensorQdqHasNoAxis) {
  ir::Graph g = load(two_attentions());
  QuantizeOptions o;
  o.format = QuantFormat::kQdq;
  o.per_channel = false;
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(nodes_of(g, "Attention").size(), 2u);
  for (const ir::Node* n : nodes_of(g, "DequantizeLinear")) EXPECT_FALSE(n->has_attribute("axis"));
  expect_reloads(g);
}

// ---------------------------------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------------------------------

// x [batch, 4] -> Relu -> r -> MatMul(W [4, 3]) -> y. Calibration must measure r (the MatMul's input), not x.
ModelBuilder relu_matmul() {
  ModelBuilder b(17);
  b.input("x", DType::kFloat32, {-1, 4}, {"batch"});
  b.output("y", DType::kFloat32, {-1, 3}, {"batch"});
  b.initializer("W", weights(4, 3, 7));
  b.node("Relu", {"x"}, {"r"});
  b.node("MatMul", {"r", "W"}, {"y"}).set_name("mm");
  return b;
}

std::vector<NamedTensors> relu_feeds() {
  // Two batches: x spans [-2, 3] in the first and [-5, 1.5] in the second, so r spans [0, 3].
  return {{{"x", Tensor::from_vector<float>({2, 4}, {-2, 0.5f, 1, 3, 0, 0.25f, -1, 2})}},
          {{"x", Tensor::from_vector<float>({1, 4}, {-5, 1.5f, 0, 0})}}};
}

TEST(Quantize, StaticQOperatorCalibratesTheMatMulInputWithMinMax) {
  ir::Graph g = load(relu_matmul());
  const Tensor w = g.initializers.at("W");
  QuantizeOptions o;
  o.mode = QuantMode::kStatic;
  o.calibration_feeds = relu_feeds();
  std::vector<std::pair<size_t, size_t>> progress;
  o.progress = [&](size_t done, size_t total) { progress.emplace_back(done, total); };
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->calibration_batches, 2u);
  EXPECT_EQ(progress, (std::vector<std::pair<size_t, size_t>>{{1, 2}, {2, 2}}));
  EXPECT_EQ(r->created, (std::map<std::string, int>{{"MatMulIntegerToFloat", 1}, {"QuantizeLinear", 1}}));
  auto ql = nodes_of(g, "QuantizeLinear");
  auto mm = nodes_of(g, "MatMulIntegerToFloat");
  ASSERT_EQ(ql.size(), 1u);
  ASSERT_EQ(mm.size(), 1u);
  ASSERT_EQ(ql[0]->inputs.size(), 3u);
  EXPECT_EQ(ql[0]->inputs[0], "r");
  // r in [0, 3]: scale 3 / 255, zero point 0 (x's range [-5, 3] would give 8 / 255 and 159).
  const Tensor& s = init(g, ql[0]->inputs[1]);
  const Tensor& zp = init(g, ql[0]->inputs[2]);
  ASSERT_EQ(s.shape(), Shape{});
  ASSERT_EQ(zp.dtype(), DType::kUInt8);
  EXPECT_FLOAT_EQ(s.data<float>()[0], 3.0f / 255.0f);
  EXPECT_EQ(zp.data<uint8_t>()[0], 0);
  const ir::Node& n = *mm[0];
  ASSERT_EQ(n.inputs.size(), 6u);                                                         // no bias
  EXPECT_EQ(n.inputs[0], ql[0]->outputs[0]);                                              // A
  EXPECT_EQ(n.inputs[2], ql[0]->inputs[1]);                                               // a_scale
  EXPECT_EQ(n.inputs[4], ql[0]->inputs[2]);                                               // a_zero_point
  expect_weight(w, false, true, 1.0f, init(g, n.inputs[1]), init(g, n.inputs[3]), true);  // B, b_scale
  EXPECT_EQ(init(g, n.inputs[5]).dtype(), DType::kInt8);                                  // b_zero_point
  EXPECT_EQ(n.outputs, std::vector<std::string>{"y"});
  expect_reloads(g);
}

TEST(Quantize, StaticQdqWritesQuantizeDequantizePairWithCalibratedParameters) {
  ir::Graph g = load(relu_matmul());
  QuantizeOptions o;
  o.mode = QuantMode::kStatic;
  o.format = QuantFormat::kQdq;
  o.calibration_feeds = relu_feeds();
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->created, (std::map<std::string, int>{{"DequantizeLinear", 2}, {"QuantizeLinear", 1}}));
  auto ql = nodes_of(g, "QuantizeLinear");
  ASSERT_EQ(ql.size(), 1u);
  EXPECT_FLOAT_EQ(init(g, ql[0]->inputs[1]).data<float>()[0], 3.0f / 255.0f);
  auto mm = nodes_of(g, "MatMul");
  ASSERT_EQ(mm.size(), 1u);
  const ir::Node* dq = nullptr;
  for (const ir::Node& n : g.nodes)
    if (n.outputs[0] == mm[0]->inputs[0]) dq = &n;
  ASSERT_TRUE(dq);
  EXPECT_EQ(dq->op_type, "DequantizeLinear");
  EXPECT_EQ(dq->inputs, (std::vector<std::string>{ql[0]->outputs[0], ql[0]->inputs[1], ql[0]->inputs[2]}));
  expect_reloads(g);
}

TEST(Quantize, StaticAttentionBecomesQuantizeLinearAndQAttention) {
  ir::Graph g = load(two_attentions());
  QuantizeOptions o;
  o.mode = QuantMode::kStatic;
  NamedTensors feeds;
  std::vector<float> x(2 * 3 * 8);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 2.0f;  // [-2, 4]
  feeds.emplace_back("x", Tensor::from_vector<float>({2, 3, 8}, x));
  feeds.emplace_back("mask", Tensor::from_vector<int32_t>({2, 3}, {1, 1, 1, 1, 1, 0}));
  o.calibration_feeds = {feeds};
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->created, (std::map<std::string, int>{{"QAttention", 2}, {"QuantizeLinear", 1}}));
  auto ql = nodes_of(g, "QuantizeLinear");
  ASSERT_EQ(ql.size(), 1u);
  // x in [-2, 4]: scale 6 / 255, zero point round(2 / (6 / 255)) = round(85.0) = 85.
  EXPECT_FLOAT_EQ(init(g, ql[0]->inputs[1]).data<float>()[0], 6.0f / 255.0f);
  EXPECT_EQ(init(g, ql[0]->inputs[2]).data<uint8_t>()[0], 85);
  for (const ir::Node* n : nodes_of(g, "QAttention")) {
    EXPECT_EQ(n->inputs[0], ql[0]->outputs[0]);
    EXPECT_EQ(n->inputs[3], ql[0]->inputs[1]);
    EXPECT_EQ(n->inputs[6], ql[0]->inputs[2]);
  }
  expect_reloads(g);
}

// ---------------------------------------------------------------------------------------------------------------------
// Exclusions, skips, errors
// ---------------------------------------------------------------------------------------------------------------------

TEST(Quantize, ExcludedNodeStaysFp32) {
  ir::Graph g = load(two_matmuls());
  QuantizeOptions o;
  o.exclude_nodes = {"mm2"};
  auto r = quant::quantize(g, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->excluded, std::vector<std::string>{"mm2"});
  EXPECT_EQ(r->quantized, (std::map<std::string, int>{{"MatMul", 1}}));
  auto mm = nodes_of(g, "MatMul");
  ASSERT_EQ(mm.size(), 1u);
  EXPECT_EQ(mm[0]->name, "mm2");
  EXPECT_EQ(mm[0]->inputs[1], "W2");
  EXPECT_EQ(g.initializers.count("W2"), 1u);
}

TEST(Quantize, UnknownExcludeNameIsAnError) {
  ir::Graph g = load(two_matmuls());
  QuantizeOptions o;
  o.exclude_nodes = {"no_such_node"};
  auto r = quant::quantize(g, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no_such_node"), std::string::npos) << r.status().message();
  EXPECT_EQ(nodes_of(g, "MatMul").size(), 2u);  // untouched
}

TEST(Quantize, StaticWithoutCalibrationFeedsIsAnError) {
  ir::Graph g = load(two_matmuls());
  QuantizeOptions o;
  o.mode = QuantMode::kStatic;
  auto r = quant::quantize(g, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("calibration"), std::string::npos) << r.status().message();
}

TEST(Quantize, AlreadyQuantizedGraphIsAnError) {
  ir::Graph g = load(two_matmuls());
  ASSERT_TRUE(quant::quantize(g, {}).ok());
  auto again = quant::quantize(g, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("already quantized"), std::string::npos) << again.status().message();

  ir::Graph q = load(two_matmuls());
  QuantizeOptions o;
  o.format = QuantFormat::kQdq;
  ASSERT_TRUE(quant::quantize(q, o).ok());
  EXPECT_FALSE(quant::quantize(q, o).ok());
}

TEST(Quantize, NonConstantWeightIsSkippedWithTheReason) {
  ModelBuilder b(17);
  b.input("x", DType::kFloat32, {2, 4}).input("w", DType::kFloat32, {4, 3});
  b.output("y", DType::kFloat32, {2, 3});
  b.node("MatMul", {"x", "w"}, {"y"}).set_name("dyn");
  ir::Graph g = load(b);
  auto r = quant::quantize(g, {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->quantized.empty());
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_NE(r->skipped[0].find("'dyn'"), std::string::npos) << r->skipped[0];
  EXPECT_NE(r->skipped[0].find("not a constant"), std::string::npos) << r->skipped[0];
  EXPECT_EQ(nodes_of(g, "MatMul").size(), 1u);
}

// ---------------------------------------------------------------------------------------------------------------------
// Calibration collectors (expected values from the constructions in each test)
// ---------------------------------------------------------------------------------------------------------------------

TEST(Calibration, MinMaxIsExactOverBatches) {
  quant::RangeCollector c(CalibrationMethod::kMinMax);
  const std::vector<float> a = {0.5f, -1.25f, 3.0f}, b = {7.5f, 2.0f, NAN}, d = {-9.0f};
  c.add(a);
  c.add(b);
  c.add(d);
  EXPECT_EQ(c.range().min, -9.0f);
  EXPECT_EQ(c.range().max, 7.5f);
  EXPECT_EQ(c.count(), 6u);  // the NaN is not counted
}

TEST(Calibration, PercentileOfUniformValuesClipsAtTheShare) {
  // |x| uniform over 1..10000 (signs alternate), in two batches of which the second is wider (histogram growth).
  std::vector<float> lo, hi;
  for (int i = 1; i <= 10000; ++i) (i <= 5000 ? lo : hi).push_back(static_cast<float>(i % 2 ? i : -i));
  quant::RangeCollector c(CalibrationMethod::kPercentile, 90.0);
  c.add(lo);
  c.add(hi);
  const quant::ActivationRange r = c.range();
  // 90% of |x| lie below 9000; the histogram's bin width (span 10000 doubled once to 20000 -> / 2048 = 9.8) bounds
  // the error; the result is an upper edge, so >= 9000.
  EXPECT_GE(r.max, 9000.0f);
  EXPECT_LE(r.max, 9000.0f + 20000.0f / 2048 + 1e-3f);
  EXPECT_FLOAT_EQ(r.min, -r.max);
  quant::RangeCollector all(CalibrationMethod::kPercentile, 100.0);
  all.add(lo);
  all.add(hi);
  EXPECT_EQ(all.range().max, 9999.0f);  // 100%: clipped to the true max (9999 is the largest odd = positive value)
  EXPECT_EQ(all.range().min, -10000.0f);
}

TEST(Calibration, EntropyClipsAnOutlierButKeepsTheBulk) {
  // 200k standard normal values (|x| <= ~5) plus 20 outliers at +50.
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> v(200000);
  for (float& x : v) x = nd(rng);
  float bulk_max = 0.0f;
  for (float x : v) bulk_max = std::max(bulk_max, std::fabs(x));
  for (int i = 0; i < 20; ++i) v.push_back(50.0f);
  quant::RangeCollector c(CalibrationMethod::kEntropy);
  c.add(v);
  const quant::ActivationRange r = c.range();
  EXPECT_LT(r.max, 25.0f) << "the outliers at 50 should be clipped";
  EXPECT_GT(r.max, 3.0f) << "the bulk (99.7% within 3 sigma) should be kept";
  EXPECT_LT(r.min, -3.0f);
  EXPECT_GE(r.min, -bulk_max);  // intersected with the observed [min, max]
}

TEST(Calibration, ActivationParamsWidenToZeroAndRoundHalfToEven) {
  // [-1, 3]: scale 4 / 255, zero point 1 / (4 / 255) = 63.75 -> 64.
  cpu::QuantParams p = quant::activation_params({-1.0f, 3.0f});
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 64);
  // [1, 3] is widened to [0, 3].
  p = quant::activation_params({1.0f, 3.0f});
  EXPECT_FLOAT_EQ(p.scale, 3.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 0);
  // [-3, -1] is widened to [-3, 0]: zero point 255.
  p = quant::activation_params({-3.0f, -1.0f});
  EXPECT_EQ(p.zero_point, 255);
  // All zeros: scale 1 (ONNX DynamicQuantizeLinear's convention for an empty range).
  p = quant::activation_params({0.0f, 0.0f});
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
}

TEST(Calibration, CalibrateReadsGraphInputsFromTheFeedsAndIntermediatesFromTheRun) {
  ir::Graph g = load(relu_matmul());
  QuantizeOptions o;
  o.calibration_feeds = relu_feeds();
  const std::vector<std::string> tensors = {"x", "r"};
  auto ranges = quant::calibrate(g, tensors, o);
  ASSERT_TRUE(ranges.ok()) << ranges.status().to_string();
  EXPECT_EQ(ranges->at("x").min, -5.0f);
  EXPECT_EQ(ranges->at("x").max, 3.0f);
  EXPECT_EQ(ranges->at("r").min, 0.0f);
  EXPECT_EQ(ranges->at("r").max, 3.0f);
  EXPECT_EQ(g.outputs.size(), 1u);  // the caller's graph is unchanged
}

// ---------------------------------------------------------------------------------------------------------------------
// End to end on the embedded default model (models/distilbert-sst2-tiny), through onyx's INT8 kernels
// ---------------------------------------------------------------------------------------------------------------------

// 3 sentences-like rows of token ids (101 = [CLS], 102 = [SEP], 0 = [PAD]), right padded, as the pipelines feed them.
NamedTensors tiny_batch() {
  const std::vector<int64_t> ids = {101, 2023, 3185, 2001, 2307, 1998, 2061, 6429, 102,  101, 1037, 6659, 1010, 11771,
                                    102, 0,    0,    0,    101,  2025, 2204, 2012, 2035, 102, 0,    0,    0};
  std::vector<int64_t> mask(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) mask[i] = ids[i] != 0;
  return {{"input_ids", Tensor::from_vector<int64_t>({3, 9}, ids)},
          {"attention_mask", Tensor::from_vector<int64_t>({3, 9}, mask)}};
}

Tensor run_logits(const ir::Graph& g, const NamedTensors& feeds) {
  auto bytes = onnx_io::save_model_bytes(g);
  EXPECT_TRUE(bytes.ok()) << bytes.status().to_string();
  SessionOptions so;
  so.threads = 1;
  so.optimization_level = 0;
  auto session = Session::create_from_bytes(*bytes, so);
  EXPECT_TRUE(session.ok()) << session.status().to_string();
  if (!session.ok()) return {};
  auto out = (*session)->run(feeds);
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  return out.ok() ? (*out)[0].second : Tensor();
}

// Quantized logits stay within kTol of fp32 and every row keeps its predicted class. kTol = 0.05: on this batch the
// measured max differences (this test with kTol = 0) are 4.3e-3 (dynamic, both formats), 7.0e-3 (static minmax) and
// 4.1e-3 (static entropy), for logits of magnitude ~1.5. int8 per-channel weights carry up to max|w| / 254 error per
// weight and uint8 activations range / 510 per value, accumulated over 4 layers; 0.05 leaves a ~7x margin and still
// fails on a wrong scale, zero point or input order (those move logits by far more, or fail to load).
void expect_close_to_fp32(QuantizeOptions o) {
  const std::string path = std::string(ONYX_SOURCE_DIR) + "/models/distilbert-sst2-tiny/onnx/model.onnx";
  auto fp32 = onnx_io::load_model_file(path);
  ASSERT_TRUE(fp32.ok()) << fp32.status().to_string();
  opt::OptimizeOptions oo;
  oo.level = opt::Level::kExtended;
  ASSERT_TRUE(opt::optimize(*fp32, oo).ok());
  ir::Graph q = *fp32;
  const NamedTensors feeds = tiny_batch();
  if (o.mode == QuantMode::kStatic) o.calibration_feeds = {feeds};
  auto r = quant::quantize(q, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->quantized, (std::map<std::string, int>{{"Attention", 4}, {"Gemm", 2}, {"MatMul", 12}}));
  const Tensor ref = run_logits(*fp32, feeds), got = run_logits(q, feeds);
  ASSERT_EQ(ref.shape(), (Shape{3, 2}));
  ASSERT_EQ(got.shape(), ref.shape());
  constexpr float kTol = 0.05f;
  float max_diff = 0.0f;
  for (int64_t i = 0; i < ref.numel(); ++i)
    max_diff = std::max(max_diff, std::fabs(got.data<float>()[i] - ref.data<float>()[i]));
  EXPECT_LE(max_diff, kTol);
  for (int64_t row = 0; row < 3; ++row) {
    const float* a = ref.data<float>() + row * 2;
    const float* b = got.data<float>() + row * 2;
    EXPECT_EQ(a[1] > a[0], b[1] > b[0]) << "row " << row;
  }
}

TEST(QuantizeEndToEnd, DynamicQOperatorDefaultModelCloseToFp32) { expect_close_to_fp32({}); }

TEST(QuantizeEndToEnd, DynamicQdqDefaultModelCloseToFp32) {
  QuantizeOptions o;
  o.format = QuantFormat::kQdq;
  expect_close_to_fp32(o);
}

TEST(QuantizeEndToEnd, StaticQOperatorDefaultModelCloseToFp32) {
  QuantizeOptions o;
  o.mode = QuantMode::kStatic;
  expect_close_to_fp32(o);
}

TEST(QuantizeEndToEnd, StaticQdqEntropyDefaultModelCloseToFp32) {
  QuantizeOptions o;
  o.mode = QuantMode::kStatic;
  o.format = QuantFormat::kQdq;
  o.calibration = CalibrationMethod::kEntropy;
  expect_close_to_fp32(o);
}

}  // namespace
}  // namespace onyx::test
