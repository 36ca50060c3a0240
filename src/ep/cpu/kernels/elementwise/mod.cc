// Mod (opsets 10-17): fmod=0 -> integer modulo with the divisor's sign (Python %), fmod=1 -> C fmod / %
// (the dividend's sign). Floating-point inputs require fmod=1 (spec). Integer x mod 0 gives 0 instead of
// trapping (the spec leaves it undefined).
// Variants: per dtype (all numeric dtypes incl. float16/bfloat16), per row shape (binary_apply).
#include <cmath>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

template <typename T>
T int_mod(T a, T b, bool fmod) {
  if (b == 0) return 0;
  if constexpr (std::is_signed_v<T>) {
    if (b == -1) return 0;  // avoids the INT_MIN % -1 trap
  }
  T r = static_cast<T>(a % b);
  if constexpr (std::is_signed_v<T>) {
    if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
  }
  return r;
}

class ModKernel final : public Kernel {
 public:
  explicit ModKernel(bool fmod) : fmod_(fmod) {}
  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* a, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* b, required_input(ctx, 1));
    ONYX_RETURN_IF_ERROR(check_same_dtype(ctx, *a, *b, "input 1"));
    const bool fmod = fmod_;
    return visit(NumericTypes{}, a->dtype(), "Mod", [&]<typename T>() {
      using C = Compute<T>;
      if constexpr (std::is_floating_point_v<C>) {
        if (!fmod)
          return ctx.invalid("fmod must be 1 for floating-point inputs (got 0 with " + dtype_name(a->dtype()) + ")");
        return binary_compute<T, T, T>(ctx, *a, a->shape(), *b, b->shape(), [](C x, C y) { return std::fmod(x, y); });
      } else {
        return binary_compute<T, T, T>(ctx, *a, a->shape(), *b, b->shape(),
                                       [fmod](C x, C y) { return int_mod(x, y, fmod); });
      }
    });
  }

 private:
  bool fmod_;
};
}  // namespace

Result<std::unique_ptr<Kernel>> create_mod(const KernelInfo& info) {
  const int64_t fmod = info.node.attr_int("fmod", 0);
  if (fmod != 0 && fmod != 1) return info.invalid("fmod must be 0 or 1, got " + std::to_string(fmod));
  return std::unique_ptr<Kernel>(std::make_unique<ModKernel>(fmod == 1));
}

}  // namespace onyx::cpu
