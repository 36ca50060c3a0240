// Gemm (opset 1, 6, 7, 9, 11, 13): Y = alpha * op(A) * op(B) + beta * C, A and B 2-D, C unidirectionally
// broadcast to [M, N] (C optional from opset 11; the opset < 7 `broadcast` attribute is accepted and
// broadcasting is always allowed, a superset of the old behaviour).
// Variants:
//   float    Y = broadcast(C), then gemm_f32 with beta (oneDNN)
//   generic  double / integer dtypes: the same through gemm_generic<T>
//   packed   transA = 0, B a constant 2-D float32 (or bfloat16) initializer, C absent or a constant that
//            broadcasts from [N] (a bias): a PackedGemm made at creation with alpha folded into W and beta * C as
//            its bias (bf16 as in MatMul); B and C are never read at run time
//   int8     the same with KernelInfo::int8_weights: B quantized at creation (int8, symmetric, per column, alpha
//            folded into the column scales) into a PackedQGemm with beta * C as its bias, A quantized per run (uint8,
//            one scale for all of A), as in MatMul
#include <string>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/dtype_dispatch.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/gemm/packed_gemm_kernel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu {

namespace {

class GemmKernel final : public Kernel {
 public:
  GemmKernel(bool trans_a, bool trans_b, float alpha, float beta)
      : trans_a_(trans_a), trans_b_(trans_b), alpha_(alpha), beta_(beta) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* b, required_input(ctx, 1));
    const Tensor* c = ctx.input(2);
    const Tensor* abc[] = {a, b, c};
    ONYX_RETURN_IF_ERROR(math::check_same_dtype(ctx, abc));
    if (a->rank() != 2 || b->rank() != 2)
      return ctx.invalid("Gemm A and B must be 2-D, got " + shape_to_string(a->shape()) + " and " +
                         shape_to_string(b->shape()));
    const int64_t m = trans_a_ ? a->dim(1) : a->dim(0), k = trans_a_ ? a->dim(0) : a->dim(1);
    const int64_t kb = trans_b_ ? b->dim(1) : b->dim(0), n = trans_b_ ? b->dim(0) : b->dim(1);
    if (k != kb)
      return ctx.invalid("Gemm inner dims differ: A " + shape_to_string(a->shape()) + (trans_a_ ? " (transposed)" : "") +
                         ", B " + shape_to_string(b->shape()) + (trans_b_ ? " (transposed)" : ""));
    const bool use_c = c != nullptr && beta_ != 0.0f;
    int64_t cm = 1, cn = 1;
    if (c) {
      if (c->rank() > 2) return ctx.invalid("Gemm C must have rank <= 2, got " + shape_to_string(c->shape()));
      if (c->rank() == 2) cm = c->dim(0);
      if (c->rank() >= 1) cn = c->dim(c->rank() - 1);
      if ((cm != 1 && cm != m) || (cn != 1 && cn != n))
        return ctx.invalid("Gemm C " + shape_to_string(c->shape()) + " does not broadcast to [" +
                           std::to_string(m) + ", " + std::to_string(n) + "]");
    }
    Tensor& y = ctx.allocate_output(0, a->dtype(), {m, n});
    if (y.numel() == 0) return ok_status();
    const GemmParams p{.trans_a = trans_a_, .trans_b = trans_b_, .m = m, .n = n, .k = k, .alpha = alpha_,
                       .beta = use_c ? beta_ : 0.0f};
    return visit_dtype<float, double, int32_t, int64_t, uint32_t, uint64_t>(
        a->dtype(), "Gemm", [&]<typename T>() -> Status {
          T* yd = y.data<T>();
          if (use_c) {
            const T* cd = c->data<T>();
            for (int64_t i = 0; i < m; ++i)
              for (int64_t j = 0; j < n; ++j) yd[i * n + j] = cd[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
          }
          if constexpr (std::is_same_v<T, float>) {
            return gemm_f32(p, a->data<float>(), b->data<float>(), yd);
          } else {
            gemm_generic(p, a->data<T>(), b->data<T>(), yd);
            return ok_status();
          }
        });
  }

 private:
  bool trans_a_, trans_b_;
  float alpha_, beta_;
};

// beta * C as a bias of length n when C (a constant) broadcasts from [N] ([], [1], [N], [1, 1], [1, N]); an empty
// vector with *ok = true when there is no bias term (no C, or beta == 0); *ok = false when C cannot be folded.
std::vector<float> folded_bias(const KernelInfo& info, int64_t n, float beta, bool* ok) {
  *ok = true;
  if (!info.node.has_input(2) || beta == 0.0f) return {};
  const Tensor* c = info.constant_input(2);
  *ok = c && c->dtype() == DType::kFloat32 && c->rank() <= 2 && (c->rank() < 2 || c->dim(0) == 1) &&
        (c->rank() == 0 || c->shape().back() == 1 || c->shape().back() == n);
  if (!*ok) return {};
  std::vector<float> bias(static_cast<size_t>(n));
  const bool per_column = c->rank() > 0 && c->shape().back() == n;
  for (int64_t j = 0; j < n; ++j) bias[static_cast<size_t>(j)] = beta * c->data<float>()[per_column ? j : 0];
  return bias;
}

// The packed variant, or nullptr when the node does not qualify.
Result<std::unique_ptr<Kernel>> create_packed_gemm(const KernelInfo& info, bool trans_a, bool trans_b, float alpha,
                                                   float beta) {
  const Tensor* b = info.constant_input(1);
  std::vector<float> storage;
  const float* w = b && !trans_a ? constant_weight_data(*b, storage) : nullptr;
  if (!w) return std::unique_ptr<Kernel>();
  const int64_t k = trans_b ? b->dim(1) : b->dim(0), n = trans_b ? b->dim(0) : b->dim(1);
  bool bias_ok = false;
  const std::vector<float> bias = folded_bias(info, n, beta, &bias_ok);
  if (!bias_ok) return std::unique_ptr<Kernel>();
  // A constant C is folded (or, with beta == 0, unused): not needed at run time either.
  const uint32_t packed = 0b010u | (info.constant_input(2) ? 0b100u : 0u);
  const float* bias_data = bias.empty() ? nullptr : bias.data();
  if (info.int8_weights) {
    auto qgemm = pack_int8_weights(w, k, n, trans_b, bias_data, {}, alpha);
    if (!qgemm.ok()) return qgemm.status().with_context(info.node.describe());
    return make_packed_gemm_kernel(std::move(*qgemm), {.packed_inputs = packed, .rank2_only = true});
  }
  PackedGemmOptions o;
  o.bf16 = info.bf16_weights || (b->dtype() == DType::kBFloat16 && cpu_features().avx512bf16);
  o.alpha = alpha;
  auto gemm = PackedGemm::create(w, k, n, trans_b, bias_data, o);
  if (!gemm.ok()) return gemm.status().with_context(info.node.describe());
  return make_packed_gemm_kernel(std::move(*gemm), {.packed_inputs = packed, .rank2_only = true});
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_gemm(const KernelInfo& info) {
  const ir::Node& n = info.node;
  const bool trans_a = n.attr_int("transA", 0) != 0, trans_b = n.attr_int("transB", 0) != 0;
  const float alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
  ONYX_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> packed, create_packed_gemm(info, trans_a, trans_b, alpha, beta));
  if (packed) return packed;
  return std::unique_ptr<Kernel>(std::make_unique<GemmKernel>(trans_a, trans_b, alpha, beta));
}

}  // namespace onyx::cpu
