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
// shifted by mask_filter, as in ORT; with mask_filter the lowest float, a causal row whose visible keys are all
// padding has every score equal to the lowest float, future keys included, so it averages V over all T keys.
// Variants (AttentionCoreKernels, chosen once from cpu_features(); AttentionArgs::kernels overrides it):
//   avx512     per (b, n) K^T packed [Dqk, T32] and V [T, Dv] once per thread; per block of 8 query rows
//              S = scale Q K^T by an 8 x 32 register tile, then per row one pass adds attention_bias and the mask
//              and takes the max, exp / sum (row_kernels), P V by a 4 x 64 tile scaled by 1 / sum straight into the
//              [B, S, N*Dv] output; causal blocks stop at their last visible key
//   reference  the same blocking with plain loops (what tests compare the AVX-512 table against)
//   Work is B*N*ceil(S/8) units split evenly over the intra-op threads (so batch 1 keeps every thread busy), with
//   one K^T / score block per thread in the caller's scratch buffer; past / present: K, V concatenated first.
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

// The inner kernels of run_attention (one ISA). Row-major; ld* are row strides in floats.
struct AttentionCoreKernels {
  const char* name;
  // s[r * lds + j] = scale * sum_d q[r * ldq + d] * kt[d * ldkt + j] for r < rows, j < cols. kt rows are readable
  // up to the next multiple of 32 of cols.
  void (*scores)(const float* q, int64_t ldq, int64_t rows, const float* kt, int64_t ldkt, int64_t dim, int64_t cols,
                 float scale, float* s, int64_t lds);
  // row[j] = (row[j] + bias[j]) + madd[j] for j < n (bias / madd may be null); returns max_j row[j].
  float (*add_max)(float* row, const float* bias, const float* madd, int64_t n);
  // y[j] = exp(x[j] - shift); returns sum_j y[j] (y may equal x).
  float (*exp_shift_sum)(const float* x, float shift, float* y, int64_t n);
  // out[r * ldo + e] = inv[r] * sum_j p[r * ldp + j] * v[j * ldv + e] for r < rows, e < dim.
  void (*probs_v)(const float* p, int64_t ldp, int64_t rows, int64_t cols, const float* v, int64_t ldv, int64_t dim,
                  const float* inv, float* out, int64_t ldo);
};

const AttentionCoreKernels& attention_core_kernels();            // the best for this CPU
const AttentionCoreKernels& attention_core_kernels_reference();  // plain loops
const AttentionCoreKernels* attention_core_kernels_avx512();     // null without AVX-512F

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
  float* out = nullptr;                           // [B, S, N * v_dim]
  const AttentionCoreKernels* kernels = nullptr;  // null = attention_core_kernels()
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
// A buffer of at least `floats` floats owned by the calling thread, kept between calls (it grows, never shrinks),
// so a kernel's scratch costs no heap allocation per run. Valid until the same thread's next call.
float* thread_scratch(size_t floats);
// Floats of scratch run_attention needs.
size_t attention_scratch_floats(const AttentionArgs& args);
Status run_attention(const AttentionArgs& args, float* scratch);

}  // namespace onyx::cpu::contrib
