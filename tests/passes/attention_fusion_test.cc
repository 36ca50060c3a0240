// FuseAttention: encoder self-attention blocks built in code in the forms exporters produce (BERT, DistilBERT, T5,
// SDPA decomposition; additive, Where and bool masks), fused to one com.microsoft.Attention and compared with the
// unfused graph. Expected values come from running the same graph unoptimized (the reference ops).
#include <gtest/gtest.h>

#include <cmath>

#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

constexpr int64_t kBatch = 2, kSeq = 5, kHidden = 8, kHeads = 2, kHeadSize = 4;

enum class Mask {
  kNone,
  kAdditive,
  kAdditivePositive,
  kEqualWhere,
  kBoolWhere,
  kT5Bias,
  kSdpaInverted,
  kSdpaBoolInf,
  kFromTokenIds
};
enum class Scale { kDivScores, kMulScoresConstantFirst, kDivQuery, kSdpaSqrt, kSdpaShape, kNone };

struct Variant {
  Mask mask = Mask::kAdditive;
  Scale scale = Scale::kDivScores;
  float mask_value = -10000.f;
  bool qkv_bias = true;
  bool probs_output = false;         // the softmax output is also a graph output (must block the fusion)
  bool split_key_transpose = false;  // k^T as Transpose[0,2,1,3] then Transpose[0,1,3,2]
  bool identity_after_softmax = false;
  bool transposed_weights = false;  // W as Transpose(W^T): exports without constant folding
};

Tensor scalar_f(float v) { return Tensor::from_vector<float>({}, {v}); }
Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }


// x [B, S, H], attention_mask int64 [B, S] -> y = Attention(x) @ Wo.
std::string attention_model(const Variant& v) {
  ModelBuilder m(14);
  m.input("x", DType::kFloat32, {kBatch, kSeq, kHidden});
  m.input("attention_mask", DType::kInt64, {kBatch, kSeq});
  m.output("y", DType::kFloat32, {kBatch, kSeq, kHidden});
  unsigned seed = 1;
  m.initializer("split_shape", ints({0, 0, kHeads, kHeadSize}));
  m.initializer("merge_shape", ints({0, 0, kHidden}));
  m.initializer("axes1", ints({1}));
  m.initializer("axes2", ints({2}));
  for (const char* p : {"q", "k", "v"}) {
    const std::string s = p;
    if (v.transposed_weights) {
      m.initializer("W" + s + "_t", random_floats({kHidden, kHidden}, seed++, -0.8f, 0.8f));
      set_ints(m.node("Transpose", {"W" + s + "_t"}, {"W" + s}), "perm", {1, 0});
    } else {
      m.initializer("W" + s, random_floats({kHidden, kHidden}, seed++, -0.8f, 0.8f));
    }
    m.node("MatMul", {"x", "W" + s}, {s + "_mm"});
    std::string proj = s + "_mm";
    if (v.qkv_bias) {
      m.initializer("b" + s, random_floats({kHidden}, seed++, -0.3f, 0.3f));
      m.node("Add", {"b" + s, s + "_mm"}, {s + "_lin"});  // bias first, as torch exports it
      proj = s + "_lin";
    }
    m.node("Reshape", {proj, "split_shape"}, {s + "_4d"});
  }
  m.initializer("Wo", random_floats({kHidden, kHidden}, seed++, -0.8f, 0.8f));
  set_ints(m.node("Transpose", {"q_4d"}, {"q_h"}), "perm", {0, 2, 1, 3});
  set_ints(m.node("Transpose", {"v_4d"}, {"v_h"}), "perm", {0, 2, 1, 3});
  if (v.split_key_transpose) {
    set_ints(m.node("Transpose", {"k_4d"}, {"k_h"}), "perm", {0, 2, 1, 3});
    set_ints(m.node("Transpose", {"k_h"}, {"k_t"}), "perm", {0, 1, 3, 2});
  } else {
    set_ints(m.node("Transpose", {"k_4d"}, {"k_t"}), "perm", {0, 2, 3, 1});
  }
  std::string q = "q_h", kt = "k_t";
  const float inv_sqrt = 1.f / std::sqrt(static_cast<float>(kHeadSize));
  if (v.scale == Scale::kDivQuery) {
    m.initializer("sqrt_d", scalar_f(std::sqrt(static_cast<float>(kHeadSize))));
    m.node("Div", {"q_h", "sqrt_d"}, {"q_s"});
    q = "q_s";
  } else if (v.scale == Scale::kSdpaSqrt || v.scale == Scale::kSdpaShape) {
    std::string root = "root_scale";
    if (v.scale == Scale::kSdpaSqrt) {
      m.initializer(root, scalar_f(std::sqrt(inv_sqrt)));
    } else {  // sqrt(1 / sqrt(float(shape(q)[-1]))) as torch's SDPA symbolic computes it
      m.initializer("minus1", Tensor::from_vector<int64_t>({}, {-1}));
      m.node("Shape", {"q_h"}, {"q_shape"});
      set_int(m.node("Gather", {"q_shape", "minus1"}, {"d_i"}), "axis", 0);
      set_int(m.node("Cast", {"d_i"}, {"d_f"}), "to", 1);
      m.node("Sqrt", {"d_f"}, {"sqrt_df"});
      m.node("Reciprocal", {"sqrt_df"}, {"inv_sqrt_df"});
      m.node("Sqrt", {"inv_sqrt_df"}, {root});
    }
    m.node("Mul", {"q_h", root}, {"q_s"});
    m.node("Mul", {kt, root}, {"k_s"});
    q = "q_s";
    kt = "k_s";
  }
  m.node("MatMul", {q, kt}, {"qk"});
  std::string scores = "qk";
  if (v.scale == Scale::kDivScores) {
    m.initializer("sqrt_d2", scalar_f(std::sqrt(static_cast<float>(kHeadSize))));
    m.node("Div", {"qk", "sqrt_d2"}, {"qk_s"});
    scores = "qk_s";
  } else if (v.scale == Scale::kMulScoresConstantFirst) {
    m.initializer("inv_sqrt_d", scalar_f(inv_sqrt));
    m.node("Mul", {"inv_sqrt_d", "qk"}, {"qk_s"});
    scores = "qk_s";
  }
  // Masks.
  auto unsqueezed_float_mask = [&] {
    m.node("Unsqueeze", {"attention_mask", "axes1"}, {"m1"});
    m.node("Unsqueeze", {"m1", "axes2"}, {"m2"});
    set_int(m.node("Cast", {"m2"}, {"mf"}), "to", 1);
    m.initializer("one", scalar_f(1.f));
    m.node("Sub", {"one", "mf"}, {"inv"});
    m.initializer("mask_value", scalar_f(v.mask == Mask::kAdditivePositive ? 10000.f : v.mask_value));
    m.node("Mul", {"inv", "mask_value"}, {"mask_add"});
    return std::string("mask_add");
  };
  switch (v.mask) {
    case Mask::kNone:
      break;
    case Mask::kAdditive:
    case Mask::kAdditivePositive:
      m.node("Add", {scores, unsqueezed_float_mask()}, {"masked"});
      scores = "masked";
      break;
    case Mask::kT5Bias: {
      m.initializer("pos_bias", random_floats({1, kHeads, kSeq, kSeq}, 99, -1.f, 1.f));
      m.node("Add", {"pos_bias", unsqueezed_float_mask()}, {"bias_sum"});
      m.node("Add", {scores, "bias_sum"}, {"masked"});
      scores = "masked";
      break;
    }
    case Mask::kEqualWhere: {  // DistilBERT: Where(Equal(mask, 0) as [B,1,1,T], finfo.min, scores)
      m.initializer("zero", Tensor::from_vector<int64_t>({}, {0}));
      m.node("Equal", {"attention_mask", "zero"}, {"is_pad"});
      m.initializer("b11t", ints({kBatch, 1, 1, kSeq}));
      m.node("Reshape", {"is_pad", "b11t"}, {"is_pad4"});
      m.initializer("fill", scalar_f(v.mask_value));
      m.node("Where", {"is_pad4", "fill", scores}, {"masked"});
      scores = "masked";
      break;
    }
    case Mask::kBoolWhere: {  // masked_fill(~mask.bool(), fill)
      m.node("Unsqueeze", {"attention_mask", "axes1"}, {"m1"});
      m.node("Unsqueeze", {"m1", "axes2"}, {"m2"});
      set_int(m.node("Cast", {"m2"}, {"mb"}), "to", 9);
      m.node("Not", {"mb"}, {"not_mb"});
      m.initializer("fill", scalar_f(v.mask_value));
      m.node("Where", {"not_mb", "fill", scores}, {"masked"});
      scores = "masked";
      break;
    }
    case Mask::kFromTokenIds: {  // (1 - Cast(x_ids != 0)) * c where x_ids are token ids (read by a Gather)
      m.input("ids", DType::kInt64, {kBatch, kSeq});
      m.initializer("table", random_floats({4, 1}, 5));
      m.node("Gather", {"table", "ids"}, {"ids_emb"});
      m.output("ids_emb", DType::kFloat32, {kBatch, kSeq, 1});
      m.initializer("zero", Tensor::from_vector<int64_t>({}, {0}));
      m.node("Equal", {"ids", "zero"}, {"ids_pad"});
      m.node("Not", {"ids_pad"}, {"ids_mask_b"});
      m.node("Unsqueeze", {"ids_mask_b", "axes1"}, {"im1"});
      m.node("Unsqueeze", {"im1", "axes2"}, {"im2"});
      set_int(m.node("Cast", {"im2"}, {"imf"}), "to", 1);
      m.initializer("one", scalar_f(1.f));
      m.node("Sub", {"one", "imf"}, {"iinv"});
      m.initializer("mask_value", scalar_f(v.mask_value));
      m.node("Mul", {"iinv", "mask_value"}, {"ids_mask_add"});
      m.node("Add", {scores, "ids_mask_add"}, {"masked"});
      scores = "masked";
      break;
    }
    case Mask::kSdpaBoolInf: {  // torch's SDPA ONNX symbolic with a bool mask: Add(scores, Where(mask, 0, -inf))
      m.node("Unsqueeze", {"attention_mask", "axes1"}, {"m1"});
      m.node("Unsqueeze", {"m1", "axes2"}, {"m2"});
      set_int(m.node("Cast", {"m2"}, {"mb"}), "to", 9);
      m.initializer("zero_f", scalar_f(0.f));
      m.initializer("minus_inf", scalar_f(-INFINITY));
      m.node("Where", {"mb", "zero_f", "minus_inf"}, {"inf_mask"});
      m.node("Add", {scores, "inf_mask"}, {"masked"});
      scores = "masked";
      break;
    }
    case Mask::kSdpaInverted: {  // transformers' SDPA mask: inv = 1 - mask; Where(bool(inv), finfo.min, inv)
      unsqueezed_float_mask();
      set_int(m.node("Cast", {"inv"}, {"inv_b"}), "to", 9);
      m.node("Where", {"inv_b", "mask_value", "inv"}, {"sdpa_mask"});
      m.node("Add", {scores, "sdpa_mask"}, {"masked"});
      scores = "masked";
      break;
    }
  }
  set_int(m.node("Softmax", {scores}, {"probs"}), "axis", -1);
  if (v.probs_output) m.output("probs", DType::kFloat32, {kBatch, kHeads, kSeq, kSeq});
  std::string probs = "probs";
  if (v.identity_after_softmax) {
    m.node("Identity", {"probs"}, {"probs_id"});
    probs = "probs_id";
  }
  m.node("MatMul", {probs, "v_h"}, {"ctx_h"});
  set_ints(m.node("Transpose", {"ctx_h"}, {"ctx_t"}), "perm", {0, 2, 1, 3});
  m.node("Reshape", {"ctx_t", "merge_shape"}, {"ctx"});
  m.node("MatMul", {"ctx", "Wo"}, {"y"});
  return m.bytes();
}

NamedTensors inputs() {
  // Row 0 right padded, row 1 left padded: the raw 2-D mask_index handles both.
  return {{"x", random_floats({kBatch, kSeq, kHidden}, 7, -2.f, 2.f)},
          {"attention_mask", Tensor::from_vector<int64_t>({kBatch, kSeq}, {1, 1, 1, 0, 0, 0, 0, 1, 1, 1})}};
}

const ir::Node* find_op(const ir::Graph& g, const std::string& op) {
  for (const auto& n : g.nodes)
    if (n.op_type == op) return &n;
  return nullptr;
}

// Fuses for a hypothetical EP (pattern only) and, when the CPU EP runs Attention, fuses for it and compares outputs.
// Returns the fused Attention node of the hypothetical-EP run (nullptr if none).
ir::Node fuse_and_compare(const Variant& v, int expected_attention) {
  const std::string bytes = attention_model(v);
  PassResult any = run_passes(bytes, {"FuseAttention"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  EXPECT_EQ(count_ops(any.graph, "Attention"), expected_attention);
  if (expected_attention) {
    EXPECT_EQ(count_ops(any.graph, "Softmax"), 0);
    EXPECT_EQ(count_ops(any.graph, "Transpose"), v.transposed_weights ? 3 : 0);  // W^T Transposes are left dead
    EXPECT_EQ(count_ops(any.graph, "MatMul"), 1);                                // the output projection stays
  }
  PassResult cpu = run_passes(bytes, {"FuseAttention"});
  if (count_ops(cpu.graph, "Attention") == expected_attention) expect_same_outputs(bytes, cpu, inputs(), 1e-5);
  const ir::Node* a = find_op(any.graph, "Attention");
  return a ? *a : ir::Node{};
}

TEST(FuseAttention, BertAdditiveFinfoMinMask) {
  ir::Node a = fuse_and_compare({.mask = Mask::kAdditive, .mask_value = -3.4028234663852886e38f}, 1);
  EXPECT_EQ(a.attr_int("num_heads", 0), kHeads);
  EXPECT_FALSE(a.has_attribute("scale"));  // 1/sqrt(head_size) is the default
  EXPECT_FLOAT_EQ(a.attr_float("mask_filter_value", 0), -3.4028234663852886e38f);
  ASSERT_GE(a.inputs.size(), 4u);
  EXPECT_FALSE(a.inputs[3].empty());  // mask_index
}

TEST(FuseAttention, BertMinus10000MaskKeepsTheDefaultFilterValue) {
  ir::Node a = fuse_and_compare({.mask = Mask::kAdditive, .mask_value = -10000.f}, 1);
  EXPECT_FALSE(a.has_attribute("mask_filter_value"));
}

TEST(FuseAttention, DistilBertEqualWhereMaskAndScaledQuery) {
  fuse_and_compare({.mask = Mask::kEqualWhere, .scale = Scale::kDivQuery, .mask_value = -3.4028234663852886e38f}, 1);
}

TEST(FuseAttention, BoolMaskedFill) {
  fuse_and_compare({.mask = Mask::kBoolWhere, .mask_value = -3.4028234663852886e38f}, 1);
}

TEST(FuseAttention, SdpaSqrtScaleOnQueryAndKey) {
  ir::Node a = fuse_and_compare({.mask = Mask::kSdpaInverted,
                                 .scale = Scale::kSdpaSqrt,
                                 .mask_value = -3.4028234663852886e38f,
                                 .split_key_transpose = true},
                                1);
  EXPECT_NEAR(a.attr_float("scale", 1.f / std::sqrt(4.f)), 0.5f, 1e-6);
}

TEST(FuseAttention, SdpaBoolMaskAsMinusInfinity) {
  ir::Node a = fuse_and_compare({.mask = Mask::kSdpaBoolInf, .scale = Scale::kSdpaShape}, 1);
  EXPECT_EQ(a.attr_float("mask_filter_value", 0), -INFINITY);
}

TEST(FuseAttention, SdpaScaleComputedFromTheQueryShape) {
  fuse_and_compare({.mask = Mask::kAdditive, .scale = Scale::kSdpaShape, .mask_value = -3.4028234663852886e38f}, 1);
}

TEST(FuseAttention, T5PositionBiasPlusMaskBecomesAttentionBiasWithScaleOne) {
  ir::Node a = fuse_and_compare(
      {.mask = Mask::kT5Bias, .scale = Scale::kNone, .mask_value = -3.4028234663852886e38f, .qkv_bias = false}, 1);
  EXPECT_FLOAT_EQ(a.attr_float("scale", 0), 1.f);
  ASSERT_EQ(a.inputs.size(), 6u);
  EXPECT_TRUE(a.inputs[3].empty());   // no mask_index: the mask is inside the bias sum
  EXPECT_FALSE(a.inputs[5].empty());  // attention_bias
}

TEST(FuseAttention, MulByReciprocalConstantFirstAndIdentityAfterSoftmax) {
  fuse_and_compare({.mask = Mask::kAdditive, .scale = Scale::kMulScoresConstantFirst, .identity_after_softmax = true},
                   1);
}

TEST(FuseAttention, WeightsAsTransposeOfConstants) {
  fuse_and_compare({.mask = Mask::kAdditive, .transposed_weights = true}, 1);
}

TEST(FuseAttention, TokenIdsAreNotAMaskInput) {
  // The mask chain evaluates like a mask at ids 0 and 1, but token ids take other values: not a raw mask_index.
  const std::string bytes = attention_model({.mask = Mask::kFromTokenIds});
  PassResult any = run_passes(bytes, {"FuseAttention"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
  EXPECT_EQ(count_ops(any.graph, "Attention"), 0);
}

TEST(FuseAttention, NoMask) {
  ir::Node a = fuse_and_compare({.mask = Mask::kNone}, 1);
  EXPECT_EQ(a.inputs.size(), 3u);
}

TEST(FuseAttention, PositiveMaskConstantIsNotAPaddingMask) {
  // (1 - mask) * +10000 is not a mask; as a [B,1,1,T] term it cannot be attention_bias either: no fusion.
  fuse_and_compare({.mask = Mask::kAdditivePositive}, 0);
}

TEST(FuseAttention, ProbabilitiesReadElsewhereBlockTheFusion) {
  fuse_and_compare({.mask = Mask::kAdditive, .probs_output = true}, 0);
}

}  // namespace
}  // namespace onyx::test
