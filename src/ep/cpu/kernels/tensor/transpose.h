// Transpose of a contiguous tensor, dtype-generic (moves 1/2/4/8-byte elements).
// Thread safety: pure functions; the copies run on the intra-op threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace onyx::cpu {

// Which implementation transpose() picks after dropping size-1 dims and merging axes that stay adjacent.
enum class TransposePath {
  kCopy,            // the permutation is the identity after simplification: one memcpy
  kInnerContiguous, // the last axis stays last, e.g. [0, 2, 1, 3] (split / merge heads): memcpy rows
  kSwapLast2,       // [.., n-1, n-2]: batched 2-D transpose in cache tiles
  kGeneral,         // anything else: strided gather, one element at a time along the output's last axis
};

TransposePath transpose_path(std::span<const int64_t> in_shape, std::span<const int64_t> perm);

// dst[out index] = src[in index] with out dim k = in dim perm[k]. perm must be a valid permutation of
// [0, rank) (the caller validates). src and dst are contiguous, elem_size is 1, 2, 4 or 8.
void transpose(const void* src, void* dst, std::span<const int64_t> in_shape, std::span<const int64_t> perm,
               size_t elem_size);
// The general strided path for any permutation (what the fast paths are checked against).
void transpose_general(const void* src, void* dst, std::span<const int64_t> in_shape, std::span<const int64_t> perm,
                       size_t elem_size);
// Plain reference: one index computation per element, no simplification (tests only).
void transpose_reference(const void* src, void* dst, std::span<const int64_t> in_shape,
                         std::span<const int64_t> perm, size_t elem_size);

}  // namespace onyx::cpu
