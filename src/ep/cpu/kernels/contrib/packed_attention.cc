// PackedAttention (com.microsoft): Attention over packed tokens (no padding), ONNX Runtime's contrib-op semantics.
//   QKV[T, Dq+Dk+Dv] = input[T, Din] x weights[Din, Dq+Dk+Dv] + bias
//   per sequence b (rows cumulative_sequence_length[b] .. [b+1]): the attention core (attention_core.h) over its own
//   tokens only, no mask -> output[T, Dv]
// Inputs: input [T, Din], weights [Din, Dq+Dk+Dv], bias [Dq+Dk+Dv], token_offset [B, S] int32 (PackTokens' layout;
// the token positions), cumulative_sequence_length [B+1] int32, attention_bias? [B|1, N|1, S, S] float32 (indexed by
// padded positions: each sequence's rows and columns of its tokens are gathered).
// Attributes num_heads, qkv_hidden_sizes, scale (0 = 1/sqrt(head size)).
// Variants:
//   float32  the QKV projection over the T rows (qkv_projection.h: PackedGemm for constant weights, else gemm_f32)
//            into a per-thread scratch buffer, then run_attention with batch-1 views per sequence
//   int8     the same with KernelInfo::int8_weights: constant weights int8 per column in a PackedQGemm, the T rows
//            quantized per run (uint8, one scale for all tokens; padding never enters the scale)
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "src/ep/cpu/kernels/contrib/attention_core.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/contrib/qkv_projection.h"

namespace onyx::cpu {

namespace {

class PackedAttentionKernel final : public Kernel {
 public:
  PackedAttentionKernel(int64_t heads, float scale, contrib::QkvProjection projection)
      : heads_(heads), scale_(scale), projection_(std::move(projection)) {}

  bool packed_constant_input(size_t i) const override { return projection_.packed_input(i); }

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* input, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* offsets, required_input(ctx, 3));
    ONYX_ASSIGN_OR_RETURN(const Tensor* cu, required_input(ctx, 4));
    const Tensor* attn_bias = ctx.input(5);
    if (input->dtype() != DType::kFloat32)
      return not_implemented(ctx.node().describe() + ": only float32 is supported, got " + dtype_name(input->dtype()));
    if (input->rank() != 2)
      return ctx.invalid("input must be [tokens, hidden], got " + shape_to_string(input->shape()));
    const int64_t tokens = input->dim(0);
    ONYX_ASSIGN_OR_RETURN(const contrib::QkvProjection::Bound proj, projection_.bind(ctx, input->dim(1)));
    const int64_t dt = proj.dt, dq = proj.dq, dk = proj.dk, dv = proj.dv;
    if (offsets->dtype() != DType::kInt32 || offsets->rank() != 2)
      return ctx.invalid("token_offset must be int32 [batch, sequence], got " + shape_to_string(offsets->shape()));
    const int64_t batch = offsets->dim(0), seq = offsets->dim(1);
    if (cu->dtype() != DType::kInt32 || cu->rank() != 1 || cu->dim(0) != batch + 1)
      return ctx.invalid("cumulative_sequence_length must be int32 [batch + 1] = [" + std::to_string(batch + 1) +
                         "], got " + shape_to_string(cu->shape()));
    const int32_t* cum = cu->data<int32_t>();
    const int32_t* off = offsets->data<int32_t>();
    int64_t longest = 0;
    for (int64_t b = 0; b < batch; ++b) {
      if (cum[b + 1] < cum[b] || cum[b + 1] - cum[b] > seq)
        return ctx.invalid("cumulative_sequence_length is not a non-decreasing count of at most sequence tokens each");
      longest = std::max<int64_t>(longest, cum[b + 1] - cum[b]);
    }
    if (cum[0] != 0 || cum[batch] != tokens)
      return ctx.invalid("cumulative_sequence_length must run from 0 to the token count " + std::to_string(tokens));
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = cum[b]; t < cum[b + 1]; ++t)
        if (off[t] < b * seq || off[t] >= (b + 1) * seq)
          return ctx.invalid("token_offset[" + std::to_string(t) + "] = " + std::to_string(off[t]) +
                             " is not a position of sequence " + std::to_string(b));
    if (attn_bias) {
      const Shape& d = attn_bias->shape();
      if (attn_bias->dtype() != DType::kFloat32 || d.size() != 4 || (d[0] != 1 && d[0] != batch) ||
          (d[1] != 1 && d[1] != heads_) || d[2] != seq || d[3] != seq)
        return ctx.invalid("attention_bias must be float32 [batch or 1, num_heads or 1, sequence, sequence] = [" +
                           std::to_string(batch) + "|1, " + std::to_string(heads_) + "|1, " + std::to_string(seq) +
                           ", " + std::to_string(seq) + "], got " + shape_to_string(d));
    }
    const int64_t bias_heads = attn_bias ? attn_bias->dim(1) : 0;
    const int64_t hq = dq / heads_, hv = dv / heads_;
    Tensor& out = ctx.allocate_output(0, DType::kFloat32, {tokens, dv});
    if (tokens == 0) return ok_status();

    const contrib::AttentionArgs longest_args =
        contrib::attention_args(1, heads_, longest, longest, 0, hq, hv, scale_, 0.0f, false);
    const size_t qkv_floats = static_cast<size_t>(tokens * dt);
    const size_t bias_floats = static_cast<size_t>(bias_heads * longest * longest);
    float* qkv = contrib::thread_scratch(qkv_floats + bias_floats + contrib::attention_scratch_floats(longest_args));
    float* seq_bias = qkv + qkv_floats;  // attention_bias rows/columns of one sequence's tokens: [bias_heads, L, L]
    ONYX_RETURN_IF_ERROR(projection_.run(proj, contrib::QkvProjection::Input::of(input->data<float>()), tokens, qkv));

    for (int64_t b = 0; b < batch; ++b) {
      const int64_t first = cum[b], len = cum[b + 1] - cum[b];
      if (len == 0) continue;
      contrib::AttentionArgs a = contrib::attention_args(1, heads_, len, len, 0, hq, hv, scale_, 0.0f, false);
      const float* rows = qkv + first * dt;
      a.q = {rows, len * dt, hq, dt};
      a.k = {rows + dq, len * dt, hq, dt};
      a.v = {rows + dq + dk, len * dt, hv, dt};
      a.out = out.data<float>() + first * dv;
      if (attn_bias) {
        // Token i of sequence b sits at padded position off[first + i] - b * S (right or left padding, holes).
        const float* src = attn_bias->data<float>() + (attn_bias->dim(0) == 1 ? 0 : b * bias_heads * seq * seq);
        for (int64_t n = 0; n < bias_heads; ++n)
          for (int64_t i = 0; i < len; ++i) {
            const float* row = src + (n * seq + off[first + i] - b * seq) * seq;
            float* dst = seq_bias + (n * len + i) * len;
            for (int64_t j = 0; j < len; ++j) dst[j] = row[off[first + j] - b * seq];
          }
        a.bias = seq_bias;
        a.bias_n_stride = bias_heads == 1 ? 0 : len * len;
        a.bias_b_stride = 0;
      }
      ONYX_RETURN_IF_ERROR(contrib::run_attention(a, seq_bias + bias_floats));
    }
    return ok_status();
  }

 private:
  int64_t heads_;
  float scale_;
  contrib::QkvProjection projection_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_packed_attention(const KernelInfo& info) {
  const ir::Node& n = info.node;
  const int64_t heads = n.attr_int("num_heads", 0);
  if (heads <= 0) return info.invalid("num_heads must be a positive integer, got " + std::to_string(heads));
  ONYX_ASSIGN_OR_RETURN(contrib::QkvProjection projection, contrib::QkvProjection::create(info, heads));
  return std::unique_ptr<Kernel>(
      std::make_unique<PackedAttentionKernel>(heads, n.attr_float("scale", 0.0f), std::move(projection)));
}

}  // namespace onyx::cpu
