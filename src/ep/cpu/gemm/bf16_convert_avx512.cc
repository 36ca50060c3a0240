// AVX512-BF16 float32 -> bfloat16 conversion (see bf16_convert.h). Compiled with per-function target attributes,
// so the file builds for any x86-64 baseline; convert_to_bf16() calls it only on CPUs with AVX512-BF16.
#include "src/ep/cpu/gemm/bf16_convert.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ONYX_BF16_AVX512 1
#endif

namespace onyx::cpu {

#ifdef ONYX_BF16_AVX512

namespace {

#define ONYX_AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

ONYX_AVX512BF16 void convert_avx512(const float* x, int64_t n, BFloat16* out) {
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 lo = _mm512_loadu_ps(x + i), hi = _mm512_loadu_ps(x + i + 16);
    // vcvtne2ps2bf16 puts its second operand in the low half.
    _mm512_storeu_si512(out + i, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
  }
  for (; i < n; i += 16) {
    const int64_t left = n - i;
    const __mmask16 mask = left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1u);
    const __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
    _mm256_mask_storeu_epi16(out + i, mask, (__m256i)_mm512_cvtneps_pbh(v));
  }
}

}  // namespace

detail::ConvertToBf16Fn detail::convert_to_bf16_avx512() { return &convert_avx512; }

#else

detail::ConvertToBf16Fn detail::convert_to_bf16_avx512() { return nullptr; }

#endif

}  // namespace onyx::cpu
