// Softmax and LogSoftmax (opset 1, 11, 13; one kernel, they differ in the last step).
// Before opset 13 the input is coerced to 2-D at `axis` (default 1) and each row is normalised; from 13 the
// normalisation runs along `axis` alone (default -1). Numerically stable: x - max before exp.
// Variants:
//   rows     inner == 1 (the last axis, the attention case): max / exp-sum / scale per contiguous row;
//            float32 rows run on the row_kernels_f32() table (AVX-512 when the CPU has it)
//   columns  inner > 1: the same three passes on whole inner rows at once (contiguous inner loops)
//   reference softmax_reference() in tests/kernels/math_softmax_test.cc
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"

namespace onyx::cpu {

namespace {

void softmax_rows_f32(const float* x, float* y, int64_t rows, int64_t d, bool log) {
  const RowKernelsF32& k = row_kernels_f32();
  parallel_for(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, d)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * d;
      float* yr = y + r * d;
      const float mx = k.max(xr, d);
      const float sum = k.exp_shift_sum(xr, mx, yr, d);
      if (log) k.scale_shift(xr, 1.0f, -(mx + std::log(sum)), yr, d);
      else k.scale_shift(yr, 1.0f / sum, 0.0f, yr, d);
    }
  });
}

template <typename T>
void softmax_rows(const T* x, T* y, int64_t rows, int64_t d, bool log) {
  if constexpr (std::is_same_v<T, float>) return softmax_rows_f32(x, y, rows, d, log);
  parallel_for(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, d)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* xr = x + r * d;
      T* yr = y + r * d;
      T mx = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < d; ++j) mx = std::max(mx, xr[j]);
      T sum = 0;
      if (log) {
        for (int64_t j = 0; j < d; ++j) sum += std::exp(xr[j] - mx);
        const T shift = mx + std::log(sum);
        for (int64_t j = 0; j < d; ++j) yr[j] = xr[j] - shift;
      } else {
        for (int64_t j = 0; j < d; ++j) {
          yr[j] = std::exp(xr[j] - mx);
          sum += yr[j];
        }
        const T inv = T(1) / sum;
        for (int64_t j = 0; j < d; ++j) yr[j] *= inv;
      }
    }
  });
}

template <typename T>
void softmax_columns(const T* x, T* y, int64_t outer, int64_t d, int64_t inner, bool log) {
  parallel_for(outer, 1, [&](int64_t b, int64_t e) {
    std::vector<T> mx(static_cast<size_t>(inner)), sum(static_cast<size_t>(inner));
    for (int64_t o = b; o < e; ++o) {
      const T* xo = x + o * d * inner;
      T* yo = y + o * d * inner;
      std::fill(mx.begin(), mx.end(), -std::numeric_limits<T>::infinity());
      std::fill(sum.begin(), sum.end(), T(0));
      for (int64_t j = 0; j < d; ++j)
        for (int64_t i = 0; i < inner; ++i) mx[i] = std::max(mx[i], xo[j * inner + i]);
      for (int64_t j = 0; j < d; ++j)
        for (int64_t i = 0; i < inner; ++i) {
          const T ex = std::exp(xo[j * inner + i] - mx[i]);
          if (!log) yo[j * inner + i] = ex;
          sum[i] += ex;
        }
      if (log) {
        for (int64_t i = 0; i < inner; ++i) mx[i] += std::log(sum[i]);
        for (int64_t j = 0; j < d; ++j)
          for (int64_t i = 0; i < inner; ++i) yo[j * inner + i] = xo[j * inner + i] - mx[i];
      } else {
        for (int64_t i = 0; i < inner; ++i) sum[i] = T(1) / sum[i];
        for (int64_t j = 0; j < d; ++j)
          for (int64_t i = 0; i < inner; ++i) yo[j * inner + i] *= sum[i];
      }
    }
  });
}

class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(int64_t axis, int64_t opset, bool log) : axis_(axis), opset_(opset), log_(log) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(math::AxisView v, math::softmax_view(ctx, x->shape(), axis_, opset_));
    Tensor& y = ctx.allocate_output(0, x->dtype(), x->shape());
    if (y.numel() == 0) return ok_status();
    return visit_dtype<float, double>(x->dtype(), log_ ? "LogSoftmax" : "Softmax", [&]<typename T>() -> Status {
      if (v.inner == 1) softmax_rows(x->data<T>(), y.data<T>(), v.outer, v.dim, log_);
      else softmax_columns(x->data<T>(), y.data<T>(), v.outer, v.dim, v.inner, log_);
      return ok_status();
    });
  }

 private:
  int64_t axis_;
  int64_t opset_;
  bool log_;
};

Result<std::unique_ptr<Kernel>> create(const KernelInfo& info, bool log) {
  const int64_t axis = info.node.attr_int("axis", info.opset < 13 ? 1 : -1);
  return std::unique_ptr<Kernel>(std::make_unique<SoftmaxKernel>(axis, info.opset, log));
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_softmax(const KernelInfo& info) { return create(info, false); }
Result<std::unique_ptr<Kernel>> create_log_softmax(const KernelInfo& info) { return create(info, true); }

}  // namespace onyx::cpu
