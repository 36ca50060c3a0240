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
//   int8     constant weights with KernelInfo::int8_weights: int8 per column in a PackedQGemm, the input quantized
//            per run (uint8, one scale for all B*S rows)
//   float32  non-constant weights: one gemm_f32 (bias pre-filled, beta = 1)
//   All project into a per-thread scratch buffer, then run_attention reads Q/K/V strided from it
//   (contrib::run_self_attention, shared with QAttention).
#include <memory>
#include <string>

#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/qkv_projection.h"

namespace onyx::cpu {

namespace {

class AttentionKernel final : public Kernel {
 public:
  AttentionKernel(contrib::SelfAttentionAttrs attrs, contrib::QkvProjection projection)
      : attrs_(attrs), projection_(std::move(projection)) {}

  bool packed_constant_input(size_t i) const override { return projection_.packed_input(i); }

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* input, required_input(ctx, 0));
    if (ctx.input(6))
      return not_implemented(ctx.node().describe() +
                             ": past_sequence_length (past/present buffer sharing) is not "
                             "supported on CPU");
    if (input->dtype() != DType::kFloat32)
      return not_implemented(ctx.node().describe() +
                             ": only float32 (and float16/bfloat16 via float32) is "
                             "supported, got " +
                             dtype_name(input->dtype()));
    if (input->rank() != 3)
      return ctx.invalid("input must be [batch, sequence, hidden], got " + shape_to_string(input->shape()));
    ONYX_ASSIGN_OR_RETURN(const contrib::QkvProjection::Bound proj, projection_.bind(ctx, input->dim(2)));
    return contrib::run_self_attention(ctx, attrs_, projection_, proj,
                                       contrib::QkvProjection::Input::of(input->data<float>()), input->dim(0),
                                       input->dim(1), /*mask=*/ctx.input(3), /*past=*/ctx.input(4),
                                       /*attn_bias=*/ctx.input(5));
  }

 private:
  contrib::SelfAttentionAttrs attrs_;
  contrib::QkvProjection projection_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_attention(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(const contrib::SelfAttentionAttrs attrs, contrib::self_attention_attrs(info));
  ONYX_ASSIGN_OR_RETURN(contrib::QkvProjection projection, contrib::QkvProjection::create(info, attrs.heads));
  return std::unique_ptr<Kernel>(std::make_unique<AttentionKernel>(attrs, std::move(projection)));
}

}  // namespace onyx::cpu
