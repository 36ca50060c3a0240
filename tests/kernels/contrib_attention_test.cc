// Attention and MultiHeadAttention (com.microsoft) against a double-precision reference written from the ORT
// definitions: Q K^T * scale + attention_bias + additive mask (mask_filter where padded; future keys excluded when
// causal), row softmax, times V. Covers every mask form, past / present, unidirectional with past, S = 1,
// attention_bias broadcast over batch or heads, fully masked rows, odd sizes, and the inputs that return
// NotImplemented. The core (run_attention) is also run directly with each ISA's kernel table (AVX-512 and the
// reference loops) on odd sizes, padding at either end and causal; the packed (constant weights) projection is
// checked against the unpacked one, and bf16 against fp32.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/ep/cpu/kernels/contrib/attention_core.h"
#include "src/ep/cpu/registry.h"
#include "tests/kernels/contrib_test_util.h"
#include "tests/kernels/math_test_util.h"

namespace onyx::test {
namespace {

using contrib::ms_node;
using contrib::run_ms;

// Reference attention. q(b, n, s, d), k(b, n, t, d), v(b, n, t, d) over the total length T; pad(b, s, t) says
// whether key t is padding for query s; bias(b, n, s, t) (0 when none). Output [B, S, N * dv].
struct RefProblem {
  int64_t batch, heads, q_len, t_len, past_len, dqk, dv;
  double scale, filter = -10000.0;
  bool causal = false;
  std::function<double(int64_t, int64_t, int64_t, int64_t)> q, k, v, bias;
  std::function<bool(int64_t, int64_t, int64_t)> pad;
};

RefProblem ref_problem(int64_t batch, int64_t heads, int64_t q_len, int64_t t_len, int64_t past, int64_t dqk,
                       int64_t dv) {
  RefProblem p;
  p.batch = batch;
  p.heads = heads;
  p.q_len = q_len;
  p.t_len = t_len;
  p.past_len = past;
  p.dqk = dqk;
  p.dv = dv;
  p.scale = 1.0 / std::sqrt(static_cast<double>(dqk));
  return p;
}

Tensor attention_ref(const RefProblem& p) {
  Tensor out = Tensor::empty(DType::kFloat32, {p.batch, p.q_len, p.heads * p.dv});
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t n = 0; n < p.heads; ++n)
      for (int64_t s = 0; s < p.q_len; ++s) {
        std::vector<double> sc(p.t_len);
        double mx = -INFINITY;
        for (int64_t t = 0; t < p.t_len; ++t) {
          double dot = 0;
          for (int64_t d = 0; d < p.dqk; ++d) dot += p.q(b, n, s, d) * p.k(b, n, t, d);
          sc[t] = dot * p.scale + (p.bias ? p.bias(b, n, s, t) : 0.0);
          if (p.pad && p.pad(b, s, t)) sc[t] += p.filter;
          if (p.causal && t > p.past_len + s) sc[t] = -INFINITY;  // ORT excludes future keys outright
          mx = std::max(mx, sc[t]);
        }
        double sum = 0;
        for (double& x : sc) sum += (x = std::exp(x - mx));
        for (int64_t d = 0; d < p.dv; ++d) {
          double acc = 0;
          for (int64_t t = 0; t < p.t_len; ++t) acc += sc[t] / sum * p.v(b, n, t, d);
          out.data<float>()[(b * p.q_len + s) * p.heads * p.dv + n * p.dv + d] = static_cast<float>(acc);
        }
      }
  return out;
}

const float* f(const Tensor& t) { return t.data<float>(); }

// Max |out - ref| over the rows (b, s) that have an unmasked key, and over the fully masked rows (every key padded).
// Fully masked rows keep the softmax of their scores all shifted by mask_filter (-10000), where float32's ulp is
// ~1e-3: the float kernel is only ~1e-3 close to the exact value there (ORT rounds the same way, which
// compare_ort.js checks to 1e-5), so they get their own tolerance.
std::pair<double, double> row_diffs(const Tensor& out, const Tensor& ref, const RefProblem& p) {
  double open = 0, closed = 0;
  const int64_t w = p.heads * p.dv;
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t s = 0; s < p.q_len; ++s) {
      bool all = p.pad != nullptr;  // every visible key padded
      for (int64_t t = 0; all && t < p.t_len; ++t) all = p.pad(b, s, t) || (p.causal && t > p.past_len + s);
      double& m = all ? closed : open;
      for (int64_t i = 0; i < w; ++i) {
        const int64_t at = (b * p.q_len + s) * w + i;
        m = std::max(m, double(std::fabs(out.data<float>()[at] - ref.data<float>()[at])));
      }
    }
  return {open, closed};
}

struct AttnCase {
  const char* name;
  int64_t batch, seq, heads, head, past;
  int mask_rank;  // 0 none, 1 end, 2 = [2B] end+start (rank 1), 3 raw 2-D, 4 raw 3-D, 5 raw 4-D
  bool causal;
  int bias_kind;  // 0 none, 1 [1,N,S,T], 2 [B,1,S,T]
  bool qkv_bias;
};

// The mask tensor of a case, and its meaning as pad(b, s, t).
struct MaskCase {
  Tensor tensor;
  std::function<bool(int64_t, int64_t, int64_t)> pad;
};

MaskCase make_mask(int kind, int64_t batch, int64_t seq, int64_t t_len, int64_t past, unsigned seed) {
  MaskCase m;
  std::vector<int32_t> v;
  if (kind == 1 || kind == 2) {
    for (int64_t b = 0; b < batch; ++b) v.push_back(static_cast<int32_t>(t_len - (b % 3)));  // different lengths
    if (kind == 2)
      for (int64_t b = 0; b < batch; ++b) v.push_back(static_cast<int32_t>(b % 2));
    m.tensor = Tensor::from_vector<int32_t>({static_cast<int64_t>(v.size())}, v);
    m.pad = [v, batch, kind](int64_t b, int64_t, int64_t t) { return t >= v[b] || (kind == 2 && t < v[batch + b]); };
  } else if (kind == 3 || kind == 4) {
    const int64_t rows = kind == 3 ? batch : batch * seq;
    std::mt19937 rng(seed);
    for (int64_t i = 0; i < rows * t_len; ++i) v.push_back(rng() % 3 != 0);
    for (int64_t t = 0; t < t_len; ++t) v[(rows - 1) * t_len + t] = 0;  // last row fully masked
    m.tensor = kind == 3 ? Tensor::from_vector<int32_t>({batch, t_len}, v)
                         : Tensor::from_vector<int32_t>({batch, seq, t_len}, v);
    m.pad = [v, kind, seq, t_len](int64_t b, int64_t s, int64_t t) {
      return v[(kind == 3 ? b : b * seq + s) * t_len + t] == 0;
    };
  } else if (kind == 5) {
    const int64_t mx = t_len + 2;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t i = 0; i < mx; ++i)
        for (int64_t j = 0; j < mx; ++j) v.push_back(j <= i && j != b);  // lower triangle, one hole per batch
    m.tensor = Tensor::from_vector<int32_t>({batch, 1, mx, mx}, v);
    m.pad = [v, mx, past](int64_t b, int64_t s, int64_t t) { return v[(b * mx + past + s) * mx + t] == 0; };
  }
  return m;
}

TEST(ContribAttention, MatchesReference) {
  const AttnCase cases[] = {
      {"no_mask", 2, 5, 3, 8, 0, 0, false, 0, true},           {"no_qkv_bias", 2, 4, 2, 4, 0, 0, false, 0, false},
      {"mask_end_lengths", 3, 6, 2, 5, 0, 1, false, 0, true},  {"mask_end_start", 3, 6, 2, 5, 0, 2, false, 0, true},
      {"mask_raw_2d", 2, 5, 3, 4, 0, 3, false, 0, true},       {"mask_raw_3d", 2, 5, 3, 4, 0, 4, false, 0, true},
      {"mask_4d_with_past", 2, 3, 2, 4, 2, 5, false, 0, true}, {"causal", 2, 7, 2, 3, 0, 0, true, 0, true},
      {"causal_past_mask", 2, 4, 3, 4, 3, 3, true, 0, true},   {"s1_past", 3, 1, 2, 6, 5, 1, true, 0, true},
      {"past_zero", 2, 3, 2, 4, 0, 0, false, 0, true},         {"bias_over_batch", 2, 5, 3, 4, 0, 1, false, 1, true},
      {"bias_over_heads", 2, 5, 3, 4, 2, 3, true, 2, true},    {"odd_sizes", 3, 7, 5, 3, 0, 1, false, 0, true},
  };
  for (const AttnCase& c : cases) {
    SCOPED_TRACE(c.name);
    const int64_t hid = c.heads * c.head, t_len = c.past + c.seq, bs = c.batch * c.seq;
    const Tensor x = random_tensor(DType::kFloat32, {c.batch, c.seq, hid}, 1);
    const Tensor w = random_tensor(DType::kFloat32, {hid, 3 * hid}, 2, -0.5, 0.5);
    const Tensor qkv_bias = c.qkv_bias ? random_tensor(DType::kFloat32, {3 * hid}, 3) : Tensor();
    const bool with_past = c.past > 0 || std::string(c.name) == "past_zero";
    const Tensor past = with_past ? random_tensor(DType::kFloat32, {2, c.batch, c.heads, c.past, c.head}, 4) : Tensor();
    const MaskCase mask = make_mask(c.mask_rank, c.batch, c.seq, t_len, c.past, 5);
    Tensor bias;
    if (c.bias_kind == 1) bias = random_tensor(DType::kFloat32, {1, c.heads, c.seq, t_len}, 6, -2, 2);
    if (c.bias_kind == 2) bias = random_tensor(DType::kFloat32, {c.batch, 1, c.seq, t_len}, 6, -2, 2);
    ir::Node node = ms_node("Attention", 6, 2);
    math::set_int(node, "num_heads", c.heads);
    if (c.causal) math::set_int(node, "unidirectional", 1);
    auto out = run_ms(node, {x, w, qkv_bias, mask.tensor, past, bias}, 2);
    ASSERT_TRUE(out.ok()) << out.status().message();

    // QKV in double: row r, column j
    std::vector<double> qkv(bs * 3 * hid);
    for (int64_t r = 0; r < bs; ++r)
      for (int64_t j = 0; j < 3 * hid; ++j) {
        double acc = c.qkv_bias ? f(qkv_bias)[j] : 0.0;
        for (int64_t i = 0; i < hid; ++i) acc += double(f(x)[r * hid + i]) * f(w)[i * 3 * hid + j];
        qkv[r * 3 * hid + j] = acc;
      }
    // key (which 0) or value (1) at total position t: past rows first, then the projected new rows
    auto kv_at = [&](int which, int64_t b, int64_t n, int64_t t, int64_t d) {
      if (t < c.past) return double(f(past)[((((which * c.batch + b) * c.heads + n) * c.past) + t) * c.head + d]);
      return qkv[(b * c.seq + t - c.past) * 3 * hid + (which + 1) * hid + n * c.head + d];
    };
    RefProblem p = ref_problem(c.batch, c.heads, c.seq, t_len, c.past, c.head, c.head);
    p.causal = c.causal;
    p.q = [&](int64_t b, int64_t n, int64_t s, int64_t d) { return qkv[(b * c.seq + s) * 3 * hid + n * c.head + d]; };
    p.k = [&](int64_t b, int64_t n, int64_t t, int64_t d) { return kv_at(0, b, n, t, d); };
    p.v = [&](int64_t b, int64_t n, int64_t t, int64_t d) { return kv_at(1, b, n, t, d); };
    p.pad = mask.pad;
    if (bias.defined())
      p.bias = [&](int64_t b, int64_t n, int64_t s, int64_t t) {
        const int64_t bb = bias.dim(0) == 1 ? 0 : b, nn = bias.dim(1) == 1 ? 0 : n;
        return double(f(bias)[((bb * bias.dim(1) + nn) * c.seq + s) * t_len + t]);
      };
    ASSERT_EQ((*out)[0].shape(), Shape({c.batch, c.seq, hid}));
    const auto [open, closed] = row_diffs((*out)[0], attention_ref(p), p);
    EXPECT_LE(open, 1e-5);
    EXPECT_LE(closed, 2e-3);
    if (with_past) {
      Tensor present = Tensor::empty(DType::kFloat32, {2, c.batch, c.heads, t_len, c.head});
      for (int which = 0; which < 2; ++which)
        for (int64_t b = 0; b < c.batch; ++b)
          for (int64_t n = 0; n < c.heads; ++n)
            for (int64_t t = 0; t < t_len; ++t)
              for (int64_t d = 0; d < c.head; ++d)
                present.data<float>()[(((which * c.batch + b) * c.heads + n) * t_len + t) * c.head + d] =
                    static_cast<float>(which == 0 ? p.k(b, n, t, d) : p.v(b, n, t, d));
      EXPECT_LE(max_abs_diff((*out)[1], present), 1e-5);
    }
  }
}

TEST(ContribAttention, FullyMaskedRowIsSoftmaxOfUnmaskedScores) {
  // ORT adds mask_filter to every score of a fully masked row, so the row keeps the plain softmax: batch 1 (all 0)
  // must equal the same batch run without a mask, up to the float rounding at |score| ~ 1e4.
  const Tensor x = random_tensor(DType::kFloat32, {2, 4, 8}, 7);
  const Tensor w = random_tensor(DType::kFloat32, {8, 24}, 8, -0.5, 0.5);
  const Tensor mask = Tensor::from_vector<int32_t>({2, 4}, {1, 1, 0, 0, 0, 0, 0, 0});
  ir::Node node = ms_node("Attention", 4);
  math::set_int(node, "num_heads", 2);
  auto masked = run_ms(node, {x, w, Tensor(), mask});
  auto plain = run_ms(node, {x, w, Tensor(), Tensor()});
  ASSERT_TRUE(masked.ok() && plain.ok());
  double diff = 0;
  for (int64_t i = 32; i < 64; ++i) diff = std::max(diff, double(std::fabs(f((*masked)[0])[i] - f((*plain)[0])[i])));
  EXPECT_LE(diff, 2e-3);
  double diff0 = 0;  // batch 0 is really masked: differs from the plain run
  for (int64_t i = 0; i < 32; ++i) diff0 = std::max(diff0, double(std::fabs(f((*masked)[0])[i] - f((*plain)[0])[i])));
  EXPECT_GT(diff0, 1e-3);
}

TEST(ContribAttention, UnsupportedInputsSayNotImplemented) {
  const Tensor x = random_tensor(DType::kFloat32, {1, 2, 4}, 9);
  const Tensor w = random_tensor(DType::kFloat32, {4, 12}, 10);
  ir::Node rotary = ms_node("Attention", 2);
  math::set_int(rotary, "num_heads", 2);
  math::set_int(rotary, "do_rotary", 1);
  auto r = run_ms(rotary, {x, w});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented);
  ir::Node n = ms_node("Attention", 4);
  math::set_int(n, "num_heads", 2);
  auto m = run_ms(n, {x, w, Tensor(), Tensor::from_vector<int32_t>({4}, {2, 2, 2, 2})});  // [3B+2] = 5 != 4: bad
  EXPECT_FALSE(m.ok());
  auto m5 = run_ms(n, {x, w, Tensor(), Tensor::from_vector<int32_t>({5}, {2, 0, 2, 0, 0})});
  ASSERT_FALSE(m5.ok());
  EXPECT_EQ(m5.status().code(), StatusCode::kNotImplemented);
  ir::Node no_heads = ms_node("Attention", 2);
  EXPECT_FALSE(run_ms(no_heads, {x, w}).ok());
}

struct MhaCase {
  const char* name;
  int64_t batch, seq, kv, heads, head, vhead, past;
  int mask_kind;  // 0 none, 1 [B] end, 3 raw [B, T]
  bool causal, bias, bnsh;
  int attn_bias;  // 0 none, 1 [1,N,S,T], 2 [B,1,S,T]
};

TEST(ContribMultiHeadAttention, MatchesReference) {
  const MhaCase cases[] = {
      {"cross", 2, 5, 7, 4, 6, 4, 0, 0, false, false, false, 0},
      {"cross_bias_raw_mask", 2, 5, 7, 4, 6, 4, 0, 3, false, true, false, 0},
      {"end_mask", 3, 4, 6, 2, 5, 5, 0, 1, false, false, false, 0},
      {"self_causal", 2, 6, 6, 3, 4, 4, 0, 0, true, true, false, 0},
      {"past_causal_present", 2, 4, 4, 2, 4, 4, 3, 3, true, true, false, 0},
      {"s1_past", 3, 1, 1, 2, 8, 8, 6, 1, true, false, false, 0},
      {"past_zero", 2, 3, 3, 2, 4, 4, 0, 0, false, false, false, 0},
      {"attn_bias_batch_bcast", 2, 5, 7, 4, 6, 4, 0, 0, false, false, false, 1},
      {"attn_bias_heads_bcast", 2, 5, 7, 4, 6, 4, 0, 3, false, true, false, 2},
      {"bnsh_kv", 2, 5, 7, 4, 6, 6, 0, 1, false, false, true, 0},
      {"odd", 1, 3, 5, 3, 3, 1, 0, 0, false, true, false, 0},
  };
  for (const MhaCase& c : cases) {
    SCOPED_TRACE(c.name);
    const int64_t d = c.heads * c.head, dv = c.heads * c.vhead, t_len = c.past + c.kv;
    const Tensor q = random_tensor(DType::kFloat32, {c.batch, c.seq, d}, 11);
    const Tensor k = c.bnsh ? random_tensor(DType::kFloat32, {c.batch, c.heads, c.kv, c.head}, 12)
                            : random_tensor(DType::kFloat32, {c.batch, c.kv, d}, 12);
    const Tensor v = c.bnsh ? random_tensor(DType::kFloat32, {c.batch, c.heads, c.kv, c.vhead}, 13)
                            : random_tensor(DType::kFloat32, {c.batch, c.kv, dv}, 13);
    const Tensor bias = c.bias ? random_tensor(DType::kFloat32, {2 * d + dv}, 14) : Tensor();
    const bool with_past = c.past > 0 || std::string(c.name) == "past_zero";
    const Tensor pk = with_past ? random_tensor(DType::kFloat32, {c.batch, c.heads, c.past, c.head}, 15) : Tensor();
    const Tensor pv = with_past ? random_tensor(DType::kFloat32, {c.batch, c.heads, c.past, c.vhead}, 16) : Tensor();
    const MaskCase mask = make_mask(c.mask_kind, c.batch, c.seq, t_len, c.past, 17);
    Tensor ab;
    if (c.attn_bias == 1) ab = random_tensor(DType::kFloat32, {1, c.heads, c.seq, t_len}, 18, -2, 2);
    if (c.attn_bias == 2) ab = random_tensor(DType::kFloat32, {c.batch, 1, c.seq, t_len}, 18, -2, 2);
    ir::Node node = ms_node("MultiHeadAttention", 8, 3);
    math::set_int(node, "num_heads", c.heads);
    if (c.causal) math::set_int(node, "unidirectional", 1);
    auto out = run_ms(node, {q, k, v, bias, mask.tensor, ab, pk, pv}, 3);
    ASSERT_TRUE(out.ok()) << out.status().message();
    auto bval = [&](int64_t i) { return c.bias ? double(f(bias)[i]) : 0.0; };
    RefProblem p = ref_problem(c.batch, c.heads, c.seq, t_len, c.past, c.head, c.vhead);
    p.causal = c.causal;
    p.q = [&](int64_t b, int64_t n, int64_t s, int64_t e) {
      return f(q)[(b * c.seq + s) * d + n * c.head + e] + bval(n * c.head + e);
    };
    p.k = [&](int64_t b, int64_t n, int64_t t, int64_t e) {
      if (t < c.past) return double(f(pk)[((b * c.heads + n) * c.past + t) * c.head + e]);
      t -= c.past;
      if (c.bnsh) return double(f(k)[((b * c.heads + n) * c.kv + t) * c.head + e]);
      return f(k)[(b * c.kv + t) * d + n * c.head + e] + bval(d + n * c.head + e);
    };
    p.v = [&](int64_t b, int64_t n, int64_t t, int64_t e) {
      if (t < c.past) return double(f(pv)[((b * c.heads + n) * c.past + t) * c.vhead + e]);
      t -= c.past;
      if (c.bnsh) return double(f(v)[((b * c.heads + n) * c.kv + t) * c.vhead + e]);
      return f(v)[(b * c.kv + t) * dv + n * c.vhead + e] + bval(2 * d + n * c.vhead + e);
    };
    p.pad = mask.pad;
    if (ab.defined())
      p.bias = [&](int64_t b, int64_t n, int64_t s, int64_t t) {
        const int64_t bb = ab.dim(0) == 1 ? 0 : b, nn = ab.dim(1) == 1 ? 0 : n;
        return double(f(ab)[((bb * ab.dim(1) + nn) * c.seq + s) * t_len + t]);
      };
    ASSERT_EQ((*out)[0].shape(), Shape({c.batch, c.seq, dv}));
    const auto [open, closed] = row_diffs((*out)[0], attention_ref(p), p);
    EXPECT_LE(open, 1e-5);
    EXPECT_LE(closed, 2e-3);
    if (with_past) {
      Tensor want_k = Tensor::empty(DType::kFloat32, {c.batch, c.heads, t_len, c.head});
      Tensor want_v = Tensor::empty(DType::kFloat32, {c.batch, c.heads, t_len, c.vhead});
      for (int64_t b = 0; b < c.batch; ++b)
        for (int64_t n = 0; n < c.heads; ++n)
          for (int64_t t = 0; t < t_len; ++t) {
            for (int64_t e = 0; e < c.head; ++e)
              want_k.data<float>()[((b * c.heads + n) * t_len + t) * c.head + e] = static_cast<float>(p.k(b, n, t, e));
            for (int64_t e = 0; e < c.vhead; ++e)
              want_v.data<float>()[((b * c.heads + n) * t_len + t) * c.vhead + e] = static_cast<float>(p.v(b, n, t, e));
          }
      EXPECT_LE(max_abs_diff((*out)[1], want_k), 1e-6);
      EXPECT_LE(max_abs_diff((*out)[2], want_v), 1e-6);
    }
  }
}

TEST(ContribMultiHeadAttention, CausalExcludesFutureKeysWhateverTheFilter) {
  // ORT 1.30 drops future keys outright; only padding gets mask_filter_value added (here a small -1).
  const int64_t b = 2, s = 4, n = 2, h = 3, d = n * h;
  const Tensor q = random_tensor(DType::kFloat32, {b, s, d}, 31, -2, 2);
  const Tensor k = random_tensor(DType::kFloat32, {b, s, d}, 32, -2, 2);
  const Tensor v = random_tensor(DType::kFloat32, {b, s, d}, 33);
  const std::vector<int32_t> kpm = {1, 1, 0, 1, 0, 1, 1, 1};
  ir::Node node = ms_node("MultiHeadAttention", 5);
  math::set_int(node, "num_heads", n);
  math::set_int(node, "unidirectional", 1);
  math::set_float(node, "mask_filter_value", -1.0f);
  auto out = run_ms(node, {q, k, v, Tensor(), Tensor::from_vector<int32_t>({b, s}, kpm)});
  ASSERT_TRUE(out.ok()) << out.status().message();
  RefProblem p = ref_problem(b, n, s, s, 0, h, h);
  p.filter = -1.0;
  p.causal = true;
  p.q = [&](int64_t bb, int64_t nn, int64_t ss, int64_t e) { return double(f(q)[(bb * s + ss) * d + nn * h + e]); };
  p.k = [&](int64_t bb, int64_t nn, int64_t t, int64_t e) { return double(f(k)[(bb * s + t) * d + nn * h + e]); };
  p.v = [&](int64_t bb, int64_t nn, int64_t t, int64_t e) { return double(f(v)[(bb * s + t) * d + nn * h + e]); };
  p.pad = [&](int64_t bb, int64_t, int64_t t) { return kpm[bb * s + t] == 0; };
  EXPECT_LE(max_abs_diff((*out)[0], attention_ref(p)), 1e-5);
}

TEST(ContribMultiHeadAttention, PackedInputsSayNotImplemented) {
  ir::Node node = ms_node("MultiHeadAttention", 3);
  math::set_int(node, "num_heads", 2);
  const Tensor packed = random_tensor(DType::kFloat32, {1, 3, 2, 3, 4}, 19);
  auto r = run_ms(node, {packed, Tensor(), Tensor()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotImplemented);
  const Tensor q = random_tensor(DType::kFloat32, {1, 3, 8}, 20);
  const Tensor kv = random_tensor(DType::kFloat32, {1, 3, 2, 2, 4}, 21);
  auto r2 = run_ms(node, {q, kv, Tensor()});
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.status().code(), StatusCode::kNotImplemented);
  const Tensor k = random_tensor(DType::kFloat32, {1, 4, 8}, 22);
  const Tensor bad_v = random_tensor(DType::kFloat32, {1, 5, 8}, 23);
  EXPECT_FALSE(run_ms(node, {q, k, bad_v}).ok());  // key / value lengths differ
  ir::Node masked = ms_node("MultiHeadAttention", 5);
  math::set_int(masked, "num_heads", 2);
  const Tensor v = random_tensor(DType::kFloat32, {1, 4, 8}, 24);
  EXPECT_TRUE(run_ms(masked, {q, k, v, Tensor(), Tensor::from_vector<int32_t>({1}, {3})}).ok());
  EXPECT_FALSE(run_ms(masked, {q, k, v, Tensor(), Tensor::from_vector<int32_t>({2}, {3, 1})}).ok());  // [2B]: as ORT
}

// Every attention core kernel table this CPU can run: the reference loops always, AVX-512 when present.
std::vector<const cpu::contrib::AttentionCoreKernels*> core_tables() {
  std::vector<const cpu::contrib::AttentionCoreKernels*> t = {&cpu::contrib::attention_core_kernels_reference()};
  if (const auto* avx512 = cpu::contrib::attention_core_kernels_avx512()) t.push_back(avx512);
  return t;
}

struct CoreCase {
  const char* name;
  int64_t batch, seq, heads, head;
  int mask;  // 0 none, 1 raw [B, T] padding at the end, 2 raw [B, T] padding at the start, 3 [B] end lengths
  bool causal, attn_bias;
};

TEST(ContribAttentionCore, KernelTablesMatchReference) {
  const CoreCase cases[] = {
      {"s1", 2, 1, 3, 8, 0, false, false},
      {"s7_pad_end", 2, 7, 3, 64, 1, false, false},
      {"s65_pad_start", 2, 65, 1, 80, 2, false, false},
      {"s130_12_heads", 1, 130, 12, 64, 0, false, false},
      {"s130_causal_pad_end", 2, 130, 3, 8, 1, true, false},
      {"s65_causal", 1, 65, 12, 80, 0, true, true},
      {"s7_end_lengths_bias", 3, 7, 12, 8, 3, false, true},
      {"s35_distilbert_head", 2, 35, 12, 64, 1, false, false},
  };
  for (const CoreCase& c : cases) {
    SCOPED_TRACE(c.name);
    const int64_t hid = c.heads * c.head, dt = 3 * hid;
    // Q, K, V interleaved per token as the Attention kernel's projection lays them out: [B, S, 3 * hid]
    const Tensor qkv = random_tensor(DType::kFloat32, {c.batch, c.seq, dt}, 41, -2, 2);
    std::vector<int32_t> mv;
    for (int64_t b = 0; b < c.batch; ++b) {
      const int64_t pad = (b * 5 + 3) % std::max<int64_t>(1, c.seq);  // batch 0 unpadded when seq == 1
      if (c.mask == 3) mv.push_back(static_cast<int32_t>(c.seq - pad));
      for (int64_t t = 0; c.mask != 3 && t < c.seq; ++t) mv.push_back(c.mask == 1 ? t < c.seq - pad : t >= pad);
    }
    const Tensor attn_bias = c.attn_bias ? random_tensor(DType::kFloat32, {1, c.heads, c.seq, c.seq}, 42) : Tensor();
    RefProblem p = ref_problem(c.batch, c.heads, c.seq, c.seq, 0, c.head, c.head);
    p.causal = c.causal;
    auto at = [&](int which, int64_t b, int64_t n, int64_t s, int64_t d) {
      return double(f(qkv)[(b * c.seq + s) * dt + which * hid + n * c.head + d]);
    };
    p.q = [&](int64_t b, int64_t n, int64_t s, int64_t d) { return at(0, b, n, s, d); };
    p.k = [&](int64_t b, int64_t n, int64_t t, int64_t d) { return at(1, b, n, t, d); };
    p.v = [&](int64_t b, int64_t n, int64_t t, int64_t d) { return at(2, b, n, t, d); };
    if (c.mask == 1 || c.mask == 2) p.pad = [&](int64_t b, int64_t, int64_t t) { return mv[b * c.seq + t] == 0; };
    if (c.mask == 3) p.pad = [&](int64_t b, int64_t, int64_t t) { return t >= mv[b]; };
    if (c.attn_bias)
      p.bias = [&](int64_t, int64_t n, int64_t s, int64_t t) {
        return double(f(attn_bias)[(n * c.seq + s) * c.seq + t]);
      };
    const Tensor want = attention_ref(p);
    for (const auto* kernels : core_tables()) {
      SCOPED_TRACE(kernels->name);
      auto a =
          cpu::contrib::attention_args(c.batch, c.heads, c.seq, c.seq, 0, c.head, c.head, 0.0f, -10000.0f, c.causal);
      a.q = {f(qkv), c.seq * dt, c.head, dt};
      a.k = {f(qkv) + hid, c.seq * dt, c.head, dt};
      a.v = {f(qkv) + 2 * hid, c.seq * dt, c.head, dt};
      if (c.mask) {
        a.mask.kind = c.mask == 3 ? cpu::contrib::MaskKind::kEnd : cpu::contrib::MaskKind::kRaw2D;
        a.mask.data = mv.data();
      }
      if (c.attn_bias) {
        a.bias = f(attn_bias);
        a.bias_n_stride = c.seq * c.seq;
      }
      Tensor out = Tensor::empty(DType::kFloat32, {c.batch, c.seq, hid});
      a.out = out.data<float>();
      a.kernels = kernels;
      std::vector<float> scratch(cpu::contrib::attention_scratch_floats(a));
      ASSERT_TRUE(cpu::contrib::run_attention(a, scratch.data()).ok());
      const auto [open, closed] = row_diffs(out, want, p);
      EXPECT_LE(open, 1e-5);
      EXPECT_LE(closed, 2e-3);
    }
  }
}

// Regression (pass_causal_attention_test failed once the core skipped future keys): GPT-2's mask_filter is the lowest
// float, so a left-padded row whose causal window is all padding has every score, future keys included, equal to the
// lowest float; ORT's softmax is then uniform over all T keys, not over the visible ones.
TEST(ContribAttentionCore, CausalWindowOfPaddingWithLowestFilterAveragesAllKeys) {
  const int64_t batch = 2, seq = 11, heads = 2, head = 8, hid = heads * head, dt = 3 * hid;
  const Tensor qkv = random_tensor(DType::kFloat32, {batch, seq, dt}, 61, -2, 2);
  std::vector<int32_t> mv(batch * seq, 1);
  for (int64_t t = 0; t < 4; ++t) mv[seq + t] = 0;  // batch 1 left-padded: queries 0..3 see only padding
  const float lowest = std::numeric_limits<float>::lowest();
  RefProblem p = ref_problem(batch, heads, seq, seq, 0, head, head);
  p.causal = true;
  p.filter = lowest;
  auto at = [&](int which, int64_t b, int64_t n, int64_t s, int64_t d) {
    return double(f(qkv)[(b * seq + s) * dt + which * hid + n * head + d]);
  };
  p.q = [&](int64_t b, int64_t n, int64_t s, int64_t d) { return at(0, b, n, s, d); };
  p.k = [&](int64_t b, int64_t n, int64_t t, int64_t d) { return at(1, b, n, t, d); };
  p.v = [&](int64_t b, int64_t n, int64_t t, int64_t d) { return at(2, b, n, t, d); };
  p.pad = [&](int64_t b, int64_t, int64_t t) { return mv[b * seq + t] == 0; };
  const Tensor want = attention_ref(p);  // right for every row with a visible unpadded key
  for (const auto* kernels : core_tables()) {
    SCOPED_TRACE(kernels->name);
    auto a = cpu::contrib::attention_args(batch, heads, seq, seq, 0, head, head, 0.0f, lowest, true);
    a.q = {f(qkv), seq * dt, head, dt};
    a.k = {f(qkv) + hid, seq * dt, head, dt};
    a.v = {f(qkv) + 2 * hid, seq * dt, head, dt};
    a.mask = {cpu::contrib::MaskKind::kRaw2D, mv.data(), 0};
    Tensor out = Tensor::empty(DType::kFloat32, {batch, seq, hid});
    a.out = out.data<float>();
    a.kernels = kernels;
    std::vector<float> scratch(cpu::contrib::attention_scratch_floats(a));
    ASSERT_TRUE(cpu::contrib::run_attention(a, scratch.data()).ok());
    EXPECT_LE(row_diffs(out, want, p).first, 1e-5);
    double closed = 0;  // rows 0..3 of batch 1: the mean of V over all 11 keys
    for (int64_t s = 0; s < 4; ++s)
      for (int64_t n = 0; n < heads; ++n)
        for (int64_t d = 0; d < head; ++d) {
          double mean = 0;
          for (int64_t t = 0; t < seq; ++t) mean += at(2, 1, n, t, d) / seq;
          closed = std::max(closed, std::fabs(f(out)[((seq + s) * heads + n) * head + d] - mean));
        }
    EXPECT_LE(closed, 1e-5);
  }
}

// Creates the node's kernel with inputs `constant` as initializers (and bf16_weights), runs it with nullptr for the
// inputs the kernel packed, and reports which those were.
Result<std::vector<Tensor>> run_with_constants(const ir::Node& node, const std::vector<Tensor>& inputs,
                                               const std::vector<size_t>& constant, bool bf16,
                                               std::vector<size_t>* packed) {
  class Heap final : public cpu::OutputAllocator {
   public:
    Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
  };
  std::unordered_map<std::string, Tensor> inits;
  for (size_t i : constant) inits[node.inputs[i]] = inputs[i];
  const cpu::KernelDef* def = cpu::find_cpu_kernel(node.op_type, node.domain, 1);
  if (!def) return not_implemented("no CPU kernel for " + node.op_type);
  cpu::KernelInfo info{node, 1, &inits, bf16};
  ONYX_ASSIGN_OR_RETURN(auto kernel, def->create(info));
  std::vector<const Tensor*> in;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const bool skip = kernel->packed_constant_input(i);
    if (skip) packed->push_back(i);
    in.push_back(skip || !inputs[i].defined() ? nullptr : &inputs[i]);
  }
  std::vector<Tensor> out(1);
  Heap alloc;
  cpu::KernelContext ctx(node, in, out, alloc);
  ONYX_RETURN_IF_ERROR(kernel->compute(ctx));
  return out;
}

TEST(ContribAttention, PackedWeightsMatchUnpacked) {
  // heads 3 x head size 80 (Din 240), padding at the end of batch 1
  const int64_t batch = 2, seq = 9, heads = 3, hid = 240;
  const Tensor x = random_tensor(DType::kFloat32, {batch, seq, hid}, 51);
  const Tensor w = random_tensor(DType::kFloat32, {hid, 3 * hid}, 52, -0.2, 0.2);
  const Tensor qkv_bias = random_tensor(DType::kFloat32, {3 * hid}, 53);
  std::vector<int32_t> mv(batch * seq, 1);
  for (int64_t t = 6; t < seq; ++t) mv[seq + t] = 0;
  const Tensor mask = Tensor::from_vector<int32_t>({batch, seq}, mv);
  ir::Node node = ms_node("Attention", 4);
  math::set_int(node, "num_heads", heads);
  const std::vector<Tensor> inputs = {x, w, qkv_bias, mask};
  auto plain = run_ms(node, inputs);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  {
    SCOPED_TRACE("weights and bias constant: both packed");
    std::vector<size_t> packed;
    auto out = run_with_constants(node, inputs, {1, 2}, false, &packed);
    ASSERT_TRUE(out.ok()) << out.status().message();
    EXPECT_EQ(packed, (std::vector<size_t>{1, 2}));
    EXPECT_LE(max_abs_diff((*out)[0], (*plain)[0]), 1e-5);
  }
  {
    SCOPED_TRACE("weights constant, bias not: bias added after the packed GEMM");
    std::vector<size_t> packed;
    auto out = run_with_constants(node, inputs, {1}, false, &packed);
    ASSERT_TRUE(out.ok()) << out.status().message();
    EXPECT_EQ(packed, (std::vector<size_t>{1}));
    EXPECT_LE(max_abs_diff((*out)[0], (*plain)[0]), 1e-5);
  }
  if (!cpu_features().avx512bf16) GTEST_SKIP() << "bf16 projection needs AVX512-BF16";
  {
    // bf16 rounds x and W to 8 significant bits (relative error 2^-9): the projection of 240 terms of |x w| <= 0.2
    // is off by ~1e-2 at most, which the softmax-weighted average keeps; 3e-2 bounds it with margin, and a kernel
    // ignoring bf16_weights (or mis-packing) would be off by O(1)
    SCOPED_TRACE("bf16 packed weights");
    std::vector<size_t> packed;
    auto out = run_with_constants(node, inputs, {1, 2}, true, &packed);
    ASSERT_TRUE(out.ok()) << out.status().message();
    const double diff = max_abs_diff((*out)[0], (*plain)[0]);
    EXPECT_LE(diff, 3e-2);
    EXPECT_GT(diff, 0.0);  // really rounded to bf16
  }
}

}  // namespace
}  // namespace onyx::test
