// See attention_core.h.
#include "src/ep/cpu/kernels/contrib/attention_core.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu::contrib {

namespace {

int64_t total_len(const AttentionArgs& a) { return a.past_len + a.kv_len; }

bool needs_concat(const AttentionArgs& a) { return a.past_len > 0 || a.present_k || a.present_v; }

int64_t task_count(const AttentionArgs& a) {
  return std::max<int64_t>(1, std::min<int64_t>(intra_op_threads(), a.batch * a.heads));
}

// True when key position j is padding for query row s of batch b (the mask input says 0 / beyond the end).
bool is_padding(const AttentionArgs& a, int64_t b, int64_t s, int64_t j) {
  const int64_t t_len = total_len(a);
  const int32_t* m = a.mask.data;
  switch (a.mask.kind) {
    case MaskKind::kNone:
      return false;
    case MaskKind::kEnd:
      return j >= m[b];
    case MaskKind::kEndStart:
      return j >= m[b] || j < m[a.batch + b];
    case MaskKind::kRaw2D:
      return m[b * t_len + j] <= 0;
    case MaskKind::kRaw3D:
      return m[(b * a.q_len + s) * t_len + j] <= 0;
    case MaskKind::kRaw4D:
      return m[(b * a.mask.max_len + a.past_len + s) * a.mask.max_len + j] <= 0;
  }
  return false;
}

// Applies the mask to score row (b, s): padded keys get mask_filter added; with causal, keys after past_len + s
// are set to the lowest float (ORT 1.30 excludes them outright, whatever mask_filter is).
void apply_mask_row(const AttentionArgs& a, int64_t b, int64_t s, float* row) {
  const int64_t t_len = total_len(a);
  const int64_t visible = a.causal ? std::min(t_len, a.past_len + s + 1) : t_len;
  if (a.mask.kind != MaskKind::kNone)
    for (int64_t j = 0; j < visible; ++j)
      if (is_padding(a, b, s, j)) row[j] += a.mask_filter;
  std::fill(row + visible, row + t_len, std::numeric_limits<float>::lowest());
}

// present / concat buffer for one (b, n): past rows then new rows, [T, d].
void concat_rows(const HeadView& past, const HeadView& now, int64_t b, int64_t n, int64_t past_len, int64_t kv_len,
                 int64_t d, float* dst) {
  for (int64_t r = 0; r < past_len; ++r) std::memcpy(dst + r * d, past.at(b, n) + r * past.r_stride, sizeof(float) * d);
  for (int64_t r = 0; r < kv_len; ++r)
    std::memcpy(dst + (past_len + r) * d, now.at(b, n) + r * now.r_stride, sizeof(float) * d);
}

}  // namespace

AttentionArgs attention_args(int64_t batch, int64_t heads, int64_t q_len, int64_t kv_len, int64_t past_len,
                             int64_t qk_dim, int64_t v_dim, float scale_attr, float mask_filter, bool causal) {
  AttentionArgs a;
  a.batch = batch;
  a.heads = heads;
  a.q_len = q_len;
  a.kv_len = kv_len;
  a.past_len = past_len;
  a.qk_dim = qk_dim;
  a.v_dim = v_dim;
  a.scale = scale_attr != 0.0f ? scale_attr : 1.0f / std::sqrt(static_cast<float>(qk_dim));
  a.mask_filter = mask_filter;
  a.causal = causal;
  return a;
}

Result<AttentionMask> classify_attention_mask(const KernelContext& ctx, const Tensor* mask, int64_t batch,
                                              int64_t q_len, int64_t t_len) {
  AttentionMask m;
  if (!mask) return m;
  if (mask->dtype() != DType::kInt32) return ctx.invalid("mask must be int32, got " + dtype_name(mask->dtype()));
  m.data = mask->data<int32_t>();
  const Shape& d = mask->shape();
  const std::string got = shape_to_string(d);
  if (d.size() == 1) {
    if (d[0] == batch)
      m.kind = MaskKind::kEnd;
    else if (d[0] == 2 * batch)
      m.kind = MaskKind::kEndStart;
    else if (d[0] == 3 * batch + 2)
      return not_implemented(ctx.node().describe() + ": mask of shape [3*batch+2] (CUDA only in ORT) is not supported");
    else
      return ctx.invalid("1-D mask must be [batch] or [2*batch], got " + got);
  } else if (d.size() == 2) {
    if (d[0] != batch || d[1] != t_len)
      return ctx.invalid("2-D mask must be [batch, total_sequence_length] = [" + std::to_string(batch) + ", " +
                         std::to_string(t_len) + "], got " + got);
    m.kind = MaskKind::kRaw2D;
  } else if (d.size() == 3) {
    if (d[0] != batch || d[1] != q_len || d[2] != t_len)
      return ctx.invalid("3-D mask must be [batch, sequence_length, total_sequence_length], got " + got);
    m.kind = MaskKind::kRaw3D;
  } else if (d.size() == 4) {
    if (d[0] != batch || d[1] != 1 || d[2] != d[3] || d[3] < t_len)
      return ctx.invalid(
          "4-D mask must be [batch, 1, max_sequence_length, max_sequence_length] with "
          "max_sequence_length >= total_sequence_length " +
          std::to_string(t_len) + ", got " + got);
    m.kind = MaskKind::kRaw4D;
    m.max_len = d[3];
  } else {
    return ctx.invalid("mask must be 1-D, 2-D, 3-D or 4-D, got " + got);
  }
  return m;
}

Status set_attention_bias(const KernelContext& ctx, const Tensor* bias, AttentionArgs& a) {
  if (!bias) return ok_status();
  if (bias->dtype() != DType::kFloat32)
    return not_implemented(ctx.node().describe() + ": attention_bias must be float32, got " +
                           dtype_name(bias->dtype()));
  const Shape& d = bias->shape();
  const int64_t t_len = total_len(a);
  if (d.size() != 4 || (d[0] != 1 && d[0] != a.batch) || (d[1] != 1 && d[1] != a.heads) || d[2] != a.q_len ||
      d[3] != t_len)
    return ctx.invalid(
        "attention_bias must be [batch or 1, num_heads or 1, sequence_length, total_sequence_length] = "
        "[" +
        std::to_string(a.batch) + "|1, " + std::to_string(a.heads) + "|1, " + std::to_string(a.q_len) + ", " +
        std::to_string(t_len) + "], got " + shape_to_string(d));
  a.bias = bias->data<float>();
  a.bias_n_stride = d[1] == 1 ? 0 : a.q_len * t_len;
  a.bias_b_stride = d[0] == 1 ? 0 : d[1] * a.q_len * t_len;
  return ok_status();
}

size_t attention_scratch_floats(const AttentionArgs& a) {
  const int64_t t_len = total_len(a);
  int64_t n = task_count(a) * a.q_len * t_len;
  if (needs_concat(a)) {
    if (!a.present_k) n += a.batch * a.heads * t_len * a.qk_dim;
    if (!a.present_v) n += a.batch * a.heads * t_len * a.v_dim;
  }
  return static_cast<size_t>(n);
}

Status run_attention(const AttentionArgs& a, float* scratch) {
  const int64_t s_len = a.q_len, t_len = total_len(a), nh = a.heads;
  const int64_t pairs = a.batch * nh;
  if (pairs == 0 || s_len == 0) return ok_status();
  HeadView k = a.k, v = a.v;
  float* free = scratch;
  if (needs_concat(a)) {
    float* kbuf = a.present_k;
    float* vbuf = a.present_v;
    if (!kbuf) {
      kbuf = free;
      free += pairs * t_len * a.qk_dim;
    }
    if (!vbuf) {
      vbuf = free;
      free += pairs * t_len * a.v_dim;
    }
    parallel_for(pairs, 4, [&](int64_t pb, int64_t pe) {
      for (int64_t p = pb; p < pe; ++p) {
        const int64_t b = p / nh, n = p % nh;
        concat_rows(a.past_k, a.k, b, n, a.past_len, a.kv_len, a.qk_dim, kbuf + p * t_len * a.qk_dim);
        concat_rows(a.past_v, a.v, b, n, a.past_len, a.kv_len, a.v_dim, vbuf + p * t_len * a.v_dim);
      }
    });
    k = HeadView{kbuf, nh * t_len * a.qk_dim, t_len * a.qk_dim, a.qk_dim};
    v = HeadView{vbuf, nh * t_len * a.v_dim, t_len * a.v_dim, a.v_dim};
  }
  if (t_len == 0) return ok_status();
  const bool masked = a.mask.kind != MaskKind::kNone || a.causal;
  const int64_t tasks = task_count(a);
  const RowKernelsF32& rk = row_kernels_f32();
  const int64_t out_row = nh * a.v_dim;
  std::atomic<bool> gemm_failed{false};
  parallel_for(tasks, 1, [&](int64_t tb, int64_t te) {
    for (int64_t task = tb; task < te; ++task) {
      float* scores = free + task * s_len * t_len;
      for (int64_t p = pairs * task / tasks; p < pairs * (task + 1) / tasks; ++p) {
        const int64_t b = p / nh, n = p % nh;
        // scores = (scale * Q K^T + attention_bias) + mask, summed in ORT's order (it matters for fully masked
        // rows, where every score sits near mask_filter and rounds to its ulp)
        if (a.bias)
          std::memcpy(scores, a.bias + b * a.bias_b_stride + n * a.bias_n_stride, sizeof(float) * s_len * t_len);
        GemmParams qk{.trans_a = false,
                      .trans_b = true,
                      .m = s_len,
                      .n = t_len,
                      .k = a.qk_dim,
                      .alpha = a.scale,
                      .beta = a.bias ? 1.0f : 0.0f,
                      .lda = a.q.r_stride,
                      .ldb = k.r_stride,
                      .ldc = t_len};
        if (!gemm_f32(qk, a.q.at(b, n), k.at(b, n), scores).ok()) {
          gemm_failed = true;
          return;
        }
        if (masked)
          for (int64_t s = 0; s < s_len; ++s) apply_mask_row(a, b, s, scores + s * t_len);
        for (int64_t s = 0; s < s_len; ++s) {
          float* row = scores + s * t_len;
          const float sum = rk.exp_shift_sum(row, rk.max(row, t_len), row, t_len);
          rk.scale_shift(row, 1.0f / sum, 0.0f, row, t_len);
        }
        GemmParams pv{.m = s_len, .n = a.v_dim, .k = t_len, .lda = t_len, .ldb = v.r_stride, .ldc = out_row};
        if (!gemm_f32(pv, scores, v.at(b, n), a.out + b * s_len * out_row + n * a.v_dim).ok()) {
          gemm_failed = true;
          return;
        }
      }
    }
  });
  if (gemm_failed)
    return internal_error("attention: a GEMM failed (S " + std::to_string(s_len) + ", T " + std::to_string(t_len) +
                          ", head dims " + std::to_string(a.qk_dim) + "/" + std::to_string(a.v_dim) + ")");
  return ok_status();
}

}  // namespace onyx::cpu::contrib
