// See quant_contrib_util.h.
#include "src/ep/cpu/kernels/quant/quant_contrib_util.h"

#include <algorithm>
#include <string>
#include <vector>

#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/packed_gemm_kernel.h"

namespace onyx::cpu::quant {

namespace {

// A uint8 buffer owned by the calling thread, kept between runs (it grows, never shrinks).
uint8_t* thread_u8_scratch(size_t bytes) {
  thread_local std::vector<uint8_t> buffer;
  if (buffer.size() < bytes) buffer.resize(bytes);
  return buffer.data();
}

// DynamicQuantizeLinear's parameters over all of x.
QuantParams dynamic_params(const float* x, int64_t count) {
  float lo = 0.0f, hi = 0.0f;  // the range always includes 0
  for (int64_t i = 0; i < count; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  return dynamic_quant_params(lo, hi);
}

bool is_quantized(DType t) { return t == DType::kInt8 || t == DType::kUInt8; }

// The bias: float32 [N].
Status check_bias(const Tensor& bias, int64_t n, const std::string& where) {
  if (bias.dtype() == DType::kFloat32 && bias.rank() == 1 && bias.dim(0) == n) return ok_status();
  return invalid_argument(where + ": bias must be float32 [" + std::to_string(n) + "], got " +
                          dtype_name(bias.dtype()) + " " + shape_to_string(bias.shape()));
}

}  // namespace

Result<QuantMatMul> QuantMatMul::create(const KernelInfo& info, QuantMatMulInputs inputs) {
  QuantMatMul q;
  q.in_ = inputs;
  const Tensor* b = info.constant_input(inputs.b);
  const Tensor* scale = info.constant_input(inputs.b_scale);
  const Tensor* zp = info.constant_input(inputs.b_zero_point);
  if (!b || !scale || (info.node.has_input(inputs.b_zero_point) && !zp) || b->rank() != 2 || b->numel() == 0)
    return q;  // B is packed at each run
  auto qw = quantized_weights(*b, *scale, zp, 0, "B");
  if (!qw.ok()) return invalid_model(info.node.describe() + ": " + qw.status().message());
  const Tensor* bias = info.constant_input(inputs.bias);
  if (bias) {
    Status s = check_bias(*bias, b->dim(1), info.node.describe());
    if (!s.ok()) return invalid_model(s.message());
  }
  auto packed = PackedQGemm::create(qw->weights, bias ? bias->data<float>() : nullptr);
  if (!packed.ok()) return packed.status().with_context(info.node.describe());
  q.packed_ = std::move(*packed);
  q.zero_point_packed_ = zp != nullptr;
  q.bias_packed_ = bias != nullptr;
  return q;
}

bool QuantMatMul::packed_input(size_t i) const {
  if (!packed_) return false;
  return i == in_.b || i == in_.b_scale || (i == in_.b_zero_point && zero_point_packed_) ||
         (i == in_.bias && bias_packed_);
}

Status QuantMatMul::compute(KernelContext& ctx, const Tensor& a, const QuantParams* aq) const {
  const DType a_type = aq ? DType::kUInt8 : DType::kFloat32;
  if (a.dtype() != a_type)
    return not_implemented(ctx.node().describe() + ": A must be " + dtype_name(a_type) + ", got " +
                           dtype_name(a.dtype()));
  const Tensor* bias = bias_packed_ ? nullptr : ctx.input(in_.bias);
  const Tensor* b = packed_ ? nullptr : ctx.input(in_.b);
  if (!packed_ && !b) return ctx.invalid("required input B (" + std::to_string(in_.b) + ") is missing");
  if (b && (!is_quantized(b->dtype()) || b->rank() < 2))
    return ctx.invalid("B must be int8 or uint8 with rank >= 2, got " + dtype_name(b->dtype()) + " " +
                       shape_to_string(b->shape()));
  const int64_t k = packed_ ? packed_->k() : b->dim(b->rank() - 2), n = packed_ ? packed_->n() : b->shape().back();
  if (a.rank() < 1 || a.shape().back() != k)
    return ctx.invalid("A " + shape_to_string(a.shape()) + " does not fit B [" + std::to_string(k) + ", " +
                       std::to_string(n) + "] (A's last dim must be " + std::to_string(k) + ")");
  if (bias) {
    Status s = check_bias(*bias, n, ctx.node().describe());
    if (!s.ok()) return s;
  }
  // Matrices of B (one for a 2-D B, whose product merges A's leading dims into M) and the output shape.
  int64_t matrices = 1;
  Shape out = a.shape();
  out.back() = n;
  if (b && b->rank() > 2) {
    const bool same_batch =
        a.rank() == b->rank() && std::equal(a.shape().begin(), a.shape().end() - 2, b->shape().begin());
    if (!same_batch)
      return not_implemented(ctx.node().describe() + ": a batched B " + shape_to_string(b->shape()) +
                             " needs A with the same batch dims (no broadcasting), got A " +
                             shape_to_string(a.shape()));
    matrices = b->numel() / (k * n);
  }
  Tensor& y = ctx.allocate_output(0, DType::kFloat32, std::move(out));
  if (y.numel() == 0) return ok_status();
  const int64_t rows = a.numel() / k, m = rows / matrices;
  float* yd = y.data<float>();

  if (packed_) {
    ONYX_RETURN_IF_ERROR(aq ? packed_->run_quantized(a.data<uint8_t>(), rows, k, *aq, yd, n)
                            : packed_->run_dynamic(a.data<float>(), rows, k, yd, n));
    if (bias) {
      const float* bv = bias->data<float>();
      parallel_for(rows, 16, [&](int64_t rb, int64_t re) {
        for (int64_t r = rb; r < re; ++r)
          for (int64_t j = 0; j < n; ++j) yd[r * n + j] += bv[j];
      });
    }
    return ok_status();
  }
  const Tensor* scale = ctx.input(in_.b_scale);
  if (!scale) return ctx.invalid("required input B scale (" + std::to_string(in_.b_scale) + ") is missing");
  const uint8_t* xq = nullptr;
  QuantParams q;
  if (aq) {
    xq = a.data<uint8_t>();
    q = *aq;
  } else {
    q = dynamic_params(a.data<float>(), a.numel());
    uint8_t* buf = thread_u8_scratch(static_cast<size_t>(a.numel()));
    quantize_u8(a.data<float>(), rows, k, k, q, buf, k);
    xq = buf;
  }
  for (int64_t i = 0; i < matrices; ++i) {
    auto qw = quantized_weights(*b, *scale, ctx.input(in_.b_zero_point), i, "B");
    if (!qw.ok()) return ctx.invalid(qw.status().message());
    ONYX_ASSIGN_OR_RETURN(auto g, PackedQGemm::create(qw->weights, bias ? bias->data<float>() : nullptr));
    ONYX_RETURN_IF_ERROR(g->run_quantized(xq + i * m * k, m, k, q, yd + i * m * n, n));
  }
  return ok_status();
}

Result<float> scalar_scale(const KernelContext& ctx, const Tensor& t, const char* what) {
  if (t.dtype() != DType::kFloat32 || t.numel() != 1 || t.rank() > 1)
    return ctx.invalid(std::string(what) + " must be a float32 scalar (or [1]), got " + dtype_name(t.dtype()) + " " +
                       shape_to_string(t.shape()) + " (per-tensor quantization only)");
  return t.data<float>()[0];
}

Result<uint8_t> scalar_zero_point(const KernelContext& ctx, const Tensor* t, const char* what) {
  if (!t) return uint8_t{0};
  if (t->dtype() != DType::kUInt8 || t->numel() != 1 || t->rank() > 1)
    return ctx.invalid(std::string(what) + " must be a uint8 scalar (or [1]), got " + dtype_name(t->dtype()) + " " +
                       shape_to_string(t->shape()) + " (per-tensor quantization only)");
  return t->data<uint8_t>()[0];
}

}  // namespace onyx::cpu::quant
