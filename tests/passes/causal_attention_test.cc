// FuseCausalAttention: GPT-2 causal self-attention -> com.microsoft Attention (no past) / MultiHeadAttention (past).
//
// The pattern is built in code the way torch 1.13 exports transformers' GPT2Attention (Conv1D c_attn as
// Reshape/Gemm/Reshape or MatMul + Add, Split, head Reshape/Transpose, Concat with the past, Div by sqrt(head size)
// read from a shape, Where with a slice of the lower-triangular `bias` buffer, additive (1 - mask) * finfo.min,
// Softmax, probs @ v, merge heads). Counts are checked with any_ep (the fusion as a hypothetical EP would get it);
// outputs are compared with the unoptimized graph once onyx has the CPU kernel, and the fused committed GPT-2 models
// are run in ONNX Runtime against the PyTorch references (causal_attention_ort.js).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "src/ep/cpu/registry.h"
#include "src/onnx/model_loader.h"
#include "src/onnx/model_saver.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

constexpr int64_t kBatch = 2, kSeq = 3, kPast = 2, kHeads = 2, kHeadSize = 4, kHidden = kHeads * kHeadSize;
constexpr int64_t kMaxPositions = 16;
constexpr float kFinfoMin = std::numeric_limits<float>::lowest();

struct Variant {
  bool past = false;
  bool mask = true;
  bool gemm = true;              // c_attn as Reshape/Gemm/Reshape (torch's addmm), else MatMul + Add(bias first)
  bool shape_scale = true;       // Div by Pow(Cast(head size from Shape), 0.5), else Mul by a constant 0.3
  bool causal_buffer = true;     // false: an all-true buffer (not causal: must not fuse)
  bool leak_scores = false;      // the scaled scores are also a graph output (must not fuse)
  bool where_mask = false;       // additive mask as Where(bool mask, 0, -10000) (FuseAttention's mask matcher)
  bool layer_idx_scale = false;  // scale_attn_by_inverse_layer_idx: a second Div by (layer index + 1) = 2
  bool separate_qkv = false;     // q, k, v from three MatMul + Add (GPT-Neo style) instead of one c_attn + Split
  bool legacy_causal = false;    // transformers < 4: w * b - 1e4 * (1 - b) with a float buffer
  bool flat_merge = false;       // merge Reshape straight to [B*S, hidden] (O1 on static GPT-2 exports folds c_proj's
                                 // Reshape(-1, hidden) into it)
};


Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }
Tensor scalar_f(float v) { return Tensor::from_vector<float>({}, {v}); }

// dim `axis` of `t` as a 1-element int64 tensor named `out`, as the exporter writes it: Slice(Shape(t), a, a+1).
void dim_value(ModelBuilder& m, const std::string& t, int64_t axis, const std::string& out) {
  m.node("Shape", {t}, {out + "_shape"});
  m.initializer(out + "_s", ints({axis}));
  m.initializer(out + "_e", ints({axis == -1 ? std::numeric_limits<int64_t>::max() : axis + 1}));
  m.initializer(out + "_a", ints({0}));
  m.node("Slice", {out + "_shape", out + "_s", out + "_e", out + "_a"}, {out});
}

std::string gpt2_attention(const Variant& v) {
  const int64_t total = v.past ? kPast + kSeq : kSeq;
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {kBatch, kSeq, kHidden});
  if (v.mask) m.input("attention_mask", DType::kInt64, {kBatch, total});
  if (v.past) {
    m.input("past_key", DType::kFloat32, {kBatch, kHeads, kPast, kHeadSize});
    m.input("past_value", DType::kFloat32, {kBatch, kHeads, kPast, kHeadSize});
  }
  if (v.flat_merge) m.output("y", DType::kFloat32, {kBatch * kSeq, kHidden});
  else m.output("y", DType::kFloat32, {kBatch, kSeq, kHidden});
  if (v.past) {
    m.output("present_key", DType::kFloat32, {kBatch, kHeads, total, kHeadSize});
    m.output("present_value", DType::kFloat32, {kBatch, kHeads, total, kHeadSize});
  }
  if (v.leak_scores) m.output("scores", DType::kFloat32, {kBatch, kHeads, kSeq, total});

  // c_attn
  if (v.separate_qkv) {
    for (const char* t : {"q", "k", "v"}) {
      const std::string name(t);
      m.initializer("w_" + name, random_floats({kHidden, kHidden}, 20 + name[0], -0.5f, 0.5f));
      m.initializer("b_" + name, random_floats({kHidden}, 30 + name[0], -0.5f, 0.5f));
      m.node("MatMul", {"x", "w_" + name}, {name + "_mm"});
      m.node("Add", {name + "_mm", "b_" + name}, {name});
    }
  } else {
    m.initializer("w", random_floats({kHidden, 3 * kHidden}, 11, -0.5f, 0.5f));
    m.initializer("b", random_floats({3 * kHidden}, 12, -0.5f, 0.5f));
    if (v.gemm) {
      m.initializer("flat_shape", ints({-1, kHidden}));
      m.node("Reshape", {"x", "flat_shape"}, {"x_flat"});
      m.node("Gemm", {"x_flat", "w", "b"}, {"qkv_flat"});
      m.initializer("qkv_shape", ints({kBatch, kSeq, 3 * kHidden}));
      m.node("Reshape", {"qkv_flat", "qkv_shape"}, {"qkv"});
    } else {
      m.node("MatMul", {"x", "w"}, {"qkv_mm"});
      m.node("Add", {"b", "qkv_mm"}, {"qkv"});
    }
    m.initializer("split", ints({kHidden, kHidden, kHidden}));
    set_int(m.node("Split", {"qkv", "split"}, {"q", "k", "v"}), "axis", 2);
  }

  // heads
  m.initializer("head_shape", ints({0, 0, kHeads, kHeadSize}));
  for (const char* t : {"q", "k", "v"}) m.node("Reshape", {t, "head_shape"}, {std::string(t) + "_r"});
  set_ints(m.node("Transpose", {"q_r"}, {"q_h"}), "perm", {0, 2, 1, 3});
  if (v.past || !v.legacy_causal) set_ints(m.node("Transpose", {"k_r"}, {"k_h"}), "perm", {0, 2, 1, 3});
  set_ints(m.node("Transpose", {"v_r"}, {"v_h"}), "perm", {0, 2, 1, 3});
  std::string key_heads = "k_h", value_heads = "v_h";
  if (v.past) {
    set_int(m.node("Concat", {"past_key", "k_h"}, {"present_key"}), "axis", -2);
    set_int(m.node("Concat", {"past_value", "v_h"}, {"present_value"}), "axis", -2);
    key_heads = "present_key";
    value_heads = "present_value";
    set_ints(m.node("Transpose", {"present_key"}, {"k_t"}), "perm", {0, 1, 3, 2});
  } else {
    set_ints(m.node("Transpose", {"k_r"}, {"k_t"}), "perm", {0, 2, 3, 1});
  }
  m.node("MatMul", {"q_h", "k_t"}, {"qk"});

  // scale
  if (v.shape_scale) {
    dim_value(m, value_heads, -1, "head_dim");
    m.initializer("axes0", ints({0}));
    m.node("Squeeze", {"head_dim", "axes0"}, {"head_dim_sq"});
    set_int(m.node("Cast", {"head_dim_sq"}, {"head_dim_f"}), "to", 1);
    m.initializer("half", scalar_f(0.5f));
    m.node("Pow", {"head_dim_f", "half"}, {"sqrt_dh"});
    m.node("Div", {"qk", "sqrt_dh"}, {"scores"});
  } else {
    m.initializer("scale", scalar_f(0.3f));
    m.node("Mul", {"scale", "qk"}, {"scores"});
  }

  std::string scaled = "scores";
  if (v.layer_idx_scale) {
    m.initializer("layer_plus_one", scalar_f(2.f));
    m.node("Div", {"scores", "layer_plus_one"}, {"scores_by_layer"});
    scaled = "scores_by_layer";
  }

  // causal: bias[:, :, T-S:T, :T] (transformers < 4: float buffer, lengths read from the scores' shape)
  std::vector<float> buffer(kMaxPositions * kMaxPositions);
  for (int64_t i = 0; i < kMaxPositions; ++i)
    for (int64_t j = 0; j < kMaxPositions; ++j) buffer[i * kMaxPositions + j] = !v.causal_buffer || j <= i;
  if (v.legacy_causal) {
    m.initializer("bias", Tensor::from_vector<float>({1, 1, kMaxPositions, kMaxPositions}, buffer));
    dim_value(m, scaled, -2, "q_len");
    dim_value(m, scaled, -1, "k_len");
  } else {
    std::vector<bool> bools(buffer.begin(), buffer.end());
    m.initializer("bias", Tensor::from_vector<bool>({1, 1, kMaxPositions, kMaxPositions}, bools));
    dim_value(m, "q_h", -2, "q_len");
    dim_value(m, key_heads, -2, "k_len");
  }
  m.node("Sub", {"k_len", "q_len"}, {"past_len"});
  m.initializer("axis2", ints({2}));
  m.initializer("axis3", ints({3}));
  m.initializer("zero", ints({0}));
  m.node("Slice", {"bias", "past_len", "k_len", "axis2"}, {"bias_rows"});
  m.node("Slice", {"bias_rows", "zero", "k_len", "axis3"}, {"causal"});
  if (v.legacy_causal) {  // w * b - 1e4 * (1 - b)
    m.node("Mul", {scaled, "causal"}, {"kept"});
    m.initializer("one_c", scalar_f(1.f));
    m.node("Sub", {"one_c", "causal"}, {"future"});
    m.initializer("ten_thousand", scalar_f(10000.f));
    m.node("Mul", {"ten_thousand", "future"}, {"future_fill"});
    m.node("Sub", {"kept", "future_fill"}, {"masked"});
  } else {
    m.initializer("fill", scalar_f(kFinfoMin));
    m.node("Where", {"causal", scaled, "fill"}, {"masked"});
  }

  std::string logits = "masked";
  if (v.mask) {
    m.initializer("ax1", ints({1}));
    m.initializer("ax2", ints({2}));
    m.node("Unsqueeze", {"attention_mask", "ax1"}, {"mask_u1"});
    m.node("Unsqueeze", {"mask_u1", "ax2"}, {"mask_u2"});
    if (v.where_mask) {
      set_int(m.node("Cast", {"mask_u2"}, {"mask_b"}), "to", 9);
      m.initializer("zero_f", scalar_f(0.f));
      m.initializer("minus_10000", scalar_f(-10000.f));
      m.node("Where", {"mask_b", "zero_f", "minus_10000"}, {"add_mask"});
    } else {
      set_int(m.node("Cast", {"mask_u2"}, {"mask_f"}), "to", 1);
      m.initializer("one", scalar_f(1.f));
      m.node("Sub", {"one", "mask_f"}, {"inv_mask"});
      m.initializer("min", scalar_f(kFinfoMin));
      m.node("Mul", {"inv_mask", "min"}, {"add_mask"});
    }
    m.node("Add", {"masked", "add_mask"}, {"logits"});
    logits = "logits";
  }
  set_int(m.node("Softmax", {logits}, {"probs"}), "axis", -1);
  m.node("MatMul", {"probs", value_heads}, {"ctx"});
  set_ints(m.node("Transpose", {"ctx"}, {"ctx_t"}), "perm", {0, 2, 1, 3});
  m.initializer("merge_shape", v.flat_merge ? ints({-1, kHidden}) : ints({0, 0, kHidden}));
  m.node("Reshape", {"ctx_t", "merge_shape"}, {"y"});
  return m.bytes();
}

NamedTensors inputs_for(const Variant& v) {
  const int64_t total = v.past ? kPast + kSeq : kSeq;
  NamedTensors in = {{"x", random_floats({kBatch, kSeq, kHidden}, 1)}};
  if (v.mask) {
    // Row 0 all valid; row 1 left-padded by one position (a valid token always sees itself).
    std::vector<int64_t> mask(kBatch * total, 1);
    mask[total] = 0;
    in.emplace_back("attention_mask", Tensor::from_vector<int64_t>({kBatch, total}, mask));
  }
  if (v.past) {
    in.emplace_back("past_key", random_floats({kBatch, kHeads, kPast, kHeadSize}, 2));
    in.emplace_back("past_value", random_floats({kBatch, kHeads, kPast, kHeadSize}, 3));
  }
  return in;
}

bool has_cpu_kernel(const char* op) { return cpu::find_cpu_kernel(op, ir::kMsDomain, 1) != nullptr; }

const ir::Node* find_op(const ir::Graph& g, const std::string& op) {
  for (const auto& n : g.nodes)
    if (n.op_type == op) return &n;
  return nullptr;
}


std::string dims_text(const std::vector<int64_t>& dims) {
  std::string out;
  for (int64_t d : dims) {
    if (!out.empty()) out += ',';
    out += std::to_string(d);
  }
  return out;
}

// ONNX Runtime runs the unoptimized and the fused model on the same inputs (causal_attention_ort.js --pair): the
// fused model loads there and computes the same outputs. Skips (returns false) without node / onnxruntime-node.
bool expect_same_in_onnx_runtime(const std::string& bytes, const ir::Graph& fused, const Variant& v) {
  if (std::system("node --version > /dev/null 2>&1") != 0) return false;
  const std::string dir = temp_dir("causal_attention_pair");
  std::ofstream(dir + "/original.onnx", std::ios::binary) << bytes;
  auto saved = onnx_io::save_model_bytes(fused);
  EXPECT_TRUE(saved.ok());
  if (!saved.ok()) return true;
  std::ofstream(dir + "/fused.onnx", std::ios::binary) << *saved;
  const int64_t total = v.past ? kPast + kSeq : kSeq;
  std::string specs = " x:float32:" + dims_text({kBatch, kSeq, kHidden});
  if (v.mask) specs += " attention_mask:int64:" + dims_text({kBatch, total});
  if (v.past) {
    specs += " past_key:float32:" + dims_text({kBatch, kHeads, kPast, kHeadSize});
    specs += " past_value:float32:" + dims_text({kBatch, kHeads, kPast, kHeadSize});
  }
  const std::string cmd = "node " + std::string(ONYX_SOURCE_DIR) + "/tests/passes/causal_attention_ort.js --pair " +
                          dir + "/original.onnx " + dir + "/fused.onnx --tol 1e-5" + specs + " > " + dir + "/log.txt";
  const int rc = std::system(cmd.c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 2) return false;
  EXPECT_EQ(rc, 0) << cmd << "\n" << read_file(dir + "/log.txt");
  return true;
}

// Fuses (any EP), checks the fused node and runs it in ONNX Runtime, then compares onyx's outputs when onyx has the
// kernel.
void expect_fused(const Variant& v, const std::string& op) {
  const std::string bytes = gpt2_attention(v);
  PassResult r = run_passes(bytes, {"FuseCausalAttention"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  EXPECT_EQ(count_ops(r.graph, op), 1);
  EXPECT_EQ(count_ops(r.graph, "Softmax"), 0);
  EXPECT_EQ(count_ops(r.graph, "Where"), 0);  // the mask Where too: only this layer read it
  EXPECT_EQ(count_ops(r.graph, "Transpose"), 0);
  EXPECT_EQ(r.report.created[op], 1);
  const ir::Node* n = find_op(r.graph, op);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->domain, ir::kMsDomain);
  EXPECT_EQ(n->attr_int("num_heads", 0), kHeads);
  EXPECT_EQ(n->attr_int("unidirectional", 0), 1);
  if (v.shape_scale && !v.layer_idx_scale) {
    EXPECT_FALSE(n->has_attribute("scale"));
  } else {
    const float scale = (v.shape_scale ? 0.5f : 0.3f) / (v.layer_idx_scale ? 2.f : 1.f);  // 0.5 = 1/sqrt(4)
    EXPECT_FLOAT_EQ(n->attr_float("scale", 0.f), scale);
  }
  if (v.mask) {
    EXPECT_EQ(n->attr_float("mask_filter_value", 0.f), v.where_mask ? -10000.f : kFinfoMin);
  }
  EXPECT_EQ(n->outputs[0], "y");
  if (v.past) {
    ASSERT_EQ(n->outputs.size(), 3u);
    EXPECT_EQ(n->outputs[1], "present_key");
    EXPECT_EQ(n->outputs[2], "present_value");
    ASSERT_EQ(n->inputs.size(), 8u);
    EXPECT_EQ(n->inputs[6], "past_key");
    EXPECT_EQ(n->inputs[7], "past_value");
  }

  expect_same_in_onnx_runtime(bytes, r.graph, v);

  if (!has_cpu_kernel(op.c_str())) {
    GTEST_SKIP() << "onyx has no CPU " << op << " kernel yet: outputs not compared";
  }
  PassResult cpu = run_passes(bytes, {"FuseCausalAttention"});
  EXPECT_EQ(count_ops(cpu.graph, op), 1);
  expect_same_outputs(bytes, cpu, inputs_for(v), 1e-5);
}

TEST(FuseCausalAttention, NoPastGemmProjectionBecomesAttention) { expect_fused({}, "Attention"); }

TEST(FuseCausalAttention, NoPastMatMulAddProjectionAndConstantScale) {
  expect_fused({.gemm = false, .shape_scale = false}, "Attention");
}

TEST(FuseCausalAttention, NoPastWithoutMask) { expect_fused({.mask = false}, "Attention"); }

TEST(FuseCausalAttention, PastBecomesMultiHeadAttentionWritingThePresents) {
  expect_fused({.past = true}, "MultiHeadAttention");
}

TEST(FuseCausalAttention, PastWithMatMulAddProjectionAndConstantScale) {
  expect_fused({.past = true, .gemm = false, .shape_scale = false}, "MultiHeadAttention");
}

TEST(FuseCausalAttention, ScaleByInverseLayerIndexMultipliesIntoTheScale) {
  expect_fused({.layer_idx_scale = true}, "Attention");
  expect_fused({.past = true, .shape_scale = false, .layer_idx_scale = true}, "MultiHeadAttention");
}

// With -10000 as the padding value, the left-padded row's first query sees only a padded key: ONNX Runtime gives the
// unoptimized result there (future keys get the lowest float, not mask_filter_value; checked with onnxruntime-node on
// this model), so onyx's kernel must too.
TEST(FuseCausalAttention, WhereFormOfThePaddingMask) {
  expect_fused({.where_mask = true}, "Attention");
  expect_fused({.past = true, .where_mask = true}, "MultiHeadAttention");
}

// Without a padding mask: with one, the left-padded row's first query (its causal window is all padding) would get
// the future keys (-1e4 beats finfo.min) in the unoptimized graph and the padded key in ORT's Attention; only such
// all-padding windows differ (see fuse_causal_attention.cc).
TEST(FuseCausalAttention, LegacyMultiplySubtractCausalMask) {
  expect_fused({.mask = false, .legacy_causal = true}, "Attention");
  expect_fused({.mask = false, .gemm = false, .shape_scale = false, .legacy_causal = true}, "Attention");
}

TEST(FuseCausalAttention, SeparateQkvProjectionsBecomeMultiHeadAttention) {
  expect_fused({.separate_qkv = true}, "MultiHeadAttention");
  expect_fused({.past = true, .separate_qkv = true}, "MultiHeadAttention");
}

// Regression (static GPT-2 export at O2): the fused op gives [B, S, hidden], so a 2-D merge target must stay as a
// Reshape after it; before the fix the Attention wrote the 2-D value itself and ONNX Runtime rejected the c_proj
// Gemm ("expected rank 2 but has rank 3").
TEST(FuseCausalAttention, FlatMergeReshapeIsKeptAfterTheFusedOp) {
  const Variant v{.flat_merge = true};
  const std::string bytes = gpt2_attention(v);
  PassResult r = run_passes(bytes, {"FuseCausalAttention"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  ASSERT_EQ(count_ops(r.graph, "Attention"), 1);
  EXPECT_EQ(count_ops(r.graph, "Softmax"), 0);
  const ir::Node* n = find_op(r.graph, "Attention");
  ASSERT_NE(n, nullptr);
  EXPECT_NE(n->outputs[0], "y");
  const ir::Node* reshape = find_op(r.graph, "Reshape");
  ASSERT_NE(reshape, nullptr);
  EXPECT_EQ(reshape->inputs[0], n->outputs[0]);
  EXPECT_EQ(reshape->outputs[0], "y");
  expect_same_in_onnx_runtime(bytes, r.graph, v);
  if (!has_cpu_kernel("Attention")) GTEST_SKIP() << "onyx has no CPU Attention kernel: outputs not compared";
  expect_same_outputs(bytes, run_passes(bytes, {"FuseCausalAttention"}), inputs_for(v), 1e-5);
}

TEST(FuseCausalAttention, NonCausalBufferIsNotFused) {
  for (bool past : {false, true}) {
    PassResult r = run_passes(gpt2_attention({.past = past, .causal_buffer = false}), {"FuseCausalAttention"},
                              opt::Level::kReducedPrecision, true);
    PassResult legacy = run_passes(gpt2_attention({.past = past, .causal_buffer = false, .legacy_causal = true}),
                                   {"FuseCausalAttention"}, opt::Level::kReducedPrecision, true);
    EXPECT_EQ(count_ops(legacy.graph, "Attention") + count_ops(legacy.graph, "MultiHeadAttention"), 0);
    EXPECT_EQ(count_ops(r.graph, "Attention") + count_ops(r.graph, "MultiHeadAttention"), 0) << "past " << past;
    EXPECT_EQ(count_ops(r.graph, "Softmax"), 1);
  }
}

TEST(FuseCausalAttention, ScoresReadElsewhereBlockTheFusion) {
  for (bool past : {false, true}) {
    PassResult r = run_passes(gpt2_attention({.past = past, .leak_scores = true}), {"FuseCausalAttention"},
                              opt::Level::kReducedPrecision, true);
    EXPECT_EQ(count_ops(r.graph, "Attention") + count_ops(r.graph, "MultiHeadAttention"), 0) << "past " << past;
    EXPECT_EQ(count_ops(r.graph, "Softmax"), 1);
  }
}

TEST(FuseCausalAttention, NothingFusedWhenTheTargetEpLacksTheOps) {
  auto g = onnx_io::load_model_bytes(gpt2_attention({}), ".", {.run_onnx_checker = false});
  ASSERT_TRUE(g.ok());
  opt::OptimizeOptions o;
  o.only_passes = {"FuseCausalAttention"};
  o.ep_supports = [](const ir::Graph&, std::string_view op, std::string_view) {
    return op != "Attention" && op != "MultiHeadAttention";
  };
  auto report = opt::optimize(*g, o);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(count_ops(*g, "Softmax"), 1);
  EXPECT_EQ(count_ops(*g, "Attention") + count_ops(*g, "MultiHeadAttention"), 0);
}

// ---- the committed GPT-2 exports (scripts/export_test_models.py: 2 layers, 4 heads) ----

struct ModelCase {
  const char* dir;
  const char* op;
};

class CommittedGpt2 : public ::testing::TestWithParam<ModelCase> {};

TEST_P(CommittedGpt2, EveryLayerFusedAndOnnxRuntimeMatchesPyTorch) {
  const std::string data_dir = std::string(ONYX_SOURCE_DIR) + "/tests/models/data/" + GetParam().dir;
  const std::string bytes = read_file(data_dir + "/model.onnx");
  ASSERT_FALSE(bytes.empty()) << data_dir;
  PassResult r = run_passes(bytes, {"FuseCausalAttention"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  constexpr int kLayers = 2;
  EXPECT_EQ(count_ops(r.graph, GetParam().op), kLayers);
  EXPECT_EQ(count_ops(r.graph, "Softmax"), 0);
  EXPECT_EQ(count_ops(r.graph, "Where"), 0);

  // ONNX Runtime loads the fused model and gives the PyTorch outputs (every case, incl. left-padded past).
  if (std::system("node --version > /dev/null 2>&1") != 0) GTEST_SKIP() << "node not found";
  auto saved = onnx_io::save_model_bytes(r.graph);
  ASSERT_TRUE(saved.ok()) << saved.status().to_string();
  const std::string path = temp_dir("causal_attention") + "/model.onnx";
  std::ofstream(path, std::ios::binary) << *saved;
  const std::string cmd = "node " + std::string(ONYX_SOURCE_DIR) + "/tests/passes/causal_attention_ort.js " + path +
                          " " + data_dir + " --tol 1e-4";
  const int rc = std::system(cmd.c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 2) GTEST_SKIP() << "onnxruntime-node not installed";
  EXPECT_EQ(rc, 0) << cmd;
}

// With every O2 pass (constant folding, CSE and no-op elimination reshape the pattern first), for any EP.
TEST_P(CommittedGpt2, EveryLayerFusedAfterTheBasicPasses) {
  const std::string bytes =
      read_file(std::string(ONYX_SOURCE_DIR) + "/tests/models/data/" + GetParam().dir + "/model.onnx");
  PassResult r = run_passes(bytes, {}, opt::Level::kExtended, /*any_ep=*/true);
  EXPECT_EQ(count_ops(r.graph, GetParam().op), 2);
  EXPECT_EQ(count_ops(r.graph, "Softmax"), 0);
}

INSTANTIATE_TEST_SUITE_P(Models, CommittedGpt2,
                         ::testing::Values(ModelCase{"gpt2_opset14", "Attention"},
                                           ModelCase{"gpt2_opset17", "Attention"},
                                           ModelCase{"gpt2_past_opset14", "MultiHeadAttention"},
                                           ModelCase{"gpt2_past_opset17", "MultiHeadAttention"}),
                         [](const auto& info) { return std::string(info.param.dir); });

}  // namespace
}  // namespace onyx::test
