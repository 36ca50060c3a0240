// Attention (com.microsoft): BERT / GPT-2 self-attention with the QKV projection fused in.
//   QKV[B*S, Dq+Dk+Dv] = input[B*S, Din] x weights[Din, Dq+Dk+Dv] + bias     (one gemm_f32)
//   output[B, S, Dv] = attention core (attention_core.h) over num_heads heads of Q, K, V
// Inputs: input [B,S,Din], weights, bias?, mask_index? (int32: [B], [2B], [B,T], [B,S,T], [B,1,M,M]), past?
// [2,B,N,P,Dh], attention_bias? [B|1, N|1, S, T]; outputs output, present? [2,B,N,P+S,Dh]. Attributes num_heads,
// unidirectional (causal; query i sees keys <= P + i), qkv_hidden_sizes, mask_filter_value (-10000), scale
// (0 = 1/sqrt(Dh)).
// NotImplemented: past_sequence_length input / past_present_share_buffer, do_rotary, the [3B+2] mask, past with
// qkv_hidden_sizes that differ.
// Variants (of the QKV projection, qkv_projection.h):
//   packed   constant weights (and bias, when constant) packed at creation into a PackedGemm (fp32, or bf16 with
//            KernelInfo::bf16_weights): the plan then passes nullptr for them; a non-constant bias is added after
//   float32  non-constant weights: one gemm_f32 (bias pre-filled, beta = 1)
//   Both project into a per-thread scratch buffer, then run_attention reads Q/K/V strided from it.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/ep/cpu/kernels/contrib/attention_core.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/qkv_projection.h"

namespace onyx::cpu {

namespace {

class AttentionKernel final : public Kernel {
 public:
  AttentionKernel(int64_t heads, bool causal, float mask_filter, float scale, contrib::QkvProjection projection)
      : heads_(heads),
        causal_(causal),
        mask_filter_(mask_filter),
        scale_(scale),
        projection_(std::move(projection)) {}

  bool packed_constant_input(size_t i) const override { return projection_.packed_input(i); }

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* input, required_input(ctx, 0));
    const Tensor* mask = ctx.input(3);
    const Tensor* past = ctx.input(4);
    const Tensor* attn_bias = ctx.input(5);
    if (ctx.input(6))
      return not_implemented(ctx.node().describe() +
                             ": past_sequence_length (past/present buffer sharing) is not "
                             "supported on CPU");
    for (const Tensor* t : {input, past})
      if (t && t->dtype() != DType::kFloat32)
        return not_implemented(ctx.node().describe() +
                               ": only float32 (and float16/bfloat16 via float32) is "
                               "supported, got " +
                               dtype_name(t->dtype()));
    if (input->rank() != 3)
      return ctx.invalid("input must be [batch, sequence, hidden], got " + shape_to_string(input->shape()));
    const int64_t batch = input->dim(0), seq = input->dim(1), din = input->dim(2);
    ONYX_ASSIGN_OR_RETURN(const contrib::QkvProjection::Bound proj, projection_.bind(ctx, din));
    const int64_t dt = proj.dt, dq = proj.dq, dk = proj.dk, dv = proj.dv;
    const int64_t hq = dq / heads_, hv = dv / heads_;
    int64_t past_len = 0;
    if (past) {
      if (hq != hv) return not_implemented(ctx.node().describe() + ": past with different q/v head sizes");
      if (past->rank() != 5 || past->dim(0) != 2 || past->dim(1) != batch || past->dim(2) != heads_ ||
          past->dim(4) != hq)
        return ctx.invalid("past must be [2, batch, num_heads, past_sequence_length, head_size] = [2, " +
                           std::to_string(batch) + ", " + std::to_string(heads_) + ", P, " + std::to_string(hq) +
                           "], got " + shape_to_string(past->shape()));
      past_len = past->dim(3);
    }
    const int64_t t_len = past_len + seq;

    contrib::AttentionArgs a =
        contrib::attention_args(batch, heads_, seq, seq, past_len, hq, hv, scale_, mask_filter_, causal_);
    ONYX_ASSIGN_OR_RETURN(a.mask, contrib::classify_attention_mask(ctx, mask, batch, seq, t_len));
    ONYX_RETURN_IF_ERROR(contrib::set_attention_bias(ctx, attn_bias, a));
    Tensor& out = ctx.allocate_output(0, DType::kFloat32, {batch, seq, dv});
    a.out = out.data<float>();
    if (wants_output(ctx, 1)) {
      if (hq != hv) return not_implemented(ctx.node().describe() + ": present with different q/v head sizes");
      float* present = ctx.allocate_output(1, DType::kFloat32, {2, batch, heads_, t_len, hq}).data<float>();
      a.present_k = present;
      a.present_v = present + batch * heads_ * t_len * hq;
    }
    const int64_t qkv_floats = batch * seq * dt;
    float* qkv = contrib::thread_scratch(static_cast<size_t>(qkv_floats) + contrib::attention_scratch_floats(a));
    ONYX_RETURN_IF_ERROR(projection_.run(proj, input->data<float>(), batch * seq, qkv));
    a.q = {qkv, seq * dt, hq, dt};
    a.k = {qkv + dq, seq * dt, hq, dt};
    a.v = {qkv + dq + dk, seq * dt, hv, dt};
    if (past) {
      const float* pk = past->data<float>();
      a.past_k = {pk, heads_ * past_len * hq, past_len * hq, hq};
      a.past_v = {pk + batch * heads_ * past_len * hq, heads_ * past_len * hq, past_len * hq, hq};
    }
    return contrib::run_attention(a, qkv + qkv_floats);
  }

 private:
  int64_t heads_;
  bool causal_;
  float mask_filter_;
  float scale_;
  contrib::QkvProjection projection_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_attention(const KernelInfo& info) {
  const ir::Node& n = info.node;
  const int64_t heads = n.attr_int("num_heads", 0);
  if (heads <= 0) return info.invalid("num_heads must be a positive integer, got " + std::to_string(heads));
  if (n.attr_int("do_rotary", 0) != 0)
    return not_implemented(n.describe() + ": do_rotary is not supported (apply RotaryEmbedding before Attention)");
  if (n.attr_int("past_present_share_buffer", 0) != 0)
    return not_implemented(n.describe() + ": past_present_share_buffer is not supported on CPU");
  ONYX_ASSIGN_OR_RETURN(contrib::QkvProjection projection, contrib::QkvProjection::create(info, heads));
  return std::unique_ptr<Kernel>(std::make_unique<AttentionKernel>(heads, n.attr_int("unidirectional", 0) != 0,
                                                                   n.attr_float("mask_filter_value", -10000.0f),
                                                                   n.attr_float("scale", 0.0f), std::move(projection)));
}

}  // namespace onyx::cpu
