// See qkv_projection.h.
#include "src/ep/cpu/kernels/contrib/qkv_projection.h"

#include <cstring>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/gemm/packed_gemm_kernel.h"
#include "src/ep/cpu/kernels/contrib/attention_core.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"

namespace onyx::cpu::contrib {

namespace {
constexpr size_t kWeightScaleInput = 4, kWeightZeroPointInput = 7;  // QAttention's
}  // namespace

Result<QkvProjection> QkvProjection::create(const KernelInfo& info, int64_t heads) {
  QkvProjection p;
  p.heads_ = heads;
  p.sizes_ = info.node.attr_ints("qkv_hidden_sizes");
  if (!p.sizes_.empty() && p.sizes_.size() != 3)
    return info.invalid("qkv_hidden_sizes must have 3 values, got " + std::to_string(p.sizes_.size()));
  const Tensor* w = info.constant_input(1);
  if (w && w->dtype() == DType::kFloat32 && w->rank() == 2 && w->dim(0) > 0 && w->dim(1) > 0) {
    const Tensor* b = info.constant_input(2);
    p.bias_packed_ = b && b->dtype() == DType::kFloat32 && b->numel() == w->dim(1);
    const float* bias = p.bias_packed_ ? b->data<float>() : nullptr;
    if (info.int8_weights) {
      ONYX_ASSIGN_OR_RETURN(p.qpacked_, pack_int8_weights(w->data<float>(), w->dim(0), w->dim(1), false, bias));
      return p;
    }
    PackedGemmOptions o;
    o.bf16 = info.bf16_weights;
    ONYX_ASSIGN_OR_RETURN(p.packed_,
                          PackedGemm::create(w->data<float>(), w->dim(0), w->dim(1), /*w_transposed=*/false, bias, o));
  }
  return p;
}

Result<QkvProjection> QkvProjection::create_quantized(const KernelInfo& info, int64_t heads) {
  QkvProjection p;
  p.heads_ = heads;
  p.quantized_ = true;
  if (!info.node.attr_ints("qkv_hidden_sizes").empty())
    return not_implemented(info.node.describe() +
                           ": qkv_hidden_sizes is not supported by QAttention (ONNX Runtime's "
                           "QAttention splits the weights in three equal parts too)");
  const Tensor* w = info.constant_input(1);
  const Tensor* scale = info.constant_input(kWeightScaleInput);
  const Tensor* zp = info.constant_input(kWeightZeroPointInput);
  if (!w || !scale || (info.node.has_input(kWeightZeroPointInput) && !zp) || w->rank() != 2 || w->numel() == 0)
    return p;  // packed at each run
  auto qw = quantized_weights(*w, *scale, zp, 0, "weight");
  if (!qw.ok()) return qw.status().with_context(info.node.describe());
  const Tensor* b = info.constant_input(2);
  p.bias_packed_ = b && b->dtype() == DType::kFloat32 && b->numel() == w->dim(1);
  p.zero_point_packed_ = zp != nullptr;
  auto packed = PackedQGemm::create(qw->weights, p.bias_packed_ ? b->data<float>() : nullptr);
  if (!packed.ok()) return packed.status().with_context(info.node.describe());
  p.qpacked_ = std::move(*packed);
  return p;
}

bool QkvProjection::packed_input(size_t i) const {
  if (i == 1) return packed();
  if (i == 2) return bias_packed_;
  if (quantized_ && i == kWeightScaleInput) return packed();
  if (quantized_ && i == kWeightZeroPointInput) return zero_point_packed_;
  return false;
}

Result<QkvProjection::Bound> QkvProjection::bind(const KernelContext& ctx, int64_t din) const {
  Bound b;
  b.din = din;
  if (!packed()) {
    ONYX_ASSIGN_OR_RETURN(b.weights, required_input(ctx, 1));
    if (quantized_) {
      ONYX_ASSIGN_OR_RETURN(b.weight_scale, required_input(ctx, kWeightScaleInput));
      b.weight_zero_point = ctx.input(kWeightZeroPointInput);
    }
  }
  b.bias = bias_packed_ ? nullptr : ctx.input(2);
  if (b.weights && !quantized_ && b.weights->dtype() != DType::kFloat32)
    return not_implemented(ctx.node().describe() + ": only float32 weights are supported, got " +
                           dtype_name(b.weights->dtype()));
  if (b.weights && quantized_ && b.weights->dtype() != DType::kInt8 && b.weights->dtype() != DType::kUInt8)
    return ctx.invalid("weight must be int8 or uint8, got " + dtype_name(b.weights->dtype()));
  if (b.bias && b.bias->dtype() != DType::kFloat32)
    return not_implemented(ctx.node().describe() + ": only a float32 bias is supported, got " +
                           dtype_name(b.bias->dtype()));
  const int64_t packed_k = packed_ ? packed_->k() : (qpacked_ ? qpacked_->k() : 0);
  if (packed() && packed_k != din)
    return ctx.invalid("input hidden size " + std::to_string(din) + " differs from the weights' first dim " +
                       std::to_string(packed_k));
  if (b.weights && (b.weights->rank() != 2 || b.weights->dim(0) != din))
    return ctx.invalid("weights must be [" + std::to_string(din) + ", q+k+v hidden], got " +
                       shape_to_string(b.weights->shape()));
  b.dt = packed_ ? packed_->n() : (qpacked_ ? qpacked_->n() : b.weights->dim(1));
  b.dq = b.dk = b.dv = b.dt / 3;
  if (!sizes_.empty()) {
    b.dq = sizes_[0];
    b.dk = sizes_[1];
    b.dv = sizes_[2];
  } else if (b.dt % 3 != 0) {
    return ctx.invalid("weights' second dim " + std::to_string(b.dt) + " is not 3 * hidden (set qkv_hidden_sizes)");
  }
  if (b.dq + b.dk + b.dv != b.dt || b.dq != b.dk || b.dq % heads_ != 0 || b.dv % heads_ != 0)
    return ctx.invalid("q/k/v hidden sizes " + std::to_string(b.dq) + "/" + std::to_string(b.dk) + "/" +
                       std::to_string(b.dv) + " must sum to " + std::to_string(b.dt) +
                       ", have q == k and divide by num_heads " + std::to_string(heads_));
  if (b.bias && b.bias->numel() != b.dt)
    return ctx.invalid("bias must be [" + std::to_string(b.dt) + "], got " + shape_to_string(b.bias->shape()));
  if (b.weight_scale) {  // checked here, where the error can name the node; run() reads them again
    auto qw = quantized_weights(*b.weights, *b.weight_scale, b.weight_zero_point, 0, "weight");
    if (!qw.ok()) return ctx.invalid(qw.status().message());
  }
  return b;
}

Status QkvProjection::run(const Bound& b, const Input& in, int64_t m, float* qkv) const {
  const int64_t dt = b.dt;
  if (quantized_ != (in.xq != nullptr))
    return internal_error("QkvProjection::run: the input must be " + std::string(quantized_ ? "uint8" : "float32"));
  if (quantized_ && qpacked_) {
    ONYX_RETURN_IF_ERROR(qpacked_->run_quantized(in.xq, m, b.din, in.q, qkv, dt));
  } else if (quantized_) {
    ONYX_ASSIGN_OR_RETURN(QuantizedWeights qw,
                          quantized_weights(*b.weights, *b.weight_scale, b.weight_zero_point, 0, "weight"));
    ONYX_ASSIGN_OR_RETURN(auto g, PackedQGemm::create(qw.weights, nullptr));
    ONYX_RETURN_IF_ERROR(g->run_quantized(in.xq, m, b.din, in.q, qkv, dt));
  } else if (qpacked_) {
    ONYX_RETURN_IF_ERROR(qpacked_->run_dynamic(in.x, m, b.din, qkv, dt));
  } else if (packed_) {
    ONYX_RETURN_IF_ERROR(packed_->run(in.x, m, b.din, qkv, dt));
  } else {
    if (b.bias)
      for (int64_t r = 0; r < m; ++r) std::memcpy(qkv + r * dt, b.bias->data<float>(), sizeof(float) * dt);
    GemmParams p{.m = m, .n = dt, .k = b.din, .beta = b.bias ? 1.0f : 0.0f};
    return gemm_f32(p, in.x, b.weights->data<float>(), qkv);
  }
  if (b.bias) {
    const float* bv = b.bias->data<float>();
    parallel_for(m, 16, [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; ++r)
        for (int64_t j = 0; j < dt; ++j) qkv[r * dt + j] += bv[j];
    });
  }
  return ok_status();
}

Result<SelfAttentionAttrs> self_attention_attrs(const KernelInfo& info) {
  const ir::Node& n = info.node;
  SelfAttentionAttrs a;
  a.heads = n.attr_int("num_heads", 0);
  if (a.heads <= 0) return info.invalid("num_heads must be a positive integer, got " + std::to_string(a.heads));
  if (n.attr_int("do_rotary", 0) != 0)
    return not_implemented(n.describe() + ": do_rotary is not supported (apply RotaryEmbedding before Attention)");
  if (n.attr_int("past_present_share_buffer", 0) != 0)
    return not_implemented(n.describe() + ": past_present_share_buffer is not supported on CPU");
  a.causal = n.attr_int("unidirectional", 0) != 0;
  a.mask_filter = n.attr_float("mask_filter_value", -10000.0f);
  a.scale = n.attr_float("scale", 0.0f);
  return a;
}

Status run_self_attention(KernelContext& ctx, const SelfAttentionAttrs& attrs, const QkvProjection& projection,
                          const QkvProjection::Bound& proj, const QkvProjection::Input& in, int64_t batch, int64_t seq,
                          const Tensor* mask, const Tensor* past, const Tensor* attn_bias) {
  const int64_t heads = attrs.heads;
  const int64_t dt = proj.dt, dq = proj.dq, dk = proj.dk, dv = proj.dv;
  const int64_t hq = dq / heads, hv = dv / heads;
  int64_t past_len = 0;
  if (past) {
    if (past->dtype() != DType::kFloat32)
      return not_implemented(ctx.node().describe() + ": past must be float32, got " + dtype_name(past->dtype()));
    if (hq != hv) return not_implemented(ctx.node().describe() + ": past with different q/v head sizes");
    if (past->rank() != 5 || past->dim(0) != 2 || past->dim(1) != batch || past->dim(2) != heads || past->dim(4) != hq)
      return ctx.invalid("past must be [2, batch, num_heads, past_sequence_length, head_size] = [2, " +
                         std::to_string(batch) + ", " + std::to_string(heads) + ", P, " + std::to_string(hq) +
                         "], got " + shape_to_string(past->shape()));
    past_len = past->dim(3);
  }
  const int64_t t_len = past_len + seq;

  AttentionArgs a =
      attention_args(batch, heads, seq, seq, past_len, hq, hv, attrs.scale, attrs.mask_filter, attrs.causal);
  ONYX_ASSIGN_OR_RETURN(a.mask, classify_attention_mask(ctx, mask, batch, seq, t_len));
  ONYX_RETURN_IF_ERROR(set_attention_bias(ctx, attn_bias, a));
  Tensor& out = ctx.allocate_output(0, DType::kFloat32, {batch, seq, dv});
  a.out = out.data<float>();
  if (wants_output(ctx, 1)) {
    if (hq != hv) return not_implemented(ctx.node().describe() + ": present with different q/v head sizes");
    float* present = ctx.allocate_output(1, DType::kFloat32, {2, batch, heads, t_len, hq}).data<float>();
    a.present_k = present;
    a.present_v = present + batch * heads * t_len * hq;
  }
  const int64_t qkv_floats = batch * seq * dt;
  float* qkv = thread_scratch(static_cast<size_t>(qkv_floats) + attention_scratch_floats(a));
  ONYX_RETURN_IF_ERROR(projection.run(proj, in, batch * seq, qkv));
  a.q = {qkv, seq * dt, hq, dt};
  a.k = {qkv + dq, seq * dt, hq, dt};
  a.v = {qkv + dq + dk, seq * dt, hv, dt};
  if (past) {
    const float* pk = past->data<float>();
    a.past_k = {pk, heads * past_len * hq, past_len * hq, hq};
    a.past_v = {pk + batch * heads * past_len * hq, heads * past_len * hq, past_len * hq, hq};
  }
  return run_attention(a, qkv + qkv_floats);
}

}  // namespace onyx::cpu::contrib
