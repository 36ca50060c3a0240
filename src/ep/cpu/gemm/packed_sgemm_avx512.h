// onyx's own fp32 PackedGemm variant for AVX-512 CPUs (internal; PackedGemm::create picks it, see packed_gemm.h).
//
// Why not oneDNN here: at the transformer shapes (M = tokens 35-1024, K/N 768-3072) oneDNN 2.6's brgemm runs at
// ~94% of the fp32 ceiling when W is hot in cache, but a model streams every weight matrix from memory once per
// run, and there it drops to ~85-88%. This kernel prefetches the W chunk the thread will read next while it
// computes the current one, and keeps bias + GELU on the cache-hot tile.
//
// Layout: W packed into blocks of 64 columns, each [K][64] floats (columns >= N zero); K is split into chunks of
// at most kKChunk so a chunk of the block (and the rows of X it meets) stays in L2.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "src/ep/cpu/gemm/packed_gemm.h"

namespace onyx::cpu::detail {

// w: [K, N] row-major fp32 (alpha already applied); bias: [N] or null. Null when the CPU lacks AVX-512F.
std::unique_ptr<PackedGemm> make_packed_sgemm_avx512(const std::vector<float>& w, int64_t k, int64_t n,
                                                     const float* bias, PackedGemmEpilogue epilogue);

}  // namespace onyx::cpu::detail
