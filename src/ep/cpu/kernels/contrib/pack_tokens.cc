// PackTokens (com.onyx): removes the padding of a batch (SessionOptions::remove_padding, the RemovePadding pass).
//   x [B, S, H...] (any dtype), mask [B, S] (int32 or int64, nonzero = token)
//   -> packed [T, H...]: the T tokens in order (b, then s), whatever the mask pattern (right or left padding, holes)
//      token_offset [B, S] int32: the flat positions b*S + s of the T tokens in order, then those of the padding
//                   (ONNX Runtime's RemovePadding / PackedAttention layout)
//      cu_seqlens [B + 1] int32: cu_seqlens[b] = tokens of sequences < b (cu_seqlens[B] = T)
// Variants:
//   any dtype  one pass over the mask for the offsets, then a row memcpy per token (rows in parallel)
#include <cstring>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"

namespace onyx::cpu {

namespace {

template <typename M>
void offsets_from_mask(const M* mask, int64_t batch, int64_t seq, int32_t* token_offset, int32_t* cu_seqlens,
                       int64_t& tokens) {
  tokens = 0;
  for (int64_t i = 0; i < batch * seq; ++i) tokens += mask[i] != 0;
  int64_t tok = 0, pad = tokens;
  cu_seqlens[0] = 0;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t s = 0; s < seq; ++s) {
      const int64_t flat = b * seq + s;
      token_offset[mask[flat] != 0 ? tok++ : pad++] = static_cast<int32_t>(flat);
    }
    cu_seqlens[b + 1] = static_cast<int32_t>(tok);
  }
}

Status compute_pack_tokens(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* mask, required_input(ctx, 1));
  if (mask->dtype() != DType::kInt32 && mask->dtype() != DType::kInt64)
    return ctx.invalid("mask must be int32 or int64, got " + dtype_name(mask->dtype()));
  if (x->rank() < 2 || mask->rank() != 2 || mask->dim(0) != x->dim(0) || mask->dim(1) != x->dim(1))
    return ctx.invalid("x " + shape_to_string(x->shape()) + " must be [batch, sequence, ...] and mask " +
                       shape_to_string(mask->shape()) + " [batch, sequence] of the same batch and sequence");
  const int64_t batch = x->dim(0), seq = x->dim(1);
  if (batch * seq > INT32_MAX) return ctx.invalid("batch * sequence exceeds the int32 token offsets");
  int32_t* offsets = ctx.allocate_output(1, DType::kInt32, {batch, seq}).data<int32_t>();
  int32_t* cu = ctx.allocate_output(2, DType::kInt32, {batch + 1}).data<int32_t>();
  int64_t tokens = 0;
  if (mask->dtype() == DType::kInt32)
    offsets_from_mask(mask->data<int32_t>(), batch, seq, offsets, cu, tokens);
  else
    offsets_from_mask(mask->data<int64_t>(), batch, seq, offsets, cu, tokens);
  Shape packed_shape = x->shape();
  packed_shape.erase(packed_shape.begin());
  packed_shape[0] = tokens;
  Tensor& packed = ctx.allocate_output(0, x->dtype(), packed_shape);
  const size_t row_bytes = batch * seq == 0 ? 0 : x->nbytes() / static_cast<size_t>(batch * seq);
  const auto* src = static_cast<const char*>(x->raw_data());
  auto* dst = static_cast<char*>(packed.raw_data());
  parallel_for(tokens, 64, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) std::memcpy(dst + t * row_bytes, src + offsets[t] * row_bytes, row_bytes);
  });
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_pack_tokens(const KernelInfo&) {
  return make_function_kernel(&compute_pack_tokens);
}

}  // namespace onyx::cpu
