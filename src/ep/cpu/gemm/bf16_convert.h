// float32 -> bfloat16 conversion of activations (the bf16 GEMM path rounds X before the GEMM).
//
//   convert_to_bf16(x, n, out);   // out[i] = bf16(x[i]), round to nearest even
//
// Variants (chosen once from cpu_features()):
//   avx512bf16  vcvtne2ps2bf16, 32 values per instruction (bf16_convert_avx512.cc). Like every AVX512-BF16
//               conversion it treats denormal inputs as zero (the scalar version keeps them).
//   reference   to_bfloat16() from src/core/half.h, one value at a time (what tests compare against)
// Both keep NaN a NaN and round everything else to nearest even.
// Thread safety: reentrant; single-threaded (callers split large arrays themselves).
#pragma once

#include <cstdint>

#include "onyx/tensor.h"

namespace onyx::cpu {

void convert_to_bf16(const float* x, int64_t n, BFloat16* out);
void convert_to_bf16_reference(const float* x, int64_t n, BFloat16* out);

namespace detail {
// The AVX512-BF16 variant; nullptr when the build cannot emit it. Call only when cpu_features().avx512bf16.
using ConvertToBf16Fn = void (*)(const float* x, int64_t n, BFloat16* out);
ConvertToBf16Fn convert_to_bf16_avx512();
}  // namespace detail

}  // namespace onyx::cpu
