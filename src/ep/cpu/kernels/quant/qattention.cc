// QAttention (com.microsoft): Attention whose QKV projection is quantized (ONNX Runtime's CPU kernel):
//   QKV[B*S, 3H] = (input - input_zero_point) · (weight - weight_zero_point[n]) * (input_scale * weight_scale[n])
//                  + bias[n]                                   (int32 sums, fp32 scaling)
//   output[B, S, H] = the attention core over num_heads heads of Q, K, V, exactly as Attention (the shared
//                     contrib::run_self_attention: same mask kinds, past / present, unidirectional)
// Inputs: input uint8 [B, S, Din], weight int8 / uint8 [Din, 3H], bias float32 [3H], input_scale float32 (scalar),
// weight_scale float32 (1 or 3H values), mask_index? int32 (Attention's forms), input_zero_point? uint8 (scalar),
// weight_zero_point? (weight's dtype, 1 or 3H values), past? float32 [2, B, N, P, H/N]. Outputs output, present?.
// Attributes num_heads, unidirectional, mask_filter_value, scale (as Attention).
// Variants (of the projection, contrib::QkvProjection::create_quantized):
//   packed   constant weight, weight_scale (and weight_zero_point): a PackedQGemm made at creation (a constant bias
//            folded in), PackedQGemm::run_quantized per run; the plan frees the packed inputs
//   per-run  otherwise: the weight packed into a PackedQGemm at each run
// NotImplemented: int8 input (ONNX Runtime's CPU kernel takes uint8 only), qkv_hidden_sizes, do_rotary,
// past_present_share_buffer.
#include <memory>

#include "src/ep/cpu/kernels/contrib/qkv_projection.h"
#include "src/ep/cpu/kernels/quant/quant_contrib_util.h"

namespace onyx::cpu {

namespace {

class QAttentionKernel final : public Kernel {
 public:
  QAttentionKernel(contrib::SelfAttentionAttrs attrs, contrib::QkvProjection projection)
      : attrs_(attrs), projection_(std::move(projection)) {}

  bool packed_constant_input(size_t i) const override { return projection_.packed_input(i); }

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* input, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* input_scale, required_input(ctx, 3));
    if (!ctx.node().has_input(2)) return ctx.invalid("required input bias (2) is missing");
    if (input->dtype() != DType::kUInt8)
      return not_implemented(ctx.node().describe() + ": input must be uint8, got " + dtype_name(input->dtype()));
    if (input->rank() != 3)
      return ctx.invalid("input must be [batch, sequence, hidden], got " + shape_to_string(input->shape()));
    QuantParams q;
    ONYX_ASSIGN_OR_RETURN(q.scale, quant::scalar_scale(ctx, *input_scale, "input_scale"));
    ONYX_ASSIGN_OR_RETURN(q.zero_point, quant::scalar_zero_point(ctx, ctx.input(6), "input_zero_point"));
    ONYX_ASSIGN_OR_RETURN(const contrib::QkvProjection::Bound proj, projection_.bind(ctx, input->dim(2)));
    return contrib::run_self_attention(ctx, attrs_, projection_, proj,
                                       contrib::QkvProjection::Input::of(input->data<uint8_t>(), q), input->dim(0),
                                       input->dim(1), /*mask=*/ctx.input(5), /*past=*/ctx.input(8),
                                       /*attn_bias=*/nullptr);
  }

 private:
  contrib::SelfAttentionAttrs attrs_;
  contrib::QkvProjection projection_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_q_attention(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(const contrib::SelfAttentionAttrs attrs, contrib::self_attention_attrs(info));
  ONYX_ASSIGN_OR_RETURN(contrib::QkvProjection projection, contrib::QkvProjection::create_quantized(info, attrs.heads));
  return std::unique_ptr<Kernel>(std::make_unique<QAttentionKernel>(attrs, std::move(projection)));
}

}  // namespace onyx::cpu
