// float32 -> bfloat16: the scalar reference and the ISA dispatch (see bf16_convert.h).
#include "src/ep/cpu/gemm/bf16_convert.h"

#include "src/core/cpu_features.h"
#include "src/core/half.h"

namespace onyx::cpu {

void convert_to_bf16_reference(const float* x, int64_t n, BFloat16* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = to_bfloat16(x[i]);
}

void convert_to_bf16(const float* x, int64_t n, BFloat16* out) {
  static const detail::ConvertToBf16Fn fn = [] {
    const detail::ConvertToBf16Fn simd = cpu_features().avx512bf16 ? detail::convert_to_bf16_avx512() : nullptr;
    return simd ? simd : &convert_to_bf16_reference;
  }();
  fn(x, n, out);
}

}  // namespace onyx::cpu
