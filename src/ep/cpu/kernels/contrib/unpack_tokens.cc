// UnpackTokens (com.onyx): scatters packed tokens back to the padded layout (the inverse of PackTokens).
//   packed [T, ...] (any dtype), token_offset [B, S] int32 (PackTokens' layout: the first T entries are the flat
//   positions b*S + s of the tokens) -> [B, S, ...] with zeros at the padding positions
// Variants:
//   any dtype  zero the padding rows, then a row memcpy per token (rows in parallel)
#include <cstring>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"

namespace onyx::cpu {

namespace {

Status compute_unpack_tokens(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* packed, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* offsets, required_input(ctx, 1));
  if (offsets->dtype() != DType::kInt32 || offsets->rank() != 2)
    return ctx.invalid("token_offset must be int32 [batch, sequence], got " + dtype_name(offsets->dtype()) + " " +
                       shape_to_string(offsets->shape()));
  if (packed->rank() < 1) return ctx.invalid("packed must be [tokens, ...], got a scalar");
  const int64_t batch = offsets->dim(0), seq = offsets->dim(1), tokens = packed->dim(0);
  if (tokens > batch * seq)
    return ctx.invalid("packed has " + std::to_string(tokens) + " tokens, more than batch * sequence = " +
                       std::to_string(batch * seq));
  Shape shape = packed->shape();
  shape[0] = seq;
  shape.insert(shape.begin(), batch);
  Tensor& out = ctx.allocate_output(0, packed->dtype(), shape);
  const size_t row_bytes = tokens == 0 ? (batch * seq == 0 ? 0 : out.nbytes() / static_cast<size_t>(batch * seq))
                                       : packed->nbytes() / static_cast<size_t>(tokens);
  const int32_t* off = offsets->data<int32_t>();
  for (int64_t i = 0; i < batch * seq; ++i)
    if (off[i] < 0 || off[i] >= batch * seq)
      return ctx.invalid("token_offset[" + std::to_string(i) + "] = " + std::to_string(off[i]) +
                         " is outside [0, batch * sequence)");
  const auto* src = static_cast<const char*>(packed->raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  parallel_for(batch * seq, 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      char* row = dst + static_cast<size_t>(off[i]) * row_bytes;
      if (i < tokens)
        std::memcpy(row, src + i * row_bytes, row_bytes);
      else
        std::memset(row, 0, row_bytes);
    }
  });
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_unpack_tokens(const KernelInfo&) {
  return make_function_kernel(&compute_unpack_tokens);
}

}  // namespace onyx::cpu
