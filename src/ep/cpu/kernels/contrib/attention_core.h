// The scaled-dot-product core shared by Attention and MultiHeadAttention (com.microsoft), with ONNX Runtime's mask
// semantics: masks are additive. Per (batch b, head n), with T = past_len + kv_len:
//
//   K_all = [past_k ; k]  V_all = [past_v ; v]             (written to present_k / present_v when asked)
//   scores[S, T] = (scale * Q K_all^T + attention_bias[b|0, n|0]) + mask_add[b]      (ORT's summation order)
//   probs = softmax(scores) row-wise;   out[b, s, n*Dv : (n+1)*Dv] = probs V_all
//
// mask_add[b, s, j] = padding(b, s, j) ? mask_filter : 0, where padding is: 1-D [B] j >= end[b]; 1-D [2B] also
// j < start[b]; 2-D [B, T] raw 0/1 == 0; 3-D [B, S, T] raw == 0; 4-D [B, 1, M, M] raw mask[b, 0, past_len + s, j]
// == 0 (ORT's CUDA "Megatron" form). With causal, keys j > past_len + s get the lowest float instead (excluded
// whatever mask_filter is, as ORT 1.30 does). A fully masked row thus keeps the softmax of its visible scores, all
// shifted by mask_filter, as in ORT.
// Variants:
//   float32  per (b, n): gemm_f32 for Q K^T (into a mask-prefilled score block, beta = 1) and for probs V (written
//            straight into the [B, S, N*Dv] output), row softmax from row_kernels_f32; parallel over B*N with one
//            score block per task in the caller's scratch buffer
// Thread safety: run_attention is reentrant; the caller owns every buffer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu::contrib {

// A strided view of [B, N, rows, D] floats: element (b, n, r, d) is data[b*b_stride + n*n_stride + r*r_stride + d].
struct HeadView {
  const float* data = nullptr;
  int64_t b_stride = 0;
  int64_t n_stride = 0;
  int64_t r_stride = 0;
  const float* at(int64_t b, int64_t n) const { return data + b * b_stride + n * n_stride; }
};

enum class MaskKind { kNone, kEnd, kEndStart, kRaw2D, kRaw3D, kRaw4D };

struct AttentionMask {
  MaskKind kind = MaskKind::kNone;
  const int32_t* data = nullptr;
  int64_t max_len = 0;  // 4-D: M
};

struct AttentionArgs {
  int64_t batch = 0, heads = 0;
  int64_t q_len = 0;              // S
  int64_t kv_len = 0;             // new key / value rows
  int64_t past_len = 0;           // P (T = P + kv_len)
  int64_t qk_dim = 0, v_dim = 0;  // per head
  float scale = 1.0f;
  float mask_filter = -10000.0f;
  bool causal = false;
  HeadView q, k, v, past_k, past_v;
  float* present_k = nullptr;  // [B, N, T, qk_dim] or null
  float* present_v = nullptr;  // [B, N, T, v_dim] or null
  AttentionMask mask;
  const float* bias = nullptr;  // attention_bias: [S, T] blocks at b * bias_b_stride + n * bias_n_stride
  int64_t bias_b_stride = 0, bias_n_stride = 0;
  float* out = nullptr;  // [B, S, N * v_dim]
};

// Args with the sizes and attributes filled in (scale_attr 0 = 1 / sqrt(qk_dim)); the caller sets the views, mask,
// attention_bias and buffers.
AttentionArgs attention_args(int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len, int64_t past_len,
                             int64_t qk_dim, int64_t v_dim, float scale_attr, float mask_filter, bool causal);

// The mask kind of `mask` (int32, may be null) for batch B, query length S and total length T; InvalidArgument
// naming the shape when ORT would reject it, NotImplemented for the [3B+2] CUDA form.
Result<AttentionMask> classify_attention_mask(const KernelContext& ctx, const Tensor* mask, int64_t batch,
                                              int64_t q_len, int64_t total_len);
// Checks attention_bias [B or 1, N or 1, S, T] (float32) and sets args.bias / strides.
Status set_attention_bias(const KernelContext& ctx, const Tensor* bias, AttentionArgs& args);
// Floats of scratch run_attention needs.
size_t attention_scratch_floats(const AttentionArgs& args);
Status run_attention(const AttentionArgs& args, float* scratch);

}  // namespace onyx::cpu::contrib
