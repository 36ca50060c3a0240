// RemovePadding (SessionOptions::remove_padding) and its kernels PackTokens / UnpackTokens (com.onyx) and
// PackedAttention (com.microsoft). Expected values: the padded computation of the same model (remove_padding off) is
// the reference; outputs at unmasked positions must match it within 1e-5, padded positions read 0. Kernel cases are
// built in code; model cases run the committed encoder test models (tests/models/data,
// scripts/export_test_models.py) on random batches with right and left padding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "src/onnx/model_loader.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<Session> make_session(const std::string& bytes, const std::string& dir, bool remove_padding,
                                      int level = 99) {
  SessionOptions o;
  o.optimization_level = level;
  o.threads = 1;
  o.run_onnx_checker = false;
  o.remove_padding = remove_padding;
  auto s = Session::create_from_bytes(bytes, o, dir);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? std::move(s).value() : nullptr;
}

NamedTensors run(Session& s, const NamedTensors& inputs) {
  auto out = s.run(inputs);
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  return out.ok() ? std::move(out).value() : NamedTensors{};
}

int64_t mask_at(const Tensor& mask, int64_t i) {
  return mask.dtype() == DType::kInt64 ? mask.data<int64_t>()[i] : mask.data<int32_t>()[i];
}

// Max |a - b| over every output; outputs shaped [B, S, ...] like the mask are compared at unmasked positions only,
// and must be 0 at the padding when `padding_zero`; outputs [B, ...] only for sequences whose token 0 is a token.
double max_diff_unmasked(const NamedTensors& want, const NamedTensors& got, const Tensor& mask,
                         bool padding_zero = true) {
  double worst = 0;
  EXPECT_EQ(want.size(), got.size());
  for (size_t o = 0; o < want.size() && o < got.size(); ++o) {
    const Tensor& a = want[o].second;
    const Tensor& b = got[o].second;
    EXPECT_EQ(want[o].first, got[o].first);
    EXPECT_EQ(a.shape(), b.shape()) << want[o].first;
    if (a.shape() != b.shape() || a.dtype() != DType::kFloat32) continue;
    const bool per_token = a.rank() >= 2 && a.dim(0) == mask.dim(0) && a.dim(1) == mask.dim(1);
    // Per-sequence outputs (classifier logits) read token 0: compared where token 0 is not padding (with left
    // padding it is, and the padded computation's logits are garbage too).
    const bool per_sequence = !per_token && a.rank() >= 1 && a.dim(0) == mask.dim(0);
    const int64_t positions = per_token || per_sequence ? (per_token ? mask.numel() : mask.dim(0)) : 1;
    const int64_t row = a.numel() / positions;
    for (int64_t p = 0; p < positions; ++p) {
      const bool token = per_token ? mask_at(mask, p) != 0 : !per_sequence || mask_at(mask, p * mask.dim(1)) != 0;
      if (per_sequence && !token) continue;
      for (int64_t k = p * row; k < (p + 1) * row; ++k) {
        if (token)
          worst = std::max(worst, static_cast<double>(std::fabs(a.data<float>()[k] - b.data<float>()[k])));
        else if (padding_zero)
          EXPECT_EQ(b.data<float>()[k], 0.0f) << want[o].first << " padding position " << p;
      }
    }
  }
  return worst;
}

// [B, S] 0/1 mask with `lengths` tokens per row, at the end of each row when `left`.
Tensor length_mask(const std::vector<int64_t>& lengths, int64_t seq, bool left, DType dtype = DType::kInt64) {
  const int64_t batch = static_cast<int64_t>(lengths.size());
  std::vector<int64_t> v(batch * seq, 0);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < lengths[b]; ++s) v[b * seq + (left ? seq - 1 - s : s)] = 1;
  if (dtype == DType::kInt64) return Tensor::from_vector<int64_t>({batch, seq}, v);
  return Tensor::from_vector<int32_t>({batch, seq}, std::vector<int32_t>(v.begin(), v.end()));
}

// ---- kernels ----

TEST(PackTokens, PacksAnyMaskPatternAndUnpackTokensRestoresItWithZeros) {
  ModelBuilder m(17);
  m.opset("com.onyx", 1);
  m.input("x", DType::kFloat32, {3, 4, 2}).input("mask", DType::kInt64, {3, 4});
  m.node("PackTokens", {"x", "mask"}, {"packed", "offsets", "cu"}, "com.onyx");
  m.node("UnpackTokens", {"packed", "offsets"}, {"y"}, "com.onyx");
  for (const char* o : {"packed", "offsets", "cu", "y"}) m.output(o, DType::kUndefined, {});
  // Row 0: a hole; row 1: left padding; row 2: no tokens.
  const Tensor mask = Tensor::from_vector<int64_t>({3, 4}, {1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0});
  const Tensor x = random_floats({3, 4, 2}, 7);
  auto s = make_session(m.bytes(), ".", false, 0);
  ASSERT_TRUE(s);
  NamedTensors out = run(*s, {{"x", x}, {"mask", mask}});
  ASSERT_EQ(out.size(), 4u);
  const Tensor& packed = out[0].second;
  ASSERT_EQ(packed.shape(), (Shape{5, 2}));
  const std::vector<int32_t> want_offsets = {0, 2, 3, 6, 7, 1, 4, 5, 8, 9, 10, 11};
  EXPECT_EQ(std::vector<int32_t>(out[1].second.data<int32_t>(), out[1].second.data<int32_t>() + 12), want_offsets);
  EXPECT_EQ(std::vector<int32_t>(out[2].second.data<int32_t>(), out[2].second.data<int32_t>() + 4),
            (std::vector<int32_t>{0, 3, 5, 5}));
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t h = 0; h < 2; ++h) EXPECT_EQ(packed.data<float>()[t * 2 + h], x.data<float>()[want_offsets[t] * 2 + h]);
  const Tensor& y = out[3].second;
  ASSERT_EQ(y.shape(), x.shape());
  for (int64_t i = 0; i < 24; ++i)
    EXPECT_EQ(y.data<float>()[i], mask.data<int64_t>()[i / 2] ? x.data<float>()[i] : 0.0f) << i;
}

// Attention(x, W, b, mask [, attention_bias]) padded, and the same through PackTokens -> PackedAttention ->
// UnpackTokens: equal at unmasked positions.
void check_packed_attention(const Tensor& mask, bool with_bias) {
  const int64_t batch = mask.dim(0), seq = mask.dim(1), hidden = 8, heads = 2;
  const Tensor w = random_floats({hidden, 3 * hidden}, 1);
  const Tensor bias = random_floats({3 * hidden}, 2);
  const Tensor rel = random_floats({1, heads, seq, seq}, 3, -2.f, 2.f);
  const Tensor x = random_floats({batch, seq, hidden}, 4);
  auto build = [&](bool packed) {
    ModelBuilder m(17);
    m.opset("com.microsoft", 1).opset("com.onyx", 1);
    m.input("x", DType::kFloat32, {batch, seq, hidden}).input("mask", DType::kInt32, {batch, seq});
    m.initializer("w", w).initializer("b", bias).initializer("rel", rel);
    if (packed) {
      m.node("PackTokens", {"x", "mask"}, {"p", "off", "cu"}, "com.onyx");
      std::vector<std::string> in = {"p", "w", "b", "off", "cu"};
      if (with_bias) in.push_back("rel");
      set_int(m.node("PackedAttention", in, {"po"}, "com.microsoft"), "num_heads", heads);
      m.node("UnpackTokens", {"po", "off"}, {"y"}, "com.onyx");
    } else {
      std::vector<std::string> in = {"x", "w", "b", "mask"};
      if (with_bias) in.insert(in.end(), {"", "rel"});
      set_int(m.node("Attention", in, {"y"}, "com.microsoft"), "num_heads", heads);
    }
    m.output("y", DType::kFloat32, {batch, seq, hidden});
    return m.bytes();
  };
  auto padded = make_session(build(false), ".", false, 0);
  auto packed = make_session(build(true), ".", false, 0);
  ASSERT_TRUE(padded && packed);
  const NamedTensors inputs = {{"x", x}, {"mask", mask}};
  EXPECT_LE(max_diff_unmasked(run(*padded, inputs), run(*packed, inputs), mask), 1e-5);
}

TEST(PackedAttention, MatchesPaddedAttentionRightPadding) {
  check_packed_attention(length_mask({5, 2, 7, 1}, 7, false, DType::kInt32), false);
}
TEST(PackedAttention, MatchesPaddedAttentionLeftPadding) {
  check_packed_attention(length_mask({5, 2, 7, 1}, 7, true, DType::kInt32), false);
}
TEST(PackedAttention, MatchesPaddedAttentionWithAttentionBiasAndHoles) {
  check_packed_attention(Tensor::from_vector<int32_t>({2, 5}, {1, 0, 1, 1, 0, 0, 1, 1, 1, 1}), true);
  check_packed_attention(length_mask({3, 5}, 5, true, DType::kInt32), true);
}

// ---- the pass on graphs built in code ----

// Ops of `op` after O2 with remove_padding on.
int ops_after_remove_padding(const std::string& bytes, const fs::path& dir, const std::string& op) {
  auto g = onnx_io::load_model_bytes(bytes, dir.string(), {false});
  EXPECT_TRUE(g.ok()) << g.status().to_string();
  if (!g.ok()) return -1;
  opt::OptimizeOptions o;
  o.remove_padding = true;
  auto r = opt::optimize(*g, o);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return count_ops(*g, op);
}

// x -> Attention(mask_a) -> Relu -> Softmax -> Attention(mask_b) -> y, and the first Attention's output as a graph
// output too.
std::string two_attentions(bool same_mask) {
  const int64_t hidden = 8, heads = 2;
  ModelBuilder m(17);
  m.opset("com.microsoft", 1);
  m.input("x", DType::kFloat32, {-1, -1, hidden}, {"batch", "seq"});
  m.input("mask", DType::kInt64, {-1, -1}, {"batch", "seq"});
  m.input("mask2", DType::kInt64, {-1, -1}, {"batch", "seq"});
  m.initializer("w", random_floats({hidden, 3 * hidden}, 11)).initializer("b", random_floats({3 * hidden}, 12));
  set_int(m.node("Cast", {"mask"}, {"m32"}), "to", onnx::TensorProto::INT32);
  set_int(m.node("Cast", {"mask2"}, {"m32b"}), "to", onnx::TensorProto::INT32);
  set_int(m.node("Attention", {"x", "w", "b", "m32"}, {"a1"}, "com.microsoft"), "num_heads", heads);
  m.node("Relu", {"a1"}, {"r"});
  m.node("Softmax", {"r"}, {"sm"});  // not in the token-wise list: read through UnpackTokens
  set_int(m.node("Attention", {"sm", "w", "b", same_mask ? "m32" : "m32b"}, {"y"}, "com.microsoft"), "num_heads",
          heads);
  m.output("y", DType::kFloat32, {-1, -1, hidden}, {"batch", "seq", ""});
  m.output("a1", DType::kFloat32, {-1, -1, hidden}, {"batch", "seq", ""});
  return m.bytes();
}

TEST(RemovePadding, ANonTokenWiseOpReadsUnpackedValuesAndTheAttentionAfterItStaysPadded) {
  const std::string bytes = two_attentions(true);
  EXPECT_EQ(ops_after_remove_padding(bytes, ".", "PackedAttention"), 1);
  EXPECT_EQ(ops_after_remove_padding(bytes, ".", "Attention"), 1);
  EXPECT_EQ(ops_after_remove_padding(bytes, ".", "UnpackTokens"), 2);  // a1 (graph output), Relu's output (Softmax)
  auto padded = make_session(bytes, ".", false);
  auto packed = make_session(bytes, ".", true);
  ASSERT_TRUE(padded && packed);
  const Tensor mask = length_mask({3, 6, 1}, 6, true);
  const NamedTensors in = {{"x", random_floats({3, 6, 8}, 13)}, {"mask", mask}, {"mask2", mask}};
  // y: the second (padded) Attention reads zeros instead of garbage at padded positions; those keys are masked.
  EXPECT_LE(max_diff_unmasked(run(*padded, in), run(*packed, in), mask, /*padding_zero=*/false), 1e-5);
}

TEST(RemovePadding, AttentionsWithDifferentMasksAreLeftUnchanged) {
  const std::string bytes = two_attentions(false);
  EXPECT_EQ(ops_after_remove_padding(bytes, ".", "PackTokens"), 0);
  EXPECT_EQ(ops_after_remove_padding(bytes, ".", "Attention"), 2);
}

// ---- the pass on the test models ----

fs::path models_root() { return fs::path(ONYX_SOURCE_DIR) / "tests/models/data"; }

nlohmann::json config(const fs::path& dir) {
  std::ifstream f(dir / "config.json");
  return nlohmann::json::parse(f);
}

// Inputs the model declares, for lengths `lengths` padded to the longest (left or right).
NamedTensors random_batch(const Session& s, const nlohmann::json& cfg, const std::vector<int64_t>& lengths, bool left,
                          unsigned seed) {
  const int64_t batch = static_cast<int64_t>(lengths.size());
  const int64_t seq = *std::max_element(lengths.begin(), lengths.end());
  const int64_t vocab = cfg.value("vocab_size", 100);
  const int64_t pad = cfg.contains("pad_token_id") && cfg["pad_token_id"].is_number() ? cfg["pad_token_id"].get<int64_t>() : 0;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> id(std::min<int64_t>(pad + 1, vocab - 1), vocab - 1);
  const Tensor mask = length_mask(lengths, seq, left);
  std::vector<int64_t> ids(batch * seq);
  for (int64_t i = 0; i < batch * seq; ++i) ids[i] = mask.data<int64_t>()[i] ? id(rng) : pad;
  NamedTensors in;
  for (const ValueInfo& v : s.inputs()) {
    if (v.name == "input_ids")
      in.emplace_back(v.name, Tensor::from_vector<int64_t>({batch, seq}, ids));
    else if (v.name == "attention_mask")
      in.emplace_back(v.name, mask);
    else if (v.name == "token_type_ids")
      in.emplace_back(v.name, Tensor::from_vector<int64_t>({batch, seq}, std::vector<int64_t>(batch * seq, 0)));
    else
      ADD_FAILURE() << "unexpected input " << v.name;
  }
  return in;
}

const std::vector<std::pair<std::vector<int64_t>, bool>>& batches() {
  static const std::vector<std::pair<std::vector<int64_t>, bool>> b = {
      {{5, 9, 3, 7}, false}, {{5, 9, 3, 7}, true}, {{2, 11, 6}, false}, {{2, 11, 6}, true},
      {{8, 8, 8}, false},    // no padding
      {{6}, false},          // batch 1
  };
  return b;
}

TEST(RemovePaddingModels, EveryFusedEncoderMatchesThePaddedComputation) {
  int checked = 0;
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(models_root()))
    if (fs::exists(d.path() / "model.onnx")) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    const std::string name = dir.filename().string();
    const std::string type = config(dir).value("model_type", "");
    if (type == "gpt2" || type == "t5") continue;
    SCOPED_TRACE(name);
    const std::string bytes = read_file(dir / "model.onnx");
    const int layers = layer_count(dir);
    ASSERT_EQ(ops_after_remove_padding(bytes, dir, "PackedAttention"), layers);
    EXPECT_EQ(ops_after_remove_padding(bytes, dir, "Attention"), 0);
    EXPECT_EQ(ops_after_remove_padding(bytes, dir, "PackTokens"), 1);
    auto padded = make_session(bytes, dir.string(), false);
    auto packed = make_session(bytes, dir.string(), true);
    ASSERT_TRUE(padded && packed);
    double worst = 0;
    unsigned seed = 1;
    for (const auto& [lengths, left] : batches()) {
      const NamedTensors in = random_batch(*padded, config(dir), lengths, left, seed++);
      const Tensor& mask = in[1].first == "attention_mask" ? in[1].second : in[0].second;
      const double d = max_diff_unmasked(run(*padded, in), run(*packed, in), mask);
      EXPECT_LE(d, 1e-5) << (left ? "left" : "right") << " padding, batch " << lengths.size();
      worst = std::max(worst, d);
    }
    std::printf("%-28s PackedAttention x%d, max |packed - padded| at unmasked positions %.2e\n", name.c_str(), layers,
                worst);
    ++checked;
  }
  EXPECT_GE(checked, 24);
}

TEST(RemovePaddingModels, DecoderAndT5AreLeftUnchanged) {
  for (const char* name : {"gpt2_opset14", "gpt2_opset17", "t5_encoder_opset17", "t5_gated_encoder_opset14"}) {
    SCOPED_TRACE(name);
    const fs::path dir = models_root() / name;
    const std::string bytes = read_file(dir / "model.onnx");
    EXPECT_EQ(ops_after_remove_padding(bytes, dir, "PackTokens"), 0);
    EXPECT_EQ(ops_after_remove_padding(bytes, dir, "PackedAttention"), 0);
    EXPECT_EQ(ops_after_remove_padding(bytes, dir, "UnpackTokens"), 0);
  }
}

}  // namespace
}  // namespace onyx::test
