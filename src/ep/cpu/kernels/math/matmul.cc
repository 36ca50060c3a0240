// MatMul (opset 1, 9, 13): numpy matmul. 1-D A gets a leading 1 (removed from Y), 1-D B a trailing 1
// (removed from Y); the batch dims (all but the last two) broadcast.
// Variants:
//   merged   B has no batch (or all ones) and A's batch equals Y's: ONE GEMM with M = batch * M
//            (the transformer [B,S,K] x [K,N] weight case)
//   batched  any other broadcast: gemm_f32_batched at per-batch offsets (attention [B,H,S,D] x [B,H,D,S])
//   generic  double / integer dtypes: gemm_generic<T> per batch, parallel over the batch
//   packed   B a constant 2-D float32 (or bfloat16) initializer: a PackedGemm made at creation (bf16 with
//            KernelInfo::bf16_weights, or when B is bfloat16 and the CPU has AVX512-BF16, which is exact: the O4
//            Cast(bf16) -> MatMul -> Cast graphs), A's leading dims merged into M; B is never read at run time
//   int8     the same B with KernelInfo::int8_weights (Precision::kInt8): B quantized at creation (int8, symmetric,
//            per column: pack_int8_weights) into a PackedQGemm, A quantized per run (uint8, one scale for all of A):
//            the numbers of the com.microsoft DynamicQuantizeMatMul `onyx quantize` writes for this MatMul
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/gemm/packed_gemm_kernel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu {

namespace {

struct MatMulPlan {
  Shape out_shape;
  int64_t m = 0, n = 0, k = 0;
  std::vector<int64_t> a_offsets, b_offsets, c_offsets;  // per output batch, in elements
  bool merged = false;                                   // one GEMM with m = batch * m
  int64_t batch = 1;
};

// Batch offsets for operand dims `dims` (right-aligned against out_batch; dim 1 broadcasts).
std::vector<int64_t> batch_offsets(std::span<const int64_t> dims, std::span<const int64_t> out_batch,
                                   int64_t matrix_size) {
  const size_t r = out_batch.size(), off = r - dims.size();
  std::vector<int64_t> strides(r, 0);
  int64_t s = matrix_size;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[off + i] = dims[i] == 1 ? 0 : s;
    s *= dims[i];
  }
  const int64_t count = shape_numel(out_batch);
  std::vector<int64_t> offsets(static_cast<size_t>(count));
  std::vector<int64_t> idx(r, 0);
  int64_t cur = 0;
  for (int64_t c = 0; c < count; ++c) {
    offsets[static_cast<size_t>(c)] = cur;
    for (size_t d = r; d-- > 0;) {  // odometer
      cur += strides[d];
      if (++idx[d] < out_batch[d]) break;
      cur -= strides[d] * out_batch[d];
      idx[d] = 0;
    }
  }
  return offsets;
}

Result<MatMulPlan> plan_matmul(const KernelContext& ctx, const Shape& a_in, const Shape& b_in) {
  if (a_in.empty() || b_in.empty())
    return ctx.invalid("MatMul inputs must have rank >= 1, got " + shape_to_string(a_in) + " and " +
                       shape_to_string(b_in));
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatMulPlan p;
  p.m = a[a.size() - 2];
  p.k = a[a.size() - 1];
  p.n = b[b.size() - 1];
  if (b[b.size() - 2] != p.k)
    return ctx.invalid("MatMul inner dims differ: " + shape_to_string(a_in) + " x " + shape_to_string(b_in));
  const std::span<const int64_t> a_batch(a.data(), a.size() - 2), b_batch(b.data(), b.size() - 2);
  const size_t r = std::max(a_batch.size(), b_batch.size());
  Shape out_batch(r, 1);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i + a_batch.size() >= r ? a_batch[i + a_batch.size() - r] : 1;
    const int64_t db = i + b_batch.size() >= r ? b_batch[i + b_batch.size() - r] : 1;
    if (da != db && da != 1 && db != 1)
      return ctx.invalid("MatMul batch dims do not broadcast: " + shape_to_string(a_in) + " x " +
                         shape_to_string(b_in));
    out_batch[i] = da == 1 ? db : da;
  }
  p.out_shape = out_batch;
  if (a_in.size() > 1) p.out_shape.push_back(p.m);
  if (b_in.size() > 1) p.out_shape.push_back(p.n);
  p.batch = shape_numel(out_batch);
  p.merged = shape_numel(b_batch) == 1 && shape_numel(a_batch) == p.batch;
  if (!p.merged && p.batch > 0) {
    p.a_offsets = batch_offsets(a_batch, out_batch, p.m * p.k);
    p.b_offsets = batch_offsets(b_batch, out_batch, p.k * p.n);
    p.c_offsets.resize(static_cast<size_t>(p.batch));
    for (int64_t i = 0; i < p.batch; ++i) p.c_offsets[static_cast<size_t>(i)] = i * p.m * p.n;
  }
  return p;
}

Status compute_matmul(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* b, required_input(ctx, 1));
  const Tensor* ab[] = {a, b};
  ONYX_RETURN_IF_ERROR(math::check_same_dtype(ctx, ab));
  ONYX_ASSIGN_OR_RETURN(MatMulPlan p, plan_matmul(ctx, a->shape(), b->shape()));
  Tensor& y = ctx.allocate_output(0, a->dtype(), p.out_shape);
  if (y.numel() == 0) return ok_status();
  return visit_dtype<float, double, int32_t, int64_t, uint32_t, uint64_t>(
      a->dtype(), "MatMul", [&]<typename T>() -> Status {
        const T* ad = a->data<T>();
        const T* bd = b->data<T>();
        T* yd = y.data<T>();
        if constexpr (std::is_same_v<T, float>) {
          if (p.merged) return gemm_f32({.m = p.batch * p.m, .n = p.n, .k = p.k}, ad, bd, yd);
          return gemm_f32_batched({.m = p.m, .n = p.n, .k = p.k}, ad, p.a_offsets, bd, p.b_offsets, yd, p.c_offsets);
        } else {
          const GemmParams gp{.m = p.merged ? p.batch * p.m : p.m, .n = p.n, .k = p.k};
          if (p.merged) {
            gemm_generic(gp, ad, bd, yd);
            return ok_status();
          }
          parallel_for(p.batch, 1, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
              gemm_generic(gp, ad + p.a_offsets[i], bd + p.b_offsets[i], yd + p.c_offsets[i]);
          });
          return ok_status();
        }
      });
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_mat_mul(const KernelInfo& info) {
  const Tensor* b = info.constant_input(1);
  std::vector<float> storage;
  const float* w = b ? constant_weight_data(*b, storage) : nullptr;
  if (!w) return make_function_kernel(&compute_matmul);
  if (info.int8_weights) {
    auto qgemm = pack_int8_weights(w, b->dim(0), b->dim(1), /*transposed=*/false, nullptr);
    if (!qgemm.ok()) return qgemm.status().with_context(info.node.describe());
    return make_packed_gemm_kernel(std::move(*qgemm), {.packed_inputs = 0b010});
  }
  PackedGemmOptions o;
  o.bf16 = info.bf16_weights || (b->dtype() == DType::kBFloat16 && cpu_features().avx512bf16);
  auto gemm = PackedGemm::create(w, b->dim(0), b->dim(1), /*w_transposed=*/false, nullptr, o);
  if (!gemm.ok()) return gemm.status().with_context(info.node.describe());
  return make_packed_gemm_kernel(std::move(*gemm), {.packed_inputs = 0b010});
}

}  // namespace onyx::cpu
