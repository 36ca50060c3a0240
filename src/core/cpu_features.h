// CPU feature detection, once at start-up (used for ISA dispatch and reported by `onyx info`).
#pragma once

#include <string>

namespace onyx {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  // "avx2 fma avx512f ..." (the detected subset)
  std::string to_string() const;
};

const CpuFeatures& cpu_features();

}  // namespace onyx
