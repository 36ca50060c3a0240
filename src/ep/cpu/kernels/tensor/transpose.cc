// Transpose (opset 1, 13): permute dims by `perm` (default: reverse).
// Variants (picked by transpose_path() after dropping size-1 dims and merging axes that stay adjacent):
//   kCopy            identity after simplification: one memcpy
//   kInnerContiguous last axis stays last ([0,2,1,3] head split/merge, [1,0,2]): memcpy rows (strided_copy)
//   kSwapLast2       [.., n-1, n-2] (K^T in attention): batched 2-D transpose in 16x16 tiles
//   kGeneral         any other permutation: strided gather along the output's last axis (strided_copy)
//   reference        transpose_reference(): one div/mod index computation per element (tests compare to it)
#include "src/ep/cpu/kernels/tensor/transpose.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

struct Simplified {
  std::vector<int64_t> shape;  // input dims
  std::vector<int64_t> perm;
};

// Drops size-1 dims, then merges runs of output axes that read consecutive input axes.
Simplified simplify(std::span<const int64_t> in_shape, std::span<const int64_t> perm) {
  const size_t rank = in_shape.size();
  std::vector<int64_t> new_axis(rank, -1), dims;
  for (size_t a = 0; a < rank; ++a)
    if (in_shape[a] != 1) {
      new_axis[a] = static_cast<int64_t>(dims.size());
      dims.push_back(in_shape[a]);
    }
  std::vector<int64_t> p;
  for (size_t i = 0; i < rank; ++i)
    if (new_axis[perm[i]] >= 0) p.push_back(new_axis[perm[i]]);
  // groups in output order: (first input axis, number of input axes)
  std::vector<std::pair<int64_t, int64_t>> groups;
  for (size_t i = 0; i < p.size(); ++i) {
    if (i > 0 && p[i] == p[i - 1] + 1) ++groups.back().second;
    else groups.push_back({p[i], 1});
  }
  std::vector<size_t> by_input(groups.size());
  std::iota(by_input.begin(), by_input.end(), 0);
  std::sort(by_input.begin(), by_input.end(), [&](size_t a, size_t b) { return groups[a].first < groups[b].first; });
  Simplified s;
  s.shape.resize(groups.size());
  s.perm.resize(groups.size());
  for (size_t new_in = 0; new_in < by_input.size(); ++new_in) {
    const auto [first, count] = groups[by_input[new_in]];
    int64_t d = 1;
    for (int64_t a = first; a < first + count; ++a) d *= dims[a];
    s.shape[new_in] = d;
    s.perm[by_input[new_in]] = static_cast<int64_t>(new_in);
  }
  return s;
}

TransposePath path_of(const Simplified& s) {
  const size_t r = s.perm.size();
  bool identity = true;
  for (size_t i = 0; i < r; ++i) identity = identity && s.perm[i] == static_cast<int64_t>(i);
  if (identity) return TransposePath::kCopy;
  if (s.perm[r - 1] == static_cast<int64_t>(r - 1)) return TransposePath::kInnerContiguous;
  // after merging, a leading identity prefix is one axis: [1, 0] or [0, 2, 1]
  if ((r == 2) || (r == 3 && s.perm[0] == 0 && s.perm[1] == 2)) return TransposePath::kSwapLast2;
  return TransposePath::kGeneral;
}

template <typename U>
void transpose_last2(const U* src, U* dst, int64_t batch, int64_t rows, int64_t cols) {
  constexpr int64_t kTile = 16;
  const int64_t col_tiles = (cols + kTile - 1) / kTile;
  const int64_t min_tasks = std::max<int64_t>(1, 16384 / (kTile * std::max<int64_t>(1, rows)));
  parallel_for(batch * col_tiles, min_tasks, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const U* s = src + (t / col_tiles) * rows * cols;
      U* d = dst + (t / col_tiles) * rows * cols;
      const int64_t c0 = (t % col_tiles) * kTile, c1 = std::min(c0 + kTile, cols);
      for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
        const int64_t r1 = std::min(r0 + kTile, rows);
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t r = r0; r < r1; ++r) d[c * rows + r] = s[r * cols + c];
      }
    }
  });
}

}  // namespace

TransposePath transpose_path(std::span<const int64_t> in_shape, std::span<const int64_t> perm) {
  return path_of(simplify(in_shape, perm));
}

void transpose(const void* src, void* dst, std::span<const int64_t> in_shape, std::span<const int64_t> perm,
               size_t elem_size) {
  const int64_t numel = shape_numel(in_shape);
  if (numel == 0) return;
  const Simplified s = simplify(in_shape, perm);
  const size_t r = s.perm.size();
  switch (path_of(s)) {
    case TransposePath::kCopy:
      std::memcpy(dst, src, static_cast<size_t>(numel) * elem_size);
      return;
    case TransposePath::kSwapLast2: {
      const int64_t rows = s.shape[r - 2], cols = s.shape[r - 1];
      Status st = detail::visit_elem_size(elem_size, "Transpose", [&]<typename U>() {
        transpose_last2(static_cast<const U*>(src), static_cast<U*>(dst), numel / (rows * cols), rows, cols);
        return ok_status();
      });
      (void)st;
      return;
    }
    case TransposePath::kInnerContiguous:
    case TransposePath::kGeneral: {
      const std::vector<int64_t> in_strides = detail::contiguous_strides(s.shape);
      std::vector<int64_t> out_shape(r), strides(r);
      for (size_t k = 0; k < r; ++k) {
        out_shape[k] = s.shape[s.perm[k]];
        strides[k] = in_strides[s.perm[k]];
      }
      detail::strided_copy(src, dst, out_shape, strides, elem_size);
      return;
    }
  }
}

void transpose_reference(const void* src, void* dst, std::span<const int64_t> in_shape,
                         std::span<const int64_t> perm, size_t elem_size) {
  const size_t r = in_shape.size();
  const std::vector<int64_t> in_strides = detail::contiguous_strides(in_shape);
  std::vector<int64_t> out_shape(r);
  for (size_t k = 0; k < r; ++k) out_shape[k] = in_shape[perm[k]];
  const int64_t numel = shape_numel(in_shape);
  for (int64_t o = 0; o < numel; ++o) {
    int64_t rem = o, offset = 0;
    for (size_t k = r; k-- > 0;) {
      offset += (rem % out_shape[k]) * in_strides[perm[k]];
      rem /= out_shape[k];
    }
    std::memcpy(static_cast<char*>(dst) + o * elem_size, static_cast<const char*>(src) + offset * elem_size,
                elem_size);
  }
}

namespace {

class TransposeKernel final : public Kernel {
 public:
  explicit TransposeKernel(std::vector<int64_t> perm) : perm_(std::move(perm)) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
    const size_t rank = x->rank();
    std::vector<int64_t> perm = perm_;
    if (perm.empty()) {
      perm.resize(rank);
      for (size_t k = 0; k < rank; ++k) perm[k] = static_cast<int64_t>(rank - 1 - k);
    }
    if (perm.size() != rank)
      return ctx.invalid("perm has " + std::to_string(perm.size()) + " entries but the input has shape " +
                         shape_to_string(x->shape()));
    Shape out_shape(rank);
    for (size_t k = 0; k < rank; ++k) out_shape[k] = x->dim(perm[k]);
    Tensor& y = ctx.allocate_output(0, x->dtype(), out_shape);
    transpose(x->raw_data(), y.raw_data(), x->shape(), perm, elem_size);
    return ok_status();
  }

 private:
  std::vector<int64_t> perm_;  // empty = reverse the dims
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_transpose(const KernelInfo& info) {
  std::vector<int64_t> perm = info.node.attr_ints("perm");
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(perm.size()) || seen[p])
      return info.invalid("perm " + shape_to_string(perm) + " is not a permutation of [0, " +
                          std::to_string(perm.size()) + ")");
    seen[p] = true;
  }
  return std::unique_ptr<Kernel>(std::make_unique<TransposeKernel>(std::move(perm)));
}

}  // namespace onyx::cpu
