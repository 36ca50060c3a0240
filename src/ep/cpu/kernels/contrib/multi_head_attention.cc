// MultiHeadAttention (com.microsoft): attention over already projected Q, K, V.
//   Q = query + bias[0:D], K = key + bias[D:2D], V = value + bias[2D:2D+Dv]     ([B,S,D], [B,L,D], [B,L,Dv])
//   output[B, S, Dv] = attention core (attention_core.h) with K_all = [past_key ; K], V_all = [past_value ; V]
// Inputs: query, key, value, bias?, key_padding_mask? (int32 [B], [B,T], [B,S,T]), attention_bias?
// [B|1, N|1, S, T], past_key? / past_value? [B,N,P,H]; key / value may also be [B,N,L,H] (already per head, no bias
// on them, no past). Outputs output, present_key? / present_value? [B,N,P+L,H]. Attributes num_heads,
// unidirectional, mask_filter_value (-10000), scale (0 = 1/sqrt(H)).
// NotImplemented: packed QKV (5-D query) or packed KV (5-D key), key absent, past_sequence_length /
// cache_indirection inputs, the qk output (3), bias with [B,N,L,H] key/value.
// Variants:
//   float32  Q/K/V read strided in place (no bias) or from one scratch copy with the bias added, then run_attention
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/contrib/attention_core.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"

namespace onyx::cpu {

namespace {

// dst[r, :] = src[r, :] + bias for rows x d.
void add_bias_rows(const float* src, const float* bias, float* dst, int64_t rows, int64_t d) {
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, d)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r)
      for (int64_t j = 0; j < d; ++j) dst[r * d + j] = src[r * d + j] + bias[j];
  });
}

class MultiHeadAttentionKernel final : public Kernel {
 public:
  MultiHeadAttentionKernel(int64_t heads, bool causal, float mask_filter, float scale)
      : heads_(heads), causal_(causal), mask_filter_(mask_filter), scale_(scale) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* query, required_input(ctx, 0));
    const Tensor* key = ctx.input(1);
    const Tensor* value = ctx.input(2);
    const Tensor* bias = ctx.input(3);
    const Tensor* mask = ctx.input(4);
    const Tensor* attn_bias = ctx.input(5);
    const Tensor* past_key = ctx.input(6);
    const Tensor* past_value = ctx.input(7);
    const std::string me = ctx.node().describe() + ": ";
    for (size_t i = 8; i < ctx.num_inputs(); ++i)
      if (ctx.input(i))
        return not_implemented(me + "input " + std::to_string(i) +
                               " (past_sequence_length / "
                               "cache_indirection) is not supported on CPU");
    if (wants_output(ctx, 3)) return not_implemented(me + "the qk output is not supported");
    if (query->rank() == 5 || (key && key->rank() == 5))
      return not_implemented(me + "packed QKV / packed KV inputs are not supported on CPU (as in ONNX Runtime)");
    if (!key || !value) return not_implemented(me + "key and value must be given (packed QKV is not supported)");
    for (const Tensor* t : {query, key, value, bias, past_key, past_value})
      if (t && t->dtype() != DType::kFloat32)
        return not_implemented(me + "only float32 (and float16/bfloat16 via float32) is supported, got " +
                               dtype_name(t->dtype()));
    if (query->rank() != 3)
      return ctx.invalid("query must be [batch, sequence, hidden], got " + shape_to_string(query->shape()));
    const int64_t batch = query->dim(0), seq = query->dim(1), d = query->dim(2);
    if (d % heads_ != 0) return ctx.invalid("query hidden " + std::to_string(d) + " is not divisible by num_heads");
    const int64_t hq = d / heads_;
    const bool bnsh = key->rank() == 4;
    int64_t kv_len = 0, dv = 0;
    if (bnsh) {
      if (value->rank() != 4 || key->dim(0) != batch || key->dim(1) != heads_ || key->dim(3) != hq ||
          value->dim(0) != batch || value->dim(1) != heads_ || value->dim(2) != key->dim(2))
        return ctx.invalid("4-D key/value must be [batch, num_heads, kv_sequence, head_size], got " +
                           shape_to_string(key->shape()) + " / " + shape_to_string(value->shape()));
      if (bias) return not_implemented(me + "bias with 4-D (per head) key/value is not supported");
      if (past_key || past_value)
        return not_implemented(me + "past_key/past_value with 4-D key/value is not supported");
      kv_len = key->dim(2);
      dv = value->dim(3) * heads_;
    } else {
      if (key->rank() != 3 || value->rank() != 3 || key->dim(0) != batch || key->dim(2) != d ||
          value->dim(0) != batch || value->dim(1) != key->dim(1) || value->dim(2) % heads_ != 0)
        return ctx.invalid("key must be [batch, kv_sequence, " + std::to_string(d) +
                           "] and value [batch, "
                           "kv_sequence, v_hidden], got " +
                           shape_to_string(key->shape()) + " / " + shape_to_string(value->shape()));
      kv_len = key->dim(1);
      dv = value->dim(2);
    }
    const int64_t hv = dv / heads_;
    if (bias && bias->numel() != 2 * d + dv)
      return ctx.invalid("bias must be [" + std::to_string(2 * d + dv) + "], got " + shape_to_string(bias->shape()));
    if ((past_key == nullptr) != (past_value == nullptr))
      return ctx.invalid("past_key and past_value must be given together");
    int64_t past_len = 0;
    if (past_key) {
      if (past_key->rank() != 4 || past_key->dim(0) != batch || past_key->dim(1) != heads_ || past_key->dim(3) != hq ||
          past_value->rank() != 4 || past_value->dim(0) != batch || past_value->dim(1) != heads_ ||
          past_value->dim(2) != past_key->dim(2) || past_value->dim(3) != hv)
        return ctx.invalid("past_key / past_value must be [batch, num_heads, past_sequence, head_size], got " +
                           shape_to_string(past_key->shape()) + " / " + shape_to_string(past_value->shape()));
      past_len = past_key->dim(2);
    }
    const int64_t t_len = past_len + kv_len;

    contrib::AttentionArgs a =
        contrib::attention_args(batch, heads_, seq, kv_len, past_len, hq, hv, scale_, mask_filter_, causal_);
    if (mask && mask->rank() == 4) return not_implemented(me + "a 4-D key_padding_mask is not supported");
    if (mask && mask->rank() == 1 && mask->dim(0) == 2 * batch && batch > 0)  // ORT's MHA rejects it too
      return ctx.invalid(
          "key_padding_mask must be [batch], [batch, total_sequence] or [batch, sequence, "
          "total_sequence], got " +
          shape_to_string(mask->shape()));
    ONYX_ASSIGN_OR_RETURN(a.mask, contrib::classify_attention_mask(ctx, mask, batch, seq, t_len));
    ONYX_RETURN_IF_ERROR(contrib::set_attention_bias(ctx, attn_bias, a));
    Tensor& out = ctx.allocate_output(0, DType::kFloat32, {batch, seq, dv});
    a.out = out.data<float>();
    if (wants_output(ctx, 1))
      a.present_k = ctx.allocate_output(1, DType::kFloat32, {batch, heads_, t_len, hq}).data<float>();
    if (wants_output(ctx, 2))
      a.present_v = ctx.allocate_output(2, DType::kFloat32, {batch, heads_, t_len, hv}).data<float>();
    const int64_t biased = bias ? batch * (seq * d + kv_len * d + kv_len * dv) : 0;
    float* scratch = contrib::thread_scratch(static_cast<size_t>(biased) + contrib::attention_scratch_floats(a));
    const float* qd = query->data<float>();
    const float* kd = key->data<float>();
    const float* vd = value->data<float>();
    if (bias) {
      float* q2 = scratch;
      float* k2 = q2 + batch * seq * d;
      float* v2 = k2 + batch * kv_len * d;
      add_bias_rows(qd, bias->data<float>(), q2, batch * seq, d);
      add_bias_rows(kd, bias->data<float>() + d, k2, batch * kv_len, d);
      add_bias_rows(vd, bias->data<float>() + 2 * d, v2, batch * kv_len, dv);
      qd = q2;
      kd = k2;
      vd = v2;
    }
    a.q = {qd, seq * d, hq, d};
    if (bnsh) {
      a.k = {kd, heads_ * kv_len * hq, kv_len * hq, hq};
      a.v = {vd, heads_ * kv_len * hv, kv_len * hv, hv};
    } else {
      a.k = {kd, kv_len * d, hq, d};
      a.v = {vd, kv_len * dv, hv, dv};
    }
    if (past_key) {
      a.past_k = {past_key->data<float>(), heads_ * past_len * hq, past_len * hq, hq};
      a.past_v = {past_value->data<float>(), heads_ * past_len * hv, past_len * hv, hv};
    }
    return contrib::run_attention(a, scratch + biased);
  }

 private:
  int64_t heads_;
  bool causal_;
  float mask_filter_;
  float scale_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_multi_head_attention(const KernelInfo& info) {
  const ir::Node& n = info.node;
  const int64_t heads = n.attr_int("num_heads", 0);
  if (heads <= 0) return info.invalid("num_heads must be a positive integer, got " + std::to_string(heads));
  return std::unique_ptr<Kernel>(std::make_unique<MultiHeadAttentionKernel>(
      heads, n.attr_int("unidirectional", 0) != 0, n.attr_float("mask_filter_value", -10000.0f),
      n.attr_float("scale", 0.0f)));
}

}  // namespace onyx::cpu
