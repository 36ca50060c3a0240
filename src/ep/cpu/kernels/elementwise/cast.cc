// Cast (opsets 1-17) and CastLike (opset 15-17): convert every element to another dtype.
// Dtypes: all numeric dtypes, bool, float16, bfloat16 (both ways; strings are NotImplemented).
// Conversion rules (per element, convert<To, From>):
//   -> bool            v != 0 (NaN -> true)
//   float -> integer   truncation toward zero (C semantics), NaN -> 0, out-of-int64-range saturates,
//                      then narrower integers wrap (elementwise_util.h float_to_int; no UB)
//   integer -> integer two's-complement wrap (static_cast)
//   -> float16/bf16    via float, round to nearest even (so double -> float16 rounds twice)
// Cast to the same dtype aliases the input (no copy). Opset 1's `to` is a string ("FLOAT"), later an int.
// Variants: one contiguous loop per (from, to) pair; no saturate attribute (opset 19).
#include <cctype>
#include <string>

#include "src/ep/cpu/kernels/elementwise/elementwise_kernels.h"
#include "src/ep/cpu/kernels/elementwise/elementwise_util.h"

namespace onyx::cpu {

namespace {
using namespace elementwise;

using CastTypes = NumericAndBoolTypes;

template <typename To, typename From>
To convert(From v) {
  const auto c = load(v);  // halves widen to float
  using C = decltype(c);
  if constexpr (std::is_same_v<To, bool>) {
    return c != C(0);
  } else if constexpr (kIsHalf<To>) {
    return store<To>(static_cast<float>(c));
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<C>) {
    return float_to_int<To>(c);
  } else {
    return static_cast<To>(c);
  }
}

Status cast_to(KernelContext& ctx, const Tensor& x, DType to) {
  if (x.dtype() == to) {
    ctx.set_output(0, x);
    return ok_status();
  }
  return visit(CastTypes{}, x.dtype(), "Cast (input)", [&]<typename From>() {
    return visit(CastTypes{}, to, "Cast (to)", [&]<typename To>() {
      Tensor& y = ctx.allocate_output(0, to, x.shape());
      const From* in = x.data<From>();
      To* out = y.data<To>();
      parallel_for(x.numel(), BroadcastPlan::kGrainElements, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) out[i] = convert<To>(in[i]);
      });
      return ok_status();
    });
  });
}

class CastKernel final : public Kernel {
 public:
  explicit CastKernel(DType to) : to_(to) {}
  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    return cast_to(ctx, *x, to_);
  }

 private:
  DType to_;
};

Status compute_cast_like(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  ONYX_ASSIGN_OR_RETURN(const Tensor* like, required_input(ctx, 1));
  return cast_to(ctx, *x, like->dtype());
}

// Opset 1 names the type: "FLOAT", "INT64", ... (TensorProto.DataType names).
Result<DType> dtype_from_name(const KernelInfo& info, std::string name) {
  for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  static const std::pair<const char*, DType> kNames[] = {
      {"FLOAT", DType::kFloat32},   {"UINT8", DType::kUInt8},       {"INT8", DType::kInt8},
      {"UINT16", DType::kUInt16},   {"INT16", DType::kInt16},       {"INT32", DType::kInt32},
      {"INT64", DType::kInt64},     {"STRING", DType::kString},     {"BOOL", DType::kBool},
      {"FLOAT16", DType::kFloat16}, {"DOUBLE", DType::kFloat64},    {"UINT32", DType::kUInt32},
      {"UINT64", DType::kUInt64},   {"BFLOAT16", DType::kBFloat16},
  };
  for (const auto& [n, d] : kNames)
    if (name == n) return d;
  return info.invalid("attribute 'to' names unknown type '" + name + "'");
}
}  // namespace

Result<std::unique_ptr<Kernel>> create_cast(const KernelInfo& info) {
  const ir::Attribute* attr = info.node.find_attribute("to");
  if (!attr) return info.invalid("attribute 'to' is required");
  DType to;
  if (attr->kind == ir::Attribute::Kind::kString) {
    ONYX_ASSIGN_OR_RETURN(to, dtype_from_name(info, attr->s));
  } else {
    to = static_cast<DType>(attr->i);
  }
  if (to == DType::kString) return not_implemented(info.node.describe() + ": casting to string is not supported");
  if (dtype_size(to) == 0)
    return info.invalid("attribute 'to' is not a supported type (" + std::to_string(attr->i) + ")");
  return std::unique_ptr<Kernel>(std::make_unique<CastKernel>(to));
}

Result<std::unique_ptr<Kernel>> create_cast_like(const KernelInfo&) { return make_function_kernel(&compute_cast_like); }

}  // namespace onyx::cpu
