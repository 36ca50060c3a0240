// Shared by Gelu, FastGelu and BiasGelu: a row loop that adds an optional bias over the last dimension and applies
// one of the two GELU formulas, through the ISA-dispatched row kernels (row_kernels.h: AVX-512 or the reference):
//   GeluKind::kErf   0.5 x (1 + erf(x / sqrt 2))                                  (Gelu, BiasGelu)
//   GeluKind::kTanh  0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))            (FastGelu)
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernel.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu::contrib {

// Y = fn(X + bias) with bias (may be null) broadcast over X's last dimension; float32 only.
enum class GeluKind { kErf, kTanh };

template <GeluKind kKind>
Status gelu_with_bias(KernelContext& ctx, const Tensor& x, const Tensor* bias, const char* op) {
  if (x.dtype() != DType::kFloat32 || (bias && bias->dtype() != DType::kFloat32))
    return not_implemented(ctx.node().describe() + ": " + op +
                           " supports float32 (and float16/bfloat16 via float32), got " +
                           std::string(dtype_name(x.dtype())));
  const int64_t n = x.numel();
  const int64_t d = x.rank() == 0 ? 1 : x.dim(x.rank() - 1);
  if (bias && (bias->numel() != d || (bias->rank() > 0 && bias->dim(bias->rank() - 1) != d)))
    return ctx.invalid(std::string("bias ") + shape_to_string(bias->shape()) +
                       " must be 1-D with the input's last dimension " + std::to_string(d) + " (input " +
                       shape_to_string(x.shape()) + ")");
  Tensor& y = ctx.allocate_output(0, DType::kFloat32, x.shape());
  const float* xd = x.data<float>();
  const float* bd = bias ? bias->data<float>() : nullptr;
  float* yd = y.data<float>();
  if (d == 0) return ok_status();
  const int64_t rows = n / d;
  const RowKernelsF32& rk = row_kernels_f32();
  const auto gelu = kKind == GeluKind::kErf ? rk.gelu_erf : rk.gelu_tanh;
  parallel_for(rows, std::max<int64_t>(1, 16384 / d), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) gelu(xd + r * d, bd, yd + r * d, d);
  });
  return ok_status();
}

}  // namespace onyx::cpu::contrib
