// Building blocks of the elementwise kernels: dtype lists, half-precision load/store, and the loops that
// apply a functor over one tensor (unary) or two broadcast tensors (binary).
//
// Functors receive "compute" values: the storage value itself, except Float16/BFloat16 which are widened to
// float (and narrowed back with round-to-nearest-even on store). So `[](auto a, auto b) { return a + b; }`
// serves every dtype, and the float32 loops stay plain, vectorizable `out[i] = op(a[i], b[i])` loops.
//
// Loop variants (binary_apply), chosen per row from the BroadcastPlan (broadcast.h):
//   contiguous op contiguous | value op contiguous | contiguous op value | value op value
// Thread safety: everything here is stateless; loops run on the intra-op threads.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/kernel.h"
#include "src/ep/cpu/kernels/elementwise/broadcast.h"

namespace onyx::cpu::elementwise {

template <typename... Ts>
struct TypeList {};

// Calls fn.template operator()<T>() for the T of `dtype` in the list; NotImplemented naming `what` otherwise.
template <typename... Ts, typename F>
Status visit(TypeList<Ts...>, DType dtype, std::string_view what, F&& fn) {
  return visit_dtype<Ts...>(dtype, what, std::forward<F>(fn));
}

using FloatTypes = TypeList<float, double, Float16, BFloat16>;
using SignedTypes = TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t>;
using NumericTypes = TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t,
                              uint32_t, uint64_t>;
using NumericAndBoolTypes = TypeList<float, double, Float16, BFloat16, int8_t, int16_t, int32_t, int64_t, uint8_t,
                                     uint16_t, uint32_t, uint64_t, bool>;

template <typename T>
inline constexpr bool kIsHalf = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

// The type functors compute in for storage type T.
template <typename T>
using Compute = std::conditional_t<kIsHalf<T>, float, T>;

template <typename T>
inline Compute<T> load(T v) {
  if constexpr (kIsHalf<T>)
    return to_float(v);
  else
    return v;
}

template <typename T, typename V>
inline T store(V v) {
  if constexpr (std::is_same_v<T, Float16>)
    return to_float16(static_cast<float>(v));
  else if constexpr (std::is_same_v<T, BFloat16>)
    return to_bfloat16(static_cast<float>(v));
  else
    return static_cast<T>(v);
}

// Integer arithmetic that wraps (two's complement) instead of overflowing into undefined behaviour.
template <typename T>
inline T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  else
    return a + b;
}
template <typename T>
inline T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  else
    return a - b;
}
template <typename T>
inline T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  else
    return a * b;
}

// Float -> integer conversion without undefined behaviour: truncates toward zero (C semantics) for values in
// int64 range, NaN gives 0, values beyond int64 (or uint64 for uint64_t) saturate, then narrower types wrap
// modulo 2^bits (as numpy's astype does for in-range int64 values).
template <typename T, typename F>
inline T float_to_int(F v) {
  if (!(v == v)) return T(0);
  if constexpr (std::is_same_v<T, uint64_t>) {
    if (v >= static_cast<F>(18446744073709551616.0)) return std::numeric_limits<uint64_t>::max();
    if (v >= static_cast<F>(9223372036854775808.0)) return static_cast<uint64_t>(v);
  }
  if (v >= static_cast<F>(9223372036854775808.0)) return static_cast<T>(std::numeric_limits<int64_t>::max());
  if (v < static_cast<F>(-9223372036854775808.0)) return static_cast<T>(std::numeric_limits<int64_t>::min());
  return static_cast<T>(static_cast<int64_t>(v));
}

// out[i] = op(in[i]) over n elements, in parallel chunks.
template <typename TIn, typename TOut, typename Op>
void unary_apply(const TIn* in, TOut* out, int64_t n, const Op& op) {
  parallel_for(n, BroadcastPlan::kGrainElements, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = store<TOut>(op(load(in[i])));
  });
}

// out = op(a, b) with a and b broadcast to the plan's output (plan built from {a_shape, b_shape}).
// `out` may alias a or b when that input has the output's shape (used by the variadic ops).
template <typename A, typename B, typename O, typename Op>
void binary_apply(const BroadcastPlan& plan, const A* a, const B* b, O* out, const Op& op) {
  const int64_t n = plan.inner();
  const bool a_value = plan.inner_stride(0) == 0;
  const bool b_value = plan.inner_stride(1) == 0;
  plan.parallel_rows([&](int64_t row, const int64_t* off) {
    const A* pa = a + off[0];
    const B* pb = b + off[1];
    O* po = out + row * n;
    if (!a_value && !b_value) {
      for (int64_t i = 0; i < n; ++i) po[i] = store<O>(op(load(pa[i]), load(pb[i])));
    } else if (a_value && !b_value) {
      const auto va = load(*pa);
      for (int64_t i = 0; i < n; ++i) po[i] = store<O>(op(va, load(pb[i])));
    } else if (!a_value) {
      const auto vb = load(*pb);
      for (int64_t i = 0; i < n; ++i) po[i] = store<O>(op(load(pa[i]), vb));
    } else {
      const O v = store<O>(op(load(*pa), load(*pb)));
      for (int64_t i = 0; i < n; ++i) po[i] = v;
    }
  });
}

// Broadcasts a (shape a_shape) with b (shape b_shape), allocates output 0 of dtype O and applies op.
// a_shape/b_shape normally are the tensors' shapes; the legacy (opset < 7) broadcast passes a reshaped b.
template <typename A, typename B, typename O, typename Op>
Status binary_compute(KernelContext& ctx, const Tensor& a, ShapeView a_shape, const Tensor& b, ShapeView b_shape,
                      const Op& op) {
  auto out_shape = broadcast_shape({a_shape, b_shape});
  if (!out_shape.ok()) return ctx.invalid(out_shape.status().message());
  ONYX_ASSIGN_OR_RETURN(BroadcastPlan plan, BroadcastPlan::make(*out_shape, {a_shape, b_shape}));
  Tensor& y = ctx.allocate_output(0, dtype_of_storage<O>(), *out_shape);
  if (plan.numel() == 0) return ok_status();
  binary_apply(plan, a.data<A>(), b.data<B>(), y.data<O>(), op);
  return ok_status();
}

// InvalidArgument unless every tensor in `others` has `first`'s dtype (ONNX type constraint T).
Status check_same_dtype(const KernelContext& ctx, const Tensor& first, const Tensor& other, std::string_view what);

// A unary kernel: y = op(x) elementwise for x of a dtype in Types; y has x's dtype, or bool when kBoolOut.
// `op` is a copyable functor (attributes captured by value at creation) callable with Compute<T> for every T.
template <typename Types, bool kBoolOut, typename Op>
class UnaryKernel final : public Kernel {
 public:
  explicit UnaryKernel(Op op) : op_(op) {}
  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    return visit(Types{}, x->dtype(), ctx.node().op_type, [&]<typename T>() {
      using O = std::conditional_t<kBoolOut, bool, T>;
      Tensor& y = ctx.allocate_output(0, dtype_of_storage<O>(), x->shape());
      unary_apply(x->data<T>(), y.data<O>(), x->numel(), op_);
      return ok_status();
    });
  }

 private:
  Op op_;
};

template <typename Types, bool kBoolOut = false, typename Op>
Result<std::unique_ptr<Kernel>> make_unary_kernel(Op op) {
  return std::unique_ptr<Kernel>(std::make_unique<UnaryKernel<Types, kBoolOut, Op>>(op));
}

// Opset < 7 binary ops (Add/Sub/Mul/Div v1/v6, Pow v1, And/Or/Xor/Equal/Less/Greater v1) broadcast only when
// the `broadcast` attribute is 1, aligning B's dims to A's starting at `axis` (or at the end when absent).
// Read once at kernel creation; b_shape() gives the numpy-equivalent shape of B.
struct LegacyBroadcast {
  bool active = false;     // opset < 7
  bool broadcast = false;  // attribute broadcast
  bool has_axis = false;
  int64_t axis = 0;

  static LegacyBroadcast from(const KernelInfo& info);
  // B's shape for numpy broadcasting (A's shape must come out as the result); InvalidArgument if B does not fit.
  Result<Shape> b_shape(const KernelContext& ctx, const Tensor& a, const Tensor& b) const;
};

// A binary kernel: reads inputs 0 and 1 (applying LegacyBroadcast) and calls Fn(ctx, a, a_shape, b, b_shape).
using BinaryComputeFn = Status (*)(KernelContext& ctx, const Tensor& a, ShapeView a_shape, const Tensor& b,
                                   ShapeView b_shape);
Result<std::unique_ptr<Kernel>> make_binary_kernel(const KernelInfo& info, BinaryComputeFn fn);

}  // namespace onyx::cpu::elementwise
