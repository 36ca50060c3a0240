// See qkv_projection.h.
#include "src/ep/cpu/kernels/contrib/qkv_projection.h"

#include <cstring>
#include <string>

#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"

namespace onyx::cpu::contrib {

Result<QkvProjection> QkvProjection::create(const KernelInfo& info, int64_t heads) {
  QkvProjection p;
  p.heads_ = heads;
  p.sizes_ = info.node.attr_ints("qkv_hidden_sizes");
  if (!p.sizes_.empty() && p.sizes_.size() != 3)
    return info.invalid("qkv_hidden_sizes must have 3 values, got " + std::to_string(p.sizes_.size()));
  const Tensor* w = info.constant_input(1);
  if (w && w->dtype() == DType::kFloat32 && w->rank() == 2 && w->dim(0) > 0 && w->dim(1) > 0) {
    const Tensor* b = info.constant_input(2);
    p.bias_packed_ = b && b->dtype() == DType::kFloat32 && b->numel() == w->dim(1);
    PackedGemmOptions o;
    o.bf16 = info.bf16_weights;
    ONYX_ASSIGN_OR_RETURN(p.packed_, PackedGemm::create(w->data<float>(), w->dim(0), w->dim(1), /*w_transposed=*/false,
                                                        p.bias_packed_ ? b->data<float>() : nullptr, o));
  }
  return p;
}

Result<QkvProjection::Bound> QkvProjection::bind(const KernelContext& ctx, int64_t din) const {
  Bound b;
  b.din = din;
  if (!packed_) {
    ONYX_ASSIGN_OR_RETURN(b.weights, required_input(ctx, 1));
  }
  b.bias = bias_packed_ ? nullptr : ctx.input(2);
  for (const Tensor* t : {b.weights, b.bias})
    if (t && t->dtype() != DType::kFloat32)
      return not_implemented(ctx.node().describe() + ": only float32 weights and bias are supported, got " +
                             dtype_name(t->dtype()));
  if (packed_ && packed_->k() != din)
    return ctx.invalid("input hidden size " + std::to_string(din) + " differs from the weights' first dim " +
                       std::to_string(packed_->k()));
  if (b.weights && (b.weights->rank() != 2 || b.weights->dim(0) != din))
    return ctx.invalid("weights must be [" + std::to_string(din) + ", q+k+v hidden], got " +
                       shape_to_string(b.weights->shape()));
  b.dt = packed_ ? packed_->n() : b.weights->dim(1);
  b.dq = b.dk = b.dv = b.dt / 3;
  if (!sizes_.empty()) {
    b.dq = sizes_[0];
    b.dk = sizes_[1];
    b.dv = sizes_[2];
  } else if (b.dt % 3 != 0) {
    return ctx.invalid("weights' second dim " + std::to_string(b.dt) + " is not 3 * hidden (set qkv_hidden_sizes)");
  }
  if (b.dq + b.dk + b.dv != b.dt || b.dq != b.dk || b.dq % heads_ != 0 || b.dv % heads_ != 0)
    return ctx.invalid("q/k/v hidden sizes " + std::to_string(b.dq) + "/" + std::to_string(b.dk) + "/" +
                       std::to_string(b.dv) + " must sum to " + std::to_string(b.dt) +
                       ", have q == k and divide by num_heads " + std::to_string(heads_));
  if (b.bias && b.bias->numel() != b.dt)
    return ctx.invalid("bias must be [" + std::to_string(b.dt) + "], got " + shape_to_string(b.bias->shape()));
  return b;
}

Status QkvProjection::run(const Bound& b, const float* x, int64_t m, float* qkv) const {
  const int64_t dt = b.dt;
  if (!packed_) {
    if (b.bias)
      for (int64_t r = 0; r < m; ++r) std::memcpy(qkv + r * dt, b.bias->data<float>(), sizeof(float) * dt);
    GemmParams p{.m = m, .n = dt, .k = b.din, .beta = b.bias ? 1.0f : 0.0f};
    return gemm_f32(p, x, b.weights->data<float>(), qkv);
  }
  ONYX_RETURN_IF_ERROR(packed_->run(x, m, b.din, qkv, dt));
  if (b.bias) {
    const float* bv = b.bias->data<float>();
    parallel_for(m, 16, [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; ++r)
        for (int64_t j = 0; j < dt; ++j) qkv[r * dt + j] += bv[j];
    });
  }
  return ok_status();
}

}  // namespace onyx::cpu::contrib
