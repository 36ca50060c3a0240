// Attention (com.microsoft): BERT / GPT-2 self-attention with the QKV projection fused in.
//   QKV[B*S, Dq+Dk+Dv] = input[B*S, Din] x weights[Din, Dq+Dk+Dv] + bias     (one gemm_f32)
//   output[B, S, Dv] = attention core (attention_core.h) over num_heads heads of Q, K, V
// Inputs: input [B,S,Din], weights, bias?, mask_index? (int32: [B], [2B], [B,T], [B,S,T], [B,1,M,M]), past?
// [2,B,N,P,Dh], attention_bias? [B|1, N|1, S, T]; outputs output, present? [2,B,N,P+S,Dh]. Attributes num_heads,
// unidirectional (causal; query i sees keys <= P + i), qkv_hidden_sizes, mask_filter_value (-10000), scale
// (0 = 1/sqrt(Dh)).
// NotImplemented: past_sequence_length input / past_present_share_buffer, do_rotary, the [3B+2] mask, past with
// qkv_hidden_sizes that differ.
// Variants:
//   packed   constant weights (and bias, when constant) packed at creation into a PackedGemm (fp32, or bf16 with
//            KernelInfo::bf16_weights): the plan then passes nullptr for them; a non-constant bias is added after
//   float32  non-constant weights: one gemm_f32 (bias pre-filled, beta = 1)
//   Both project into a per-thread scratch buffer, then run_attention reads Q/K/V strided from it.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/gemm/packed_gemm.h"
#include "src/ep/cpu/kernels/contrib/attention_core.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"

namespace onyx::cpu {

namespace {

class AttentionKernel final : public Kernel {
 public:
  AttentionKernel(int64_t heads, bool causal, std::vector<int64_t> qkv_sizes, float mask_filter, float scale,
                  std::unique_ptr<PackedGemm> packed, bool bias_packed)
      : heads_(heads),
        causal_(causal),
        qkv_sizes_(std::move(qkv_sizes)),
        mask_filter_(mask_filter),
        scale_(scale),
        packed_(std::move(packed)),
        bias_packed_(bias_packed) {}

  bool packed_constant_input(size_t i) const override { return (i == 1 && packed_) || (i == 2 && bias_packed_); }

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* input, required_input(ctx, 0));
    const Tensor* weights = nullptr;  // null when packed
    if (!packed_) {
      ONYX_ASSIGN_OR_RETURN(weights, required_input(ctx, 1));
    }
    const Tensor* bias = bias_packed_ ? nullptr : ctx.input(2);
    const Tensor* mask = ctx.input(3);
    const Tensor* past = ctx.input(4);
    const Tensor* attn_bias = ctx.input(5);
    if (ctx.input(6))
      return not_implemented(ctx.node().describe() +
                             ": past_sequence_length (past/present buffer sharing) is not "
                             "supported on CPU");
    for (const Tensor* t : {input, weights, bias, past})
      if (t && t->dtype() != DType::kFloat32)
        return not_implemented(ctx.node().describe() +
                               ": only float32 (and float16/bfloat16 via float32) is "
                               "supported, got " +
                               dtype_name(t->dtype()));
    if (input->rank() != 3)
      return ctx.invalid("input must be [batch, sequence, hidden], got " + shape_to_string(input->shape()));
    const int64_t batch = input->dim(0), seq = input->dim(1), din = input->dim(2);
    if (packed_ && packed_->k() != din)
      return ctx.invalid("input hidden size " + std::to_string(din) + " differs from the weights' first dim " +
                         std::to_string(packed_->k()));
    if (weights && (weights->rank() != 2 || weights->dim(0) != din))
      return ctx.invalid("weights must be [" + std::to_string(din) + ", q+k+v hidden], got " +
                         shape_to_string(weights->shape()));
    const int64_t dt = packed_ ? packed_->n() : weights->dim(1);
    int64_t dq = dt / 3, dk = dt / 3, dv = dt / 3;
    if (!qkv_sizes_.empty()) {
      dq = qkv_sizes_[0];
      dk = qkv_sizes_[1];
      dv = qkv_sizes_[2];
    } else if (dt % 3 != 0) {
      return ctx.invalid("weights' second dim " + std::to_string(dt) + " is not 3 * hidden (set qkv_hidden_sizes)");
    }
    if (dq + dk + dv != dt || dq != dk || dq % heads_ != 0 || dv % heads_ != 0)
      return ctx.invalid("q/k/v hidden sizes " + std::to_string(dq) + "/" + std::to_string(dk) + "/" +
                         std::to_string(dv) + " must sum to " + std::to_string(dt) +
                         ", have q == k and divide by "
                         "num_heads " +
                         std::to_string(heads_));
    if (bias && bias->numel() != dt)
      return ctx.invalid("bias must be [" + std::to_string(dt) + "], got " + shape_to_string(bias->shape()));
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
    ONYX_RETURN_IF_ERROR(project(input->data<float>(), batch * seq, din, dt, weights, bias, qkv));
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
  // qkv[m, dt] = x[m, din] W + bias.
  Status project(const float* x, int64_t m, int64_t din, int64_t dt, const Tensor* weights, const Tensor* bias,
                 float* qkv) const {
    if (!packed_) {
      if (bias)
        for (int64_t r = 0; r < m; ++r) std::memcpy(qkv + r * dt, bias->data<float>(), sizeof(float) * dt);
      GemmParams p{.m = m, .n = dt, .k = din, .beta = bias ? 1.0f : 0.0f};
      return gemm_f32(p, x, weights->data<float>(), qkv);
    }
    ONYX_RETURN_IF_ERROR(packed_->run(x, m, din, qkv, dt));
    if (bias) {
      const float* bv = bias->data<float>();
      parallel_for(m, 16, [&](int64_t rb, int64_t re) {
        for (int64_t r = rb; r < re; ++r)
          for (int64_t j = 0; j < dt; ++j) qkv[r * dt + j] += bv[j];
      });
    }
    return ok_status();
  }

  int64_t heads_;
  bool causal_;
  std::vector<int64_t> qkv_sizes_;
  float mask_filter_;
  float scale_;
  std::unique_ptr<PackedGemm> packed_;  // constant weights (+ bias when bias_packed_), or null
  bool bias_packed_ = false;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_attention(const KernelInfo& info) {
  const ir::Node& n = info.node;
  const int64_t heads = n.attr_int("num_heads", 0);
  if (heads <= 0) return info.invalid("num_heads must be a positive integer, got " + std::to_string(heads));
  std::vector<int64_t> qkv = n.attr_ints("qkv_hidden_sizes");
  if (!qkv.empty() && qkv.size() != 3)
    return info.invalid("qkv_hidden_sizes must have 3 values, got " + std::to_string(qkv.size()));
  if (n.attr_int("do_rotary", 0) != 0)
    return not_implemented(n.describe() + ": do_rotary is not supported (apply RotaryEmbedding before Attention)");
  if (n.attr_int("past_present_share_buffer", 0) != 0)
    return not_implemented(n.describe() + ": past_present_share_buffer is not supported on CPU");
  // Constant float32 [Din, Dt] weights are packed now, with a constant [Dt] bias folded in.
  std::unique_ptr<PackedGemm> packed;
  bool bias_packed = false;
  const Tensor* w = info.constant_input(1);
  if (w && w->dtype() == DType::kFloat32 && w->rank() == 2 && w->dim(0) > 0 && w->dim(1) > 0) {
    const Tensor* b = info.constant_input(2);
    bias_packed = b && b->dtype() == DType::kFloat32 && b->numel() == w->dim(1);
    PackedGemmOptions o;
    o.bf16 = info.bf16_weights;
    ONYX_ASSIGN_OR_RETURN(packed, PackedGemm::create(w->data<float>(), w->dim(0), w->dim(1), /*w_transposed=*/false,
                                                     bias_packed ? b->data<float>() : nullptr, o));
  }
  return std::unique_ptr<Kernel>(std::make_unique<AttentionKernel>(
      heads, n.attr_int("unidirectional", 0) != 0, std::move(qkv), n.attr_float("mask_filter_value", -10000.0f),
      n.attr_float("scale", 0.0f), std::move(packed), bias_packed));
}

}  // namespace onyx::cpu
