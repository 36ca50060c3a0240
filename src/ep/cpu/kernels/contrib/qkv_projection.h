// The fused QKV projection shared by Attention, PackedAttention and QAttention (com.microsoft):
//   qkv[m, Dq+Dk+Dv] = x[m, Din] · weights[Din, Dq+Dk+Dv] + bias        (weights: node input 1, bias?: input 2)
// Dq/Dk/Dv are the qkv_hidden_sizes attribute or a third of the weights' second dim each; Dq == Dk, and both Dq and
// Dv divide by num_heads. And the step after it that Attention and QAttention share (run_self_attention: past,
// mask, attention_bias, present, the attention core), so both read their masks the same way.
// Variants:
//   packed   constant float32 weights packed at kernel creation into a PackedGemm (fp32, or bf16 with
//            KernelInfo::bf16_weights), a constant bias folded in; the plan then passes nullptr for them; a
//            non-constant bias is added after the GEMM
//   int8     constant float32 weights with KernelInfo::int8_weights: quantized at creation (int8, symmetric, per
//            column: pack_int8_weights) into a PackedQGemm (+ constant bias); x quantized per run to uint8 with one
//            scale for all m rows (PackedQGemm::run_dynamic), as DynamicQuantizeLinear -> QAttention would
//   float32  non-constant weights: one gemm_f32 (bias pre-filled, beta = 1)
//   quantized (create_quantized, QAttention) uint8 x with its scale / zero point (PackedQGemm::run_quantized):
//            constant int8 / uint8 weights (with constant weight_scale, weight_zero_point) packed at creation; other
//            weights packed into a PackedQGemm at each run (allocates; O(Din * Dt) extra work)
// Thread safety: create() once at kernel creation; bind() and run() are const and reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "src/ep/cpu/gemm/packed_gemm.h"
#include "src/ep/cpu/gemm/qgemm.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu::contrib {

class QkvProjection {
 public:
  // The run's view of the projection: the tensors still read at run time (null when packed) and the sizes.
  struct Bound {
    const Tensor* weights = nullptr;
    const Tensor* bias = nullptr;
    const Tensor* weight_scale = nullptr;       // quantized, non-packed weights only
    const Tensor* weight_zero_point = nullptr;  // likewise (may stay null: zero point 0)
    int64_t din = 0, dt = 0, dq = 0, dk = 0, dv = 0;
  };
  // One run's input rows: float32 (Attention, PackedAttention) or uint8 with their quantization (QAttention).
  struct Input {
    const float* x = nullptr;
    const uint8_t* xq = nullptr;
    QuantParams q;
    static Input of(const float* x) { return {x, nullptr, {}}; }
    static Input of(const uint8_t* xq, QuantParams q) { return {nullptr, xq, q}; }
  };

  // Float32 weights: packs the node's constant weights (and constant bias). Errors: a bad qkv_hidden_sizes, a
  // PackedGemm / PackedQGemm failure.
  static Result<QkvProjection> create(const KernelInfo& info, int64_t heads);
  // QAttention: int8 / uint8 weights (input 1), float32 bias (2), weight_scale (4: 1 or Dt values),
  // weight_zero_point? (7); packs them when the weights, scale and zero point are constants.
  static Result<QkvProjection> create_quantized(const KernelInfo& info, int64_t heads);

  // Kernel::packed_constant_input for the weights (1), bias (2) and, quantized, weight_scale (4) / zero point (7).
  bool packed_input(size_t i) const;

  // Reads and checks this run's weights / bias against the input hidden size `din` (InvalidArgument naming the node
  // on bad shapes, NotImplemented for unsupported dtypes).
  Result<Bound> bind(const KernelContext& ctx, int64_t din) const;

  // qkv[m, dt] (row stride dt) = x[m, din] (row stride din) · W + bias. `in` must be uint8 for create_quantized
  // projections and float32 otherwise.
  Status run(const Bound& b, const Input& in, int64_t m, float* qkv) const;

 private:
  bool packed() const { return packed_ || qpacked_; }

  int64_t heads_ = 1;
  std::vector<int64_t> sizes_;            // qkv_hidden_sizes, or empty
  bool quantized_ = false;                // create_quantized (QAttention)
  std::unique_ptr<PackedGemm> packed_;    // constant float32 weights (+ bias when bias_packed_), or null
  std::unique_ptr<PackedQGemm> qpacked_;  // constant weights as int8 (+ bias when bias_packed_), or null
  bool bias_packed_ = false;
  bool zero_point_packed_ = false;
};

// Attention's attributes, read and checked once at creation (Attention, QAttention).
struct SelfAttentionAttrs {
  int64_t heads = 1;
  bool causal = false;  // unidirectional
  float mask_filter = -10000.0f;
  float scale = 0.0f;  // 0 = 1 / sqrt(head size)
};
// InvalidModel for num_heads <= 0; NotImplemented for do_rotary and past_present_share_buffer.
Result<SelfAttentionAttrs> self_attention_attrs(const KernelInfo& info);

// Attention / QAttention once their input is read: checks past ([2, B, N, P, Dh] float32, may be null), the mask
// (mask_index, may be null) and attention_bias (may be null), allocates output 0 [B, S, Dv] and present (output 1,
// when asked), projects `in` (B*S rows) into the calling thread's scratch and runs the attention core.
Status run_self_attention(KernelContext& ctx, const SelfAttentionAttrs& attrs, const QkvProjection& projection,
                          const QkvProjection::Bound& proj, const QkvProjection::Input& in, int64_t batch, int64_t seq,
                          const Tensor* mask, const Tensor* past, const Tensor* attn_bias);

}  // namespace onyx::cpu::contrib
