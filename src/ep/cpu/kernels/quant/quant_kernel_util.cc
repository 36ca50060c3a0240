#include "src/ep/cpu/kernels/quant/quant_kernel_util.h"

#include <cstring>
#include <span>

#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/qgemm.h"
#include "src/ep/cpu/gemm/qgemm_kernel.h"  // kQGemmMaxK
#include "src/ep/cpu/kernels/math/math_util.h"

namespace onyx::cpu::quant {

Result<std::vector<float>> read_scales(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  std::vector<float> v(static_cast<size_t>(t.numel()));
  Status s = visit_dtype<float, Float16, BFloat16>(t.dtype(), what, [&]<typename T>() -> Status {
    for (size_t i = 0; i < v.size(); ++i) {
      if constexpr (std::is_same_v<T, float>)
        v[i] = t.data<float>()[i];
      else
        v[i] = to_float(t.data<T>()[i]);
    }
    return ok_status();
  });
  if (!s.ok())
    return ctx.invalid(std::string(what) + " must be float32, float16 or bfloat16, got " + dtype_name(t.dtype()));
  return v;
}

Result<std::vector<int32_t>> read_zero_points(const KernelContext& ctx, const Tensor& t, std::string_view what) {
  std::vector<int32_t> v(static_cast<size_t>(t.numel()));
  Status s = visit_dtype<int8_t, uint8_t, int16_t, uint16_t, int32_t>(t.dtype(), what, [&]<typename T>() -> Status {
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(t.data<T>()[i]);
    return ok_status();
  });
  if (!s.ok())
    return ctx.invalid(std::string(what) + " must be int8, uint8, int16, uint16 or int32, got " +
                       dtype_name(t.dtype()));
  return v;
}

Result<AxisQuantLayout> axis_quant_layout(const KernelContext& ctx, const Shape& x, const Tensor& scale,
                                          const Tensor* zero_point, int64_t axis, int64_t block_size, int64_t opset) {
  if (zero_point && zero_point->shape() != scale.shape())
    return ctx.invalid("the zero point's shape " + shape_to_string(zero_point->shape()) + " differs from the scale's " +
                       shape_to_string(scale.shape()) + " (they must be equal)");
  if (block_size < 0) return ctx.invalid("block_size must be >= 0, got " + std::to_string(block_size));
  AxisQuantLayout l;
  l.outer = shape_numel(x);
  if (block_size == 0 && scale.numel() == 1 && scale.rank() <= 1) return l;  // per tensor
  if (opset < 13)
    return ctx.invalid("the scale must be a scalar before opset 13 (per-axis scales came in opset 13), got shape " +
                       shape_to_string(scale.shape()));
  const int64_t rank = static_cast<int64_t>(x.size());
  int64_t a = axis;
  if (!math::normalize_axis(a, rank))
    return ctx.invalid("axis " + std::to_string(axis) + " is out of range for input shape " + shape_to_string(x) +
                       " (per-axis quantization needs -rank <= axis < rank)");
  const math::AxisView v = math::axis_view(x, static_cast<size_t>(a));
  l.outer = v.outer;
  l.dim = v.dim;
  l.inner = v.inner;
  l.per_tensor = false;
  if (block_size == 0) {
    if (scale.rank() != 1 || scale.dim(0) != v.dim)
      return ctx.invalid("the scale's shape " + shape_to_string(scale.shape()) +
                         " fits neither per-tensor (one value)" + " nor per-axis quantization along axis " +
                         std::to_string(axis) + " of input " + shape_to_string(x) + " (1-D of " +
                         std::to_string(v.dim) + " values)");
    return l;
  }
  l.block = block_size;
  l.blocks = (v.dim + block_size - 1) / block_size;
  Shape want = x;
  want[static_cast<size_t>(a)] = l.blocks;
  if (scale.shape() != want)
    return ctx.invalid("blocked quantization (block_size " + std::to_string(block_size) + ", axis " +
                       std::to_string(axis) + ") of input " + shape_to_string(x) + " needs a scale of shape " +
                       shape_to_string(want) + ", got " + shape_to_string(scale.shape()));
  return l;
}

Result<MatMulShape> matmul_shape(const KernelContext& ctx, const Shape& a_in, const Shape& b_in) {
  if (a_in.empty() || b_in.empty())
    return ctx.invalid("inputs A and B must have rank >= 1, got " + shape_to_string(a_in) + " and " +
                       shape_to_string(b_in));
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatMulShape s;
  s.m = a[a.size() - 2];
  s.k = a.back();
  s.n = b.back();
  if (b[b.size() - 2] != s.k)
    return ctx.invalid("inner dims differ: A " + shape_to_string(a_in) + " x B " + shape_to_string(b_in));
  const std::span<const int64_t> ab(a.data(), a.size() - 2), bb(b.data(), b.size() - 2);
  const size_t r = std::max(ab.size(), bb.size());
  Shape batch(r, 1);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i + ab.size() >= r ? ab[i + ab.size() - r] : 1;
    const int64_t db = i + bb.size() >= r ? bb[i + bb.size() - r] : 1;
    if (da != db && da != 1 && db != 1)
      return ctx.invalid("batch dims do not broadcast: A " + shape_to_string(a_in) + " x B " + shape_to_string(b_in));
    batch[i] = da == 1 ? db : da;
  }
  s.out = batch;
  if (a_in.size() > 1) s.out.push_back(s.m);
  if (b_in.size() > 1) s.out.push_back(s.n);
  s.batch = shape_numel(batch);
  s.b_is_matrix = shape_numel(bb) == 1;
  // Each output matrix's A / B matrix index: an odometer over the batch dims with stride 0 where a dim broadcasts.
  auto indices = [&](std::span<const int64_t> dims) {
    std::vector<int64_t> strides(r, 0);
    int64_t st = 1;
    for (size_t i = dims.size(); i-- > 0;) {
      strides[r - dims.size() + i] = dims[i] == 1 ? 0 : st;
      st *= dims[i];
    }
    std::vector<int64_t> out(static_cast<size_t>(s.batch));
    std::vector<int64_t> idx(r, 0);
    int64_t cur = 0;
    for (int64_t c = 0; c < s.batch; ++c) {
      out[static_cast<size_t>(c)] = cur;
      for (size_t d = r; d-- > 0;) {
        cur += strides[d];
        if (++idx[d] < batch[d]) break;
        cur -= strides[d] * batch[d];
        idx[d] = 0;
      }
    }
    return out;
  };
  s.a_index = indices(ab);
  s.b_index = indices(bb);
  return s;
}

Result<std::pair<int64_t, int64_t>> matrix_param_strides(const KernelContext& ctx, const Tensor& param,
                                                         const Shape& operand_shape, bool per_row, int64_t count,
                                                         std::string_view what) {
  if (param.numel() == 1 && param.rank() <= 1) return std::pair<int64_t, int64_t>{0, 0};
  if (param.rank() == 1 && param.dim(0) == count) return std::pair<int64_t, int64_t>{1, 0};
  // [..., M, 1] for A, [..., 1, N] for B: the operand's shape with the other matrix dim 1.
  if (operand_shape.size() >= 2) {
    Shape want = operand_shape;
    want[want.size() - (per_row ? 1 : 2)] = 1;
    if (param.shape() == want) return std::pair<int64_t, int64_t>{1, count};
  }
  const std::string kind = per_row ? "per-row" : "per-column";
  return ctx.invalid(std::string(what) + " has shape " + shape_to_string(param.shape()) +
                     ": expected one value (per tensor), " + std::to_string(count) + " values (" + kind +
                     ") or the operand's shape with the " + (per_row ? "last" : "second-to-last") +
                     " dim 1 (operand shape " + shape_to_string(operand_shape) + ")");
}

Result<MatrixParam<int32_t>> matrix_zero_points(const KernelContext& ctx, const Tensor* zp, DType expected,
                                                const Shape& operand_shape, bool per_row, int64_t count,
                                                std::string_view what) {
  MatrixParam<int32_t> p;
  if (!zp) return p;
  if (zp->dtype() != expected)
    return ctx.invalid(std::string(what) + " is " + dtype_name(zp->dtype()) + " but its operand is " +
                       dtype_name(expected) + " (they must match)");
  ONYX_ASSIGN_OR_RETURN(auto strides, matrix_param_strides(ctx, *zp, operand_shape, per_row, count, what));
  ONYX_ASSIGN_OR_RETURN(p.values, read_zero_points(ctx, *zp, what));
  p.stride = strides.first;
  p.matrix_stride = strides.second;
  return p;
}

Result<MatrixParam<float>> matrix_scales(const KernelContext& ctx, const Tensor& scale, const Shape& operand_shape,
                                         bool per_row, int64_t count, std::string_view what) {
  MatrixParam<float> p;
  ONYX_ASSIGN_OR_RETURN(auto strides, matrix_param_strides(ctx, scale, operand_shape, per_row, count, what));
  ONYX_ASSIGN_OR_RETURN(p.values, read_scales(ctx, scale, what));
  p.stride = strides.first;
  p.matrix_stride = strides.second;
  return p;
}

namespace {

template <typename TA, typename TB>
void matmul_int32_loop(const TA* a, const TB* b, const MatMulShape& s, const MatrixParam<int32_t>& a_zp,
                       const MatrixParam<int32_t>& b_zp, int32_t* acc) {
  const int64_t m = s.m, n = s.n, k = s.k;
  parallel_for(s.batch * m, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, n * k)), [&](int64_t begin, int64_t end) {
    std::vector<int32_t> zb(static_cast<size_t>(n));
    int64_t zb_matrix = -1;
    for (int64_t row = begin; row < end; ++row) {
      const int64_t bi = row / m, i = row % m;
      const int64_t am = s.a_index[static_cast<size_t>(bi)], bm = s.b_index[static_cast<size_t>(bi)];
      if (bm != zb_matrix) {
        for (int64_t j = 0; j < n; ++j) zb[static_cast<size_t>(j)] = b_zp.at(bm, j);
        zb_matrix = bm;
      }
      const int32_t za = a_zp.at(am, i);
      const TA* arow = a + (am * m + i) * k;
      const TB* bmat = b + bm * k * n;
      // Unsigned sums: the wrapping 32-bit accumulation ONNX allows, without signed-overflow UB (each product fits).
      uint32_t* out = reinterpret_cast<uint32_t*>(acc + row * n);
      std::fill(out, out + n, 0u);
      for (int64_t kk = 0; kk < k; ++kk) {
        const int32_t av = static_cast<int32_t>(arow[kk]) - za;
        if (av == 0) continue;
        const TB* brow = bmat + kk * n;
        for (int64_t j = 0; j < n; ++j)
          out[j] += static_cast<uint32_t>(av * (static_cast<int32_t>(brow[j]) - zb[static_cast<size_t>(j)]));
      }
    }
  });
}

}  // namespace

Status matmul_int32_loops(const KernelContext& ctx, const Tensor& a, const Tensor& b, const MatMulShape& s,
                          const MatrixParam<int32_t>& a_zp, const MatrixParam<int32_t>& b_zp, int32_t* acc) {
  (void)ctx;
  return visit_dtype<uint8_t, int8_t>(a.dtype(), "A", [&]<typename TA>() -> Status {
    return visit_dtype<uint8_t, int8_t>(b.dtype(), "B", [&]<typename TB>() -> Status {
      matmul_int32_loop(a.data<TA>(), b.data<TB>(), s, a_zp, b_zp, acc);
      return ok_status();
    });
  });
}

namespace {

class PackedIntBImpl final : public PackedIntB {
 public:
  PackedIntBImpl(std::unique_ptr<PackedQGemm> gemm, std::vector<int32_t> col_sums, size_t b_input, int zp_input)
      : gemm_(std::move(gemm)), col_sums_(std::move(col_sums)), b_input_(b_input), zp_input_(zp_input) {}

  Status run(const KernelContext& ctx, const Tensor& a, const MatMulShape& s, const MatrixParam<int32_t>& a_zp,
             int32_t* acc) const override {
    (void)ctx;
    const int64_t rows = s.batch * s.m, k = s.k, n = s.n;
    if (rows == 0) return ok_status();
    const uint8_t* x = a.data<uint8_t>();
    int32_t shift = 0;  // int8 A is run as uint8 A + 128 (and its zero points + 128): the same differences
    if (a.dtype() == DType::kInt8) {
      thread_local std::vector<uint8_t> scratch;
      scratch.resize(static_cast<size_t>(rows * k));
      const int8_t* src = a.data<int8_t>();
      for (int64_t i = 0; i < rows * k; ++i) scratch[static_cast<size_t>(i)] = static_cast<uint8_t>(src[i] ^ 0x80);
      x = scratch.data();
      shift = 128;
    }
    if (a_zp.per_tensor()) return gemm_->run_int32(x, rows, k, static_cast<uint8_t>(a_zp.at(0, 0) + shift), acc, n);
    // Per-row zero points: acc = sum (x - 0) (w - zp_w) - zp_row * sum (w - zp_w).
    ONYX_RETURN_IF_ERROR(gemm_->run_int32(x, rows, k, 0, acc, n));
    parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int32_t z = a_zp.at(r / s.m, r % s.m) + shift;
        if (z == 0) continue;
        int32_t* out = acc + r * n;
        for (int64_t j = 0; j < n; ++j) out[j] -= z * col_sums_[static_cast<size_t>(j)];
      }
    });
    return ok_status();
  }
  int64_t k() const override { return gemm_->k(); }
  int64_t n() const override { return gemm_->n(); }
  bool packed_input(size_t i) const override { return i == b_input_ || static_cast<int>(i) == zp_input_; }

 private:
  std::unique_ptr<PackedQGemm> gemm_;
  std::vector<int32_t> col_sums_;
  size_t b_input_;
  int zp_input_;  // -1: no zero point input
};

}  // namespace

Result<std::unique_ptr<PackedIntB>> make_packed_b(const KernelInfo& info, size_t b_input, size_t zp_input) {
  const Tensor* bp = info.constant_input(b_input);
  const Tensor* b_zero_point = info.constant_input(zp_input);
  if (!bp || (info.node.has_input(zp_input) && !b_zero_point)) return std::unique_ptr<PackedIntB>();
  const Tensor& b = *bp;
  const bool int8 = b.dtype() == DType::kInt8;
  // K beyond kQGemmMaxK could overflow the GEMM's int32 sums (which ONNX allows: the loops wrap).
  if ((!int8 && b.dtype() != DType::kUInt8) || b.rank() != 2 || b.dim(0) <= 0 || b.dim(1) <= 0 ||
      b.dim(0) > detail::kQGemmMaxK)
    return std::unique_ptr<PackedIntB>();
  const int64_t k = b.dim(0), n = b.dim(1);
  int64_t num_zp = 1;
  if (b_zero_point) {
    const Tensor& z = *b_zero_point;
    const bool per_tensor = z.numel() == 1 && z.rank() <= 1;
    const bool per_column = (z.rank() == 1 && z.dim(0) == n) || (z.rank() == 2 && z.dim(0) == 1 && z.dim(1) == n);
    if (z.dtype() != b.dtype() || (!per_tensor && !per_column)) return std::unique_ptr<PackedIntB>();
    num_zp = per_tensor ? 1 : n;
  }
  std::vector<int32_t> col_sums(static_cast<size_t>(n), 0);
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t zi = num_zp == 1 ? 0 : j;
      const int32_t w = int8 ? b.data<int8_t>()[kk * n + j] : b.data<uint8_t>()[kk * n + j];
      const int32_t z = !b_zero_point ? 0 : int8 ? b_zero_point->data<int8_t>()[zi] : b_zero_point->data<uint8_t>()[zi];
      col_sums[static_cast<size_t>(j)] += w - z;
    }
  QGemmWeights w{.data = b.raw_data(),
                 .dtype = b.dtype(),
                 .k = k,
                 .n = n,
                 .transposed = false,
                 .scales = nullptr,
                 .num_scales = num_zp,
                 .zero_points = b_zero_point ? b_zero_point->raw_data() : nullptr};
  auto gemm = PackedQGemm::create(w, nullptr);
  if (!gemm.ok()) return gemm.status().with_context(info.node.describe());
  return std::unique_ptr<PackedIntB>(std::make_unique<PackedIntBImpl>(std::move(*gemm), std::move(col_sums), b_input,
                                                                      b_zero_point ? static_cast<int>(zp_input) : -1));
}

}  // namespace onyx::cpu::quant
