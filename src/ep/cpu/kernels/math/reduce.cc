// ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceSumSquare ReduceL1 ReduceL2 ReduceLogSum
// ReduceLogSumExp (opset 1 .. 18): one reduction engine parametrised by a small op struct (init / step / finish),
// kept in one file because the ten ops differ only in those three lines each.
// Axes come from the `axes` attribute, or from the optional second input for ReduceSum from opset 13 and the
// others from opset 18. Empty axes reduce everything unless noop_with_empty_axes (then Y = X).
// Variants (after dropping size-1 dims and merging neighbouring dims that are both kept / both reduced):
//   rows     [outer, R]         reduce contiguous rows (the last-axis fast path: LayerNorm-style means);
//                               float32 Sum / Mean / Max rows use row_kernels_f32() (AVX-512 when present)
//   columns  [outer, R, inner]  accumulate R rows of `inner` contiguous values at once
//   permuted anything else      transpose the reduced axes to the end, then rows
//   reference                   reduce_reference() in the tests: one index computation per element
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "src/core/dtype_dispatch.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/kernels/math/math_util.h"
#include "src/ep/cpu/kernels/math/row_kernels.h"
#include "src/ep/cpu/kernels/tensor/transpose.h"

namespace onyx::cpu {

namespace {

// The accumulation type: T itself, except the log/exp ops on integers (double).
template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;

template <typename T>
T lowest_value() {
  if constexpr (kIsFloat<T>) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <typename T>
T highest_value() {
  if constexpr (kIsFloat<T>) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}
template <typename T>
bool is_nan(T x) {
  if constexpr (kIsFloat<T>) return std::isnan(x);
  else return false;
}
template <typename T>
T abs_value(T x) {
  if constexpr (std::is_unsigned_v<T>) return x;
  else return x < T(0) ? T(-x) : x;
}

template <typename T>
struct SumOp {
  using Acc = T;
  static Acc init() { return T(0); }
  static void step(Acc& a, T x) { a += x; }
  static T finish(Acc a, int64_t) { return a; }
};
template <typename T>
struct MeanOp : SumOp<T> {
  static T finish(T a, int64_t n) {
    if constexpr (!kIsFloat<T>)
      if (n == 0) return T(0);
    return static_cast<T>(a / static_cast<T>(n));  // float 0 / 0 = NaN: the mean of nothing
  }
};
template <typename T>
struct MaxOp {
  using Acc = T;
  static Acc init() { return lowest_value<T>(); }
  static void step(Acc& a, T x) { a = (x > a || is_nan(x)) && !is_nan(a) ? x : a; }
  static T finish(Acc a, int64_t) { return a; }
};
template <typename T>
struct MinOp {
  using Acc = T;
  static Acc init() { return highest_value<T>(); }
  static void step(Acc& a, T x) { a = (x < a || is_nan(x)) && !is_nan(a) ? x : a; }
  static T finish(Acc a, int64_t) { return a; }
};
template <typename T>
struct ProdOp {
  using Acc = T;
  static Acc init() { return T(1); }
  static void step(Acc& a, T x) { a *= x; }
  static T finish(Acc a, int64_t) { return a; }
};
template <typename T>
struct SumSquareOp : SumOp<T> {
  static void step(T& a, T x) { a += x * x; }
};
template <typename T>
struct L1Op : SumOp<T> {
  static void step(T& a, T x) { a += abs_value(x); }
};
template <typename T>
struct L2Op {
  using Acc = std::conditional_t<kIsFloat<T>, T, double>;
  static Acc init() { return Acc(0); }
  static void step(Acc& a, T x) { a += static_cast<Acc>(x) * static_cast<Acc>(x); }
  static T finish(Acc a, int64_t) { return static_cast<T>(std::sqrt(a)); }
};
template <typename T>
struct LogSumOp {
  using Acc = std::conditional_t<kIsFloat<T>, T, double>;
  static Acc init() { return Acc(0); }
  static void step(Acc& a, T x) { a += static_cast<Acc>(x); }
  static T finish(Acc a, int64_t) { return static_cast<T>(std::log(a)); }
};
// Streaming log-sum-exp: (running max, sum of exp(x - max)), rescaled when the max grows.
template <typename T>
struct LogSumExpOp {
  using F = std::conditional_t<kIsFloat<T>, T, double>;
  struct Acc {
    F max = -std::numeric_limits<F>::infinity();
    F sum = 0;
  };
  static Acc init() { return Acc{}; }
  static void step(Acc& a, T xv) {
    const F x = static_cast<F>(xv);
    if (x > a.max) {
      a.sum = a.sum * std::exp(a.max - x) + F(1);
      a.max = x;
    } else if (x != -std::numeric_limits<F>::infinity()) {
      a.sum += std::exp(x - a.max);
    }
  }
  static T finish(const Acc& a, int64_t) { return static_cast<T>(a.max + std::log(a.sum)); }
};

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kSumSquare, kL1, kL2, kLogSum, kLogSumExp };

// Y[o, i] = reduce over r of X[o, r, i] (x is contiguous [outer, r, inner]).
template <template <typename> class Op, typename T>
void reduce_3d(const T* x, T* y, int64_t outer, int64_t r, int64_t inner) {
  using O = Op<T>;
  using Acc = typename O::Acc;
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, r)), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        Acc acc = O::init();
        const T* row = x + o * r;
        for (int64_t j = 0; j < r; ++j) O::step(acc, row[j]);
        y[o] = O::finish(acc, r);
      }
    });
    return;
  }
  constexpr int64_t kChunk = 512;
  const int64_t chunks = (inner + kChunk - 1) / kChunk;
  parallel_for(outer * chunks, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, r * kChunk)),
               [&](int64_t b, int64_t e) {
                 std::vector<Acc> acc(static_cast<size_t>(std::min(inner, kChunk)));
                 for (int64_t t = b; t < e; ++t) {
                   const int64_t o = t / chunks, i0 = (t % chunks) * kChunk, i1 = std::min(inner, i0 + kChunk);
                   std::fill(acc.begin(), acc.end(), O::init());
                   for (int64_t j = 0; j < r; ++j) {
                     const T* row = x + (o * r + j) * inner;
                     for (int64_t i = i0; i < i1; ++i) O::step(acc[i - i0], row[i]);
                   }
                   for (int64_t i = i0; i < i1; ++i) y[o * inner + i] = O::finish(acc[i - i0], r);
                 }
               });
}

// float32 Sum / Mean / Max over contiguous rows on the dispatched row kernels.
void reduce_rows_f32(ReduceKind kind, const float* x, float* y, int64_t outer, int64_t r) {
  const RowKernelsF32& k = row_kernels_f32();
  parallel_for(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, r)), [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      const float* row = x + o * r;
      if (kind == ReduceKind::kMax) y[o] = k.max(row, r);
      else if (kind == ReduceKind::kSum) y[o] = k.sum(row, r);
      else y[o] = k.sum(row, r) / static_cast<float>(r);
    }
  });
}

template <typename T>
void reduce_dispatch(ReduceKind kind, const T* x, T* y, int64_t outer, int64_t r, int64_t inner) {
  if constexpr (std::is_same_v<T, float>) {
    if (inner == 1 && (kind == ReduceKind::kSum || kind == ReduceKind::kMean || kind == ReduceKind::kMax))
      return reduce_rows_f32(kind, x, y, outer, r);
  }
  switch (kind) {
    case ReduceKind::kSum: return reduce_3d<SumOp>(x, y, outer, r, inner);
    case ReduceKind::kMean: return reduce_3d<MeanOp>(x, y, outer, r, inner);
    case ReduceKind::kMax: return reduce_3d<MaxOp>(x, y, outer, r, inner);
    case ReduceKind::kMin: return reduce_3d<MinOp>(x, y, outer, r, inner);
    case ReduceKind::kProd: return reduce_3d<ProdOp>(x, y, outer, r, inner);
    case ReduceKind::kSumSquare: return reduce_3d<SumSquareOp>(x, y, outer, r, inner);
    case ReduceKind::kL1: return reduce_3d<L1Op>(x, y, outer, r, inner);
    case ReduceKind::kL2: return reduce_3d<L2Op>(x, y, outer, r, inner);
    case ReduceKind::kLogSum: return reduce_3d<LogSumOp>(x, y, outer, r, inner);
    case ReduceKind::kLogSumExp: return reduce_3d<LogSumExpOp>(x, y, outer, r, inner);
  }
}

class ReduceKernel final : public Kernel {
 public:
  ReduceKernel(ReduceKind kind, std::string name, std::optional<std::vector<int64_t>> axes_attr, bool axes_input,
               bool keepdims, bool noop_with_empty_axes)
      : kind_(kind),
        name_(std::move(name)),
        axes_attr_(std::move(axes_attr)),
        axes_input_(axes_input),
        keepdims_(keepdims),
        noop_with_empty_axes_(noop_with_empty_axes) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    const int64_t rank = static_cast<int64_t>(x->rank());
    std::vector<int64_t> axes;
    if (axes_attr_) axes = *axes_attr_;
    if (axes_input_ && ctx.input(1)) {
      ONYX_ASSIGN_OR_RETURN(axes, math::read_int64s(ctx, *ctx.input(1), "axes"));
    }
    if (axes.empty() && noop_with_empty_axes_) {
      ctx.set_output(0, *x);
      return ok_status();
    }
    std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
    for (int64_t a : axes) {
      if (!math::normalize_axis(a, rank))
        return ctx.invalid("axis " + std::to_string(a) + " is out of range for input shape " +
                           shape_to_string(x->shape()));
      if (reduced[a]) return ctx.invalid("axis " + std::to_string(a) + " is repeated in axes");
      reduced[a] = true;
    }
    Shape out_shape;
    for (int64_t d = 0; d < rank; ++d) {
      if (!reduced[d]) out_shape.push_back(x->dim(d));
      else if (keepdims_) out_shape.push_back(1);
    }
    Tensor& y = ctx.allocate_output(0, x->dtype(), out_shape);
    return visit_dtype<float, double, int32_t, int64_t, uint32_t, uint64_t, int8_t, uint8_t>(
        x->dtype(), name_, [&]<typename T>() -> Status {
          run<T>(*x, reduced, y.data<T>());
          return ok_status();
        });
  }

 private:
  template <typename T>
  void run(const Tensor& x, const std::vector<bool>& reduced, T* y) const {
    // Merge neighbouring dims with the same status, dropping size-1 dims: groups alternate kept / reduced.
    std::vector<std::pair<int64_t, bool>> groups;
    for (size_t d = 0; d < reduced.size(); ++d) {
      if (x.dim(d) == 1) continue;
      if (!groups.empty() && groups.back().second == reduced[d]) groups.back().first *= x.dim(d);
      else groups.push_back({x.dim(d), reduced[d]});
    }
    int64_t reduced_groups = 0;
    for (const auto& g : groups) reduced_groups += g.second ? 1 : 0;
    const T* xd = x.data<T>();
    if (reduced_groups <= 1) {
      int64_t outer = 1, r = 1, inner = 1;
      bool seen_reduced = false;
      for (const auto& [size, is_reduced] : groups) {
        if (is_reduced) {
          r = size;
          seen_reduced = true;
        } else {
          (seen_reduced ? inner : outer) *= size;
        }
      }
      reduce_dispatch<T>(kind_, xd, y, outer, r, inner);
      return;
    }
    // Several reduced groups: move every reduced axis to the end, then reduce rows.
    std::vector<int64_t> perm;
    int64_t outer = 1, r = 1;
    for (size_t d = 0; d < reduced.size(); ++d)
      if (!reduced[d]) {
        perm.push_back(static_cast<int64_t>(d));
        outer *= x.dim(d);
      }
    for (size_t d = 0; d < reduced.size(); ++d)
      if (reduced[d]) {
        perm.push_back(static_cast<int64_t>(d));
        r *= x.dim(d);
      }
    std::vector<T> moved(static_cast<size_t>(x.numel()));
    transpose(xd, moved.data(), x.shape(), perm, sizeof(T));
    reduce_dispatch<T>(kind_, moved.data(), y, outer, r, 1);
  }

  ReduceKind kind_;
  std::string name_;
  std::optional<std::vector<int64_t>> axes_attr_;
  bool axes_input_;
  bool keepdims_;
  bool noop_with_empty_axes_;
};

Result<std::unique_ptr<Kernel>> create_reduce(const KernelInfo& info, ReduceKind kind, int64_t axes_input_since) {
  const ir::Node& n = info.node;
  const bool axes_input = info.opset >= axes_input_since;
  std::optional<std::vector<int64_t>> axes_attr;
  if (!axes_input && n.has_attribute("axes")) axes_attr = n.attr_ints("axes");
  if (axes_attr) {
    std::vector<int64_t> sorted = *axes_attr;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      return info.invalid("axes " + shape_to_string(*axes_attr) + " has a repeated axis");
  }
  const bool noop = axes_input && n.attr_int("noop_with_empty_axes", 0) != 0;
  return std::unique_ptr<Kernel>(std::make_unique<ReduceKernel>(kind, n.op_type, std::move(axes_attr), axes_input,
                                                                n.attr_int("keepdims", 1) != 0, noop));
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_reduce_sum(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kSum, 13);
}
Result<std::unique_ptr<Kernel>> create_reduce_mean(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kMean, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_max(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kMax, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_min(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kMin, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_prod(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kProd, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_sum_square(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kSumSquare, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_l1(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kL1, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_l2(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kL2, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_log_sum(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kLogSum, 18);
}
Result<std::unique_ptr<Kernel>> create_reduce_log_sum_exp(const KernelInfo& info) {
  return create_reduce(info, ReduceKind::kLogSumExp, 18);
}

}  // namespace onyx::cpu
