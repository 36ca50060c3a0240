// Helpers shared by the ONNX-domain quant kernels (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
// MatMulInteger, QLinearMatMul) and their factories (listed in quant_kernels.cc).
//
// Rounding is round-half-to-even everywhere (std::nearbyint in the default FE_TONEAREST mode), then saturation to
// the target type's range. NaN, which ONNX leaves undefined for integer outputs, quantizes to the zero point (as
// if it were 0); +-inf saturate.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_dequantize_linear(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_dynamic_quantize_linear(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_mat_mul_integer(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_q_linear_mat_mul(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_quantize_linear(const KernelInfo& info);

namespace quant {

// saturate(round_half_even(v)) into Q's range; NaN -> 0 (the caller adds the zero point before: see header).
template <typename Q>
Q saturate_round(float v) {
  constexpr float lo = static_cast<float>(std::numeric_limits<Q>::min());
  constexpr float hi = static_cast<float>(std::numeric_limits<Q>::max());
  if (std::isnan(v)) return Q(0);
  return static_cast<Q>(std::clamp(std::nearbyint(v), lo, hi));
}

// saturate(round_half_even(x / scale) + zero_point): the QuantizeLinear formula. NaN x gives the zero point.
template <typename Q>
Q quantize_value(float x, float scale, int32_t zero_point) {
  const float q = std::nearbyint(x / scale);
  return saturate_round<Q>(std::isnan(q) ? static_cast<float>(zero_point) : q + static_cast<float>(zero_point));
}

// The values of a scale tensor (float32, float16 or bfloat16) as float32; InvalidArgument naming `what` otherwise.
Result<std::vector<float>> read_scales(const KernelContext& ctx, const Tensor& t, std::string_view what);
// The values of a zero-point tensor (int8, uint8, int16, uint16, int32) as int32; InvalidArgument otherwise.
Result<std::vector<int32_t>> read_zero_points(const KernelContext& ctx, const Tensor& t, std::string_view what);

// Which scale / zero point applies to element (o, a, i) of x viewed as [outer, dim, inner] around `axis`:
//   per tensor  index 0
//   per axis    index a                           (scale 1-D of x.dim(axis) values)
//   blocked     index (o * blocks + a / block) * inner + i   (opset 21 block_size: scale has x's rank, dim
//               `axis` = ceil(x.dim(axis) / block), the other dims equal to x's)
struct AxisQuantLayout {
  int64_t outer = 1, dim = 1, inner = 1;
  int64_t block = 0;   // 0 unless blocked
  int64_t blocks = 0;  // ceil(dim / block)
  bool per_tensor = true;

  int64_t index(int64_t o, int64_t a, int64_t i) const {
    if (per_tensor) return 0;
    if (block == 0) return a;
    return (o * blocks + a / block) * inner + i;
  }
};

// Calls fn(offset, count, scale_index) over x's elements in runs of `count` consecutive elements sharing one scale
// index (rows of `inner` elements; single elements when blocked), in parallel over rows.
template <typename F>
void for_each_scale_run(const AxisQuantLayout& l, F&& fn) {
  const int64_t inner = l.inner;
  parallel_for(l.outer * l.dim, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, inner)),
               [&](int64_t begin, int64_t end) {
                 for (int64_t r = begin; r < end; ++r) {
                   const int64_t o = r / l.dim, a = r % l.dim;
                   if (!l.block) {
                     fn(r * inner, inner, l.index(o, a, 0));
                     continue;
                   }
                   for (int64_t i = 0; i < inner; ++i) fn(r * inner + i, int64_t{1}, l.index(o, a, i));
                 }
               });
}

// Validates scale (and zero point, which must have the scale's shape and dtype `zp_dtype` when given) against x
// for QuantizeLinear / DequantizeLinear at `opset` with attributes axis / block_size. Errors name the node, the
// shapes and what would be accepted.
Result<AxisQuantLayout> axis_quant_layout(const KernelContext& ctx, const Shape& x, const Tensor& scale,
                                          const Tensor* zero_point, int64_t axis, int64_t block_size, int64_t opset);

// ---- integer matrix product (MatMulInteger, QLinearMatMul) ----

// numpy.matmul shapes for A [..., M, K] x B [..., K, N] (1-D A / B as in MatMul), with each output batch's A and
// B matrix index (broadcast).
struct MatMulShape {
  Shape out;
  int64_t m = 0, n = 0, k = 0;
  int64_t batch = 1;                      // output matrices
  std::vector<int64_t> a_index, b_index;  // per output matrix: which A / B matrix it reads
  bool b_is_matrix = false;               // B has no batch (rank <= 2, or all batch dims 1)
};
Result<MatMulShape> matmul_shape(const KernelContext& ctx, const Shape& a, const Shape& b);

// A per-tensor / per-row (A) or per-column (B) parameter: value(matrix, i) = values[matrix * matrix_stride + i *
// stride] (matrix = the operand's own matrix index, i = the row of A or the column of B).
template <typename T>
struct MatrixParam {
  std::vector<T> values{T(0)};
  int64_t stride = 0;
  int64_t matrix_stride = 0;
  T at(int64_t matrix, int64_t i) const { return values[static_cast<size_t>(matrix * matrix_stride + i * stride)]; }
  bool per_tensor() const { return stride == 0 && matrix_stride == 0; }
};

// The layout of `param` (a scale or zero point) of operand `operand_shape` (A: per row, rows = m; B: per column,
// columns = n): one value (scalar or 1-element 1-D), a 1-D vector of `count` values, or the operand's shape with
// the other matrix dim 1 ([..., M, 1] for A, [..., 1, N] for B). `what` names the input in errors.
Result<std::pair<int64_t, int64_t>> matrix_param_strides(const KernelContext& ctx, const Tensor& param,
                                                         const Shape& operand_shape, bool per_row, int64_t count,
                                                         std::string_view what);
Result<MatrixParam<int32_t>> matrix_zero_points(const KernelContext& ctx, const Tensor* zp, DType expected,
                                                const Shape& operand_shape, bool per_row, int64_t count,
                                                std::string_view what);
Result<MatrixParam<float>> matrix_scales(const KernelContext& ctx, const Tensor& scale, const Shape& operand_shape,
                                         bool per_row, int64_t count, std::string_view what);

// acc[b, m, n] = sum_k (A[m, k] - zp_a(m)) * (B[k, n] - zp_b(n)) for every output matrix b: the plain int32 loop
// (A and B int8 or uint8; exact, wrapping like int32 beyond 2^31).
Status matmul_int32_loops(const KernelContext& ctx, const Tensor& a, const Tensor& b, const MatMulShape& s,
                          const MatrixParam<int32_t>& a_zp, const MatrixParam<int32_t>& b_zp, int32_t* acc);

// A constant 2-D B packed at creation into a PackedQGemm (int32 output), with the column sums of (B - zp_b) so
// that per-row A zero points (which the GEMM does not take) are applied afterwards. Made by make_packed_b (nullptr
// when B is not a constant 2-D int8/uint8 initializer or its zero point is not constant / per column).
class PackedIntB {
 public:
  virtual ~PackedIntB() = default;
  // acc as matmul_int32_loops, for A [..., M, K] (its batch = the output's, as B has none).
  virtual Status run(const KernelContext& ctx, const Tensor& a, const MatMulShape& s, const MatrixParam<int32_t>& a_zp,
                     int32_t* acc) const = 0;
  virtual int64_t k() const = 0;
  virtual int64_t n() const = 0;
  // Whether node input i was copied into the pack (B, and its zero point when given): packed_constant_input.
  virtual bool packed_input(size_t i) const = 0;
};
// B at node input `b_input`, its zero point at `zp_input` (absent = 0). Errors: only a failing PackedQGemm::create.
Result<std::unique_ptr<PackedIntB>> make_packed_b(const KernelInfo& info, size_t b_input, size_t zp_input);

}  // namespace quant
}  // namespace onyx::cpu
