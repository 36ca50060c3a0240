// See attention_core.h.
#include "src/ep/cpu/kernels/contrib/attention_core.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu::contrib {

namespace {

int64_t total_len(const AttentionArgs& a) { return a.past_len + a.kv_len; }

bool needs_concat(const AttentionArgs& a) { return a.past_len > 0 || a.present_k || a.present_v; }

constexpr int64_t kQueryBlock = 8;  // query rows per work unit (the AVX-512 score tile's height)

int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
int64_t kt_stride(const AttentionArgs& a) { return round_up(total_len(a), 32); }
int64_t query_blocks(const AttentionArgs& a) { return (a.q_len + kQueryBlock - 1) / kQueryBlock; }
int64_t work_units(const AttentionArgs& a) { return a.batch * a.heads * query_blocks(a); }
int64_t task_count(const AttentionArgs& a) {
  return std::max<int64_t>(1, std::min<int64_t>(intra_op_threads(), work_units(a)));
}
// Masks that are the same for every query row (one additive row per batch, built once per run).
bool row_independent_mask(MaskKind k) {
  return k == MaskKind::kEnd || k == MaskKind::kEndStart || k == MaskKind::kRaw2D;
}
// Floats of one task's scratch: K^T, packed V, the score block, a mask row, the 1/sum of each row.
int64_t task_floats(const AttentionArgs& a) {
  const int64_t ld = kt_stride(a);
  return a.qk_dim * ld + total_len(a) * a.v_dim + kQueryBlock * ld + ld + kQueryBlock;
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

// madd[j] = padding(b, s, j) ? mask_filter : 0 for j < n.
void fill_mask_row(const AttentionArgs& a, int64_t b, int64_t s, int64_t n, float* madd) {
  for (int64_t j = 0; j < n; ++j) madd[j] = is_padding(a, b, s, j) ? a.mask_filter : 0.0f;
}

// kt[d * ldkt + j] = k[j * ldk + d] for j < t, zero for t <= j < ldkt. K rows are read whole (they sit a whole
// QKV row apart, a stride that maps them onto few cache sets).
void pack_kt(const float* k, int64_t ldk, int64_t t, int64_t dim, float* kt, int64_t ldkt) {
  for (int64_t j = 0; j < t; ++j)
    for (int64_t d = 0; d < dim; ++d) kt[d * ldkt + j] = k[j * ldk + d];
  for (int64_t d = 0; d < dim; ++d) std::fill(kt + d * ldkt + t, kt + (d + 1) * ldkt, 0.0f);
}

// vp[j * dim + e] = v[j * ldv + e]: V rows made contiguous, so P V streams them instead of hitting the same few
// cache sets once per key.
void pack_v(const float* v, int64_t ldv, int64_t t, int64_t dim, float* vp) {
  for (int64_t j = 0; j < t; ++j) std::memcpy(vp + j * dim, v + j * ldv, sizeof(float) * dim);
}

void scores_ref(const float* q, int64_t ldq, int64_t rows, const float* kt, int64_t ldkt, int64_t dim, int64_t cols,
                float scale, float* s, int64_t lds) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) {
      float acc = 0.0f;
      for (int64_t d = 0; d < dim; ++d) acc += q[r * ldq + d] * kt[d * ldkt + j];
      s[r * lds + j] = scale * acc;
    }
}

float add_max_ref(float* row, const float* bias, const float* madd, int64_t n) {
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < n; ++j) {
    float x = row[j];
    if (bias) x += bias[j];
    if (madd) x += madd[j];
    row[j] = x;
    m = std::max(m, x);
  }
  return m;
}

void probs_v_ref(const float* p, int64_t ldp, int64_t rows, int64_t cols, const float* v, int64_t ldv, int64_t dim,
                 const float* inv, float* out, int64_t ldo) {
  for (int64_t r = 0; r < rows; ++r) {
    float* o = out + r * ldo;
    std::fill(o, o + dim, 0.0f);
    for (int64_t j = 0; j < cols; ++j) {
      const float pj = p[r * ldp + j];
      for (int64_t e = 0; e < dim; ++e) o[e] += pj * v[j * ldv + e];
    }
    for (int64_t e = 0; e < dim; ++e) o[e] *= inv[r];
  }
}

// present / concat buffer for one (b, n): past rows then new rows, [T, d].
void concat_rows(const HeadView& past, const HeadView& now, int64_t b, int64_t n, int64_t past_len, int64_t kv_len,
                 int64_t d, float* dst) {
  for (int64_t r = 0; r < past_len; ++r) std::memcpy(dst + r * d, past.at(b, n) + r * past.r_stride, sizeof(float) * d);
  for (int64_t r = 0; r < kv_len; ++r)
    std::memcpy(dst + (past_len + r) * d, now.at(b, n) + r * now.r_stride, sizeof(float) * d);
}

}  // namespace

const AttentionCoreKernels& attention_core_kernels_reference() {
  static const AttentionCoreKernels table{"reference", scores_ref, add_max_ref,
                                          row_kernels_f32_reference().exp_shift_sum, probs_v_ref};
  return table;
}

const AttentionCoreKernels& attention_core_kernels() {
  static const AttentionCoreKernels& table = []() -> const AttentionCoreKernels& {
    const AttentionCoreKernels* avx512 = attention_core_kernels_avx512();
    return avx512 ? *avx512 : attention_core_kernels_reference();
  }();
  return table;
}

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

float* thread_scratch(size_t floats) {
  thread_local std::vector<float> buf;
  if (buf.size() < floats) {
    buf.clear();
    buf.shrink_to_fit();
    buf.resize(floats);
  }
  return buf.data();
}

size_t attention_scratch_floats(const AttentionArgs& a) {
  const int64_t t_len = total_len(a);
  int64_t n = task_count(a) * task_floats(a);
  if (row_independent_mask(a.mask.kind)) n += a.batch * kt_stride(a);
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
  const AttentionCoreKernels& kern = a.kernels ? *a.kernels : attention_core_kernels();
  const int64_t ldkt = kt_stride(a);
  const float* madd_rows = nullptr;  // [B, ldkt] for masks that do not depend on the query row
  if (row_independent_mask(a.mask.kind)) {
    for (int64_t b = 0; b < a.batch; ++b) fill_mask_row(a, b, 0, t_len, free + b * ldkt);
    madd_rows = free;
    free += a.batch * ldkt;
  }
  const int64_t tasks = task_count(a), blocks = query_blocks(a), units = work_units(a);
  const int64_t out_row = nh * a.v_dim;
  parallel_for(tasks, 1, [&](int64_t tb, int64_t te) {
    for (int64_t task = tb; task < te; ++task) {
      float* kt = free + task * task_floats(a);
      float* vp = kt + a.qk_dim * ldkt;
      float* sc = vp + t_len * a.v_dim;
      float* mrow = sc + kQueryBlock * ldkt;
      float* inv = mrow + ldkt;
      bool uniform[kQueryBlock];  // rows whose every score is the lowest float (see below)
      int64_t packed = -1;        // the (b, n) pair whose K^T is in kt
      for (int64_t u = units * task / tasks; u < units * (task + 1) / tasks; ++u) {
        const int64_t p = u / blocks, b = p / nh, n = p % nh;
        const int64_t s0 = (u % blocks) * kQueryBlock, rows = std::min(kQueryBlock, s_len - s0);
        if (p != packed) {
          pack_kt(k.at(b, n), k.r_stride, t_len, a.qk_dim, kt, ldkt);
          pack_v(v.at(b, n), v.r_stride, t_len, a.v_dim, vp);
          packed = p;
        }
        // keys past the block's last visible one have probability 0 for every row of the block
        const int64_t cols = a.causal ? std::min(t_len, a.past_len + s0 + rows) : t_len;
        kern.scores(a.q.at(b, n) + s0 * a.q.r_stride, a.q.r_stride, rows, kt, ldkt, a.qk_dim, cols, a.scale, sc, ldkt);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t s = s0 + r;
          const int64_t visible = a.causal ? std::min(t_len, a.past_len + s + 1) : t_len;
          float* row = sc + r * ldkt;
          const float* bias = a.bias ? a.bias + b * a.bias_b_stride + n * a.bias_n_stride + s * t_len : nullptr;
          const float* madd = madd_rows ? madd_rows + b * ldkt : nullptr;
          if (a.mask.kind == MaskKind::kRaw3D || a.mask.kind == MaskKind::kRaw4D) {
            fill_mask_row(a, b, s, visible, mrow);
            madd = mrow;
          }
          // (scale Q K^T + attention_bias) + mask, in ORT's order (it matters for fully masked rows, where every
          // score sits near mask_filter and rounds to its ulp); future keys are excluded outright
          const float mx = kern.add_max(row, bias, madd, visible);
          // With mask_filter the lowest float (GPT-2's finfo.min), a causal window of padding only sums to the
          // lowest float too, as do ORT's future keys: the row is then uniform over all T keys, as in ORT
          uniform[r] = visible < t_len && mx <= std::numeric_limits<float>::lowest();
          if (uniform[r]) {
            std::fill(row, row + cols, 0.0f);
            inv[r] = 0.0f;
            continue;
          }
          inv[r] = 1.0f / kern.exp_shift_sum(row, mx, row, visible);
          std::fill(row + visible, row + cols, 0.0f);
        }
        float* out = a.out + (b * s_len + s0) * out_row + n * a.v_dim;
        kern.probs_v(sc, ldkt, rows, cols, vp, a.v_dim, a.v_dim, inv, out, out_row);
        for (int64_t r = 0; r < rows; ++r)
          if (uniform[r]) {
            float* row = sc + r * ldkt;
            std::fill(row, row + t_len, 1.0f);
            const float mean = 1.0f / static_cast<float>(t_len);
            kern.probs_v(row, ldkt, 1, t_len, vp, a.v_dim, a.v_dim, &mean, out + r * out_row, out_row);
          }
      }
    }
  });
  return ok_status();
}

}  // namespace onyx::cpu::contrib
