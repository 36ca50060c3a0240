// NonZero (opset 9, 13): the indices of the non-zero elements as int64 [rank, count], row-major order
// (numpy.nonzero; a scalar is treated as shape [1]). -0.0 is zero, NaN is non-zero.
// Variants: one (two passes: count, then write coordinates with an odometer).
#include "src/core/dtype_dispatch.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

template <typename T>
bool is_nonzero(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) return (v.bits & 0x7fffu) != 0;
  else return v != T(0);
}

Status compute_non_zero(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  return visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t,
                     uint64_t, bool>(x->dtype(), "NonZero", [&]<typename T>() {
    const Shape dims = x->rank() == 0 ? Shape{1} : x->shape();
    const int64_t rank = static_cast<int64_t>(dims.size());
    const T* src = x->data<T>();
    int64_t count = 0;
    for (int64_t i = 0; i < x->numel(); ++i) count += is_nonzero(src[i]);
    int64_t* out = ctx.allocate_output(0, DType::kInt64, {rank, count}).data<int64_t>();
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0, n = 0; i < x->numel(); ++i) {
      if (is_nonzero(src[i])) {
        for (int64_t d = 0; d < rank; ++d) out[d * count + n] = idx[d];
        ++n;
      }
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++idx[d] < dims[d]) break;
        idx[d] = 0;
      }
    }
    return ok_status();
  });
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_non_zero(const KernelInfo& info) {
  return make_function_kernel(&compute_non_zero);
}

}  // namespace onyx::cpu
