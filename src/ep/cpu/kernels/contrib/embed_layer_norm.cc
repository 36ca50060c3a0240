// EmbedLayerNormalization (com.microsoft): BERT's embedding block.
//   sum[b,s]  = word_embedding[input_ids[b,s]] + position_embedding[pos(b,s)] (+ segment_embedding[segment_ids[b,s]])
//   output    = LayerNorm(sum) * gamma + beta                         [B, S, H]
//   mask_index[b] = number of mask[b, :] entries equal to 1 (0 when mask is absent)   [B] int32
//   embedding_sum = sum (optional output 2)
// pos(b,s) = s, or position_ids[b,s] ([B,S]) / position_ids[s] ([1,S]). Inputs: input_ids, segment_ids?,
// word_embedding, position_embedding, segment_embedding?, gamma, beta, mask?, position_ids? (ids int32, as ORT).
// Out-of-range ids are an InvalidArgument naming the id. Attribute epsilon (1e-12); mask_index_type only matters to
// shape inference. float32 only (float16/bfloat16 through the half bridge).
// Variants:
//   float32  gather + add + row layer norm (row_kernels_f32), rows in parallel
#include <algorithm>
#include <atomic>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu {

namespace {

class EmbedLayerNormKernel final : public Kernel {
 public:
  explicit EmbedLayerNormKernel(float epsilon) : epsilon_(epsilon) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* ids, required_input(ctx, 0));
    const Tensor* seg_ids = ctx.input(1);
    ONYX_ASSIGN_OR_RETURN(const Tensor* word, required_input(ctx, 2));
    ONYX_ASSIGN_OR_RETURN(const Tensor* pos, required_input(ctx, 3));
    const Tensor* seg = ctx.input(4);
    ONYX_ASSIGN_OR_RETURN(const Tensor* gamma, required_input(ctx, 5));
    ONYX_ASSIGN_OR_RETURN(const Tensor* beta, required_input(ctx, 6));
    const Tensor* mask = ctx.input(7);
    const Tensor* pos_ids = ctx.input(8);
    for (const Tensor* t : {ids, seg_ids, mask, pos_ids})
      if (t && t->dtype() != DType::kInt32)
        return ctx.invalid("input_ids, segment_ids, mask and position_ids must be int32, got " +
                           dtype_name(t->dtype()));
    for (const Tensor* t : {word, pos, seg, gamma, beta})
      if (t && t->dtype() != DType::kFloat32)
        return not_implemented(ctx.node().describe() +
                               ": only float32 embeddings (and float16/bfloat16 via float32) "
                               "are supported, got " +
                               dtype_name(t->dtype()));
    if (ids->rank() != 2)
      return ctx.invalid("input_ids must be 2-D [batch, sequence], got " + shape_to_string(ids->shape()));
    if ((seg_ids == nullptr) != (seg == nullptr))
      return ctx.invalid("segment_ids and segment_embedding must be given together");
    const int64_t batch = ids->dim(0), seq = ids->dim(1);
    if (word->rank() != 2 || pos->rank() != 2 || (seg && seg->rank() != 2))
      return ctx.invalid("word/position/segment embeddings must be 2-D [rows, hidden]");
    const int64_t h = word->dim(1);
    if (pos->dim(1) != h || (seg && seg->dim(1) != h) || gamma->numel() != h || beta->numel() != h)
      return ctx.invalid("embeddings, gamma and beta must share the hidden size " + std::to_string(h));
    for (const Tensor* t : {seg_ids, mask})
      if (t && t->shape() != ids->shape())
        return ctx.invalid("segment_ids and mask must have input_ids' shape " + shape_to_string(ids->shape()) +
                           ", got " + shape_to_string(t->shape()));
    const bool pos_broadcast = pos_ids && pos_ids->numel() == seq && batch != 1;
    if (pos_ids && pos_ids->numel() != seq && pos_ids->numel() != batch * seq)
      return ctx.invalid("position_ids must be [batch, sequence] or [1, sequence], got " +
                         shape_to_string(pos_ids->shape()));

    Tensor& out = ctx.allocate_output(0, DType::kFloat32, {batch, seq, h});
    if (wants_output(ctx, 1)) {
      int32_t* mi = ctx.allocate_output(1, DType::kInt32, {batch}).data<int32_t>();
      for (int64_t b = 0; b < batch; ++b) {
        int32_t n = 0;
        if (mask)
          for (int64_t s = 0; s < seq; ++s) n += mask->data<int32_t>()[b * seq + s] == 1;
        mi[b] = n;
      }
    }
    float* sum_out =
        wants_output(ctx, 2) ? ctx.allocate_output(2, DType::kFloat32, {batch, seq, h}).data<float>() : nullptr;
    const int32_t* idd = ids->data<int32_t>();
    const int32_t* sid = seg_ids ? seg_ids->data<int32_t>() : nullptr;
    const int32_t* pid = pos_ids ? pos_ids->data<int32_t>() : nullptr;
    const float* wd = word->data<float>();
    const float* pd = pos->data<float>();
    const float* sd = seg ? seg->data<float>() : nullptr;
    const float* gd = gamma->data<float>();
    const float* bd = beta->data<float>();
    float* od = out.data<float>();
    const int64_t n_word = word->dim(0), n_pos = pos->dim(0), n_seg = seg ? seg->dim(0) : 0;
    std::atomic<int64_t> bad_row{-1};
    const RowKernelsF32& k = row_kernels_f32();
    parallel_for(batch * seq, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, h)), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const int64_t w = idd[r];
        const int64_t p = pid ? pid[pos_broadcast ? r % seq : r] : r % seq;
        const int64_t s = sid ? sid[r] : 0;
        if (w < 0 || w >= n_word || p < 0 || p >= n_pos || (sid && (s < 0 || s >= n_seg))) {
          bad_row.store(r);
          continue;
        }
        float* sum = sum_out ? sum_out + r * h : od + r * h;
        const float* wr = wd + w * h;
        const float* pr = pd + p * h;
        if (sd) {
          const float* sr = sd + s * h;
          for (int64_t j = 0; j < h; ++j) sum[j] = wr[j] + pr[j] + sr[j];
        } else {
          for (int64_t j = 0; j < h; ++j) sum[j] = wr[j] + pr[j];
        }
        float mean, inv;
        k.layer_norm(sum, gd, bd, od + r * h, h, epsilon_, &mean, &inv);
      }
    });
    if (const int64_t r = bad_row.load(); r >= 0)
      return ctx.invalid(
          "id out of range at [" + std::to_string(r / seq) + ", " + std::to_string(r % seq) + "]: input_id " +
          std::to_string(idd[r]) + " (word rows " + std::to_string(n_word) + ")" +
          (pid ? ", position_id " + std::to_string(pid[pos_broadcast ? r % seq : r]) : "") + " (position rows " +
          std::to_string(n_pos) + ")" +
          (sid ? ", segment_id " + std::to_string(sid[r]) + " (segment rows " + std::to_string(n_seg) + ")" : ""));
    return ok_status();
  }

 private:
  float epsilon_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_embed_layer_normalization(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<EmbedLayerNormKernel>(info.node.attr_float("epsilon", 1e-12f)));
}

}  // namespace onyx::cpu
