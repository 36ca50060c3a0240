// Concat (opset 1, 4, 11, 13): join inputs along `axis` (default 1 before opset 4; negative from 11).
// All inputs share dtype and rank and every dim except `axis`; 0-sized inputs are allowed.
// Variants: one (per outer index, one memcpy per input; outer indices run on the intra-op threads).
#include <cstring>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class ConcatKernel final : public Kernel {
 public:
  explicit ConcatKernel(int64_t axis) : axis_(axis) {}

  Status compute(KernelContext& ctx) const override {
    std::vector<const Tensor*> inputs;
    for (size_t i = 0; i < ctx.num_inputs(); ++i)
      if (ctx.input(i)) inputs.push_back(ctx.input(i));
    if (inputs.empty()) return ctx.invalid("needs at least one input");
    const Tensor& first = *inputs[0];
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, first));
    const int64_t rank = static_cast<int64_t>(first.rank());
    ONYX_ASSIGN_OR_RETURN(const int64_t axis, detail::resolve_axis(ctx, axis_, first.shape()));
    Shape out_shape = first.shape();
    out_shape[axis] = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& t = *inputs[i];
      bool ok = t.dtype() == first.dtype() && t.rank() == first.rank();
      for (int64_t k = 0; ok && k < rank; ++k) ok = k == axis || t.dim(k) == first.dim(k);
      if (!ok)
        return ctx.invalid("input " + std::to_string(i) + " (" + dtype_name(t.dtype()) + " " +
                           shape_to_string(t.shape()) + ") does not match input 0 (" + dtype_name(first.dtype()) +
                           " " + shape_to_string(first.shape()) + ") outside axis " + std::to_string(axis));
      out_shape[axis] += t.dim(axis);
    }
    Tensor& y = ctx.allocate_output(0, first.dtype(), out_shape);
    const std::span<const int64_t> dims(out_shape);
    const int64_t outer = shape_numel(dims.first(axis));
    const int64_t inner = shape_numel(dims.subspan(axis + 1)) * static_cast<int64_t>(elem_size);
    const int64_t out_row = out_shape[axis] * inner;  // bytes per outer index
    if (outer == 0 || out_row == 0) return ok_status();
    char* dst = static_cast<char*>(y.raw_data());
    parallel_for(outer, std::max<int64_t>(1, (64 * 1024) / out_row), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        char* d = dst + o * out_row;
        for (const Tensor* t : inputs) {
          const int64_t bytes = t->dim(axis) * inner;
          if (bytes) std::memcpy(d, static_cast<const char*>(t->raw_data()) + o * bytes, bytes);
          d += bytes;
        }
      }
    });
    return ok_status();
  }

 private:
  int64_t axis_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_concat(const KernelInfo& info) {
  if (info.opset >= 4 && !info.node.has_attribute("axis")) return info.invalid("the 'axis' attribute is required");
  const int64_t axis = info.node.attr_int("axis", 1);
  if (axis < 0 && info.opset < 11) return info.invalid("negative axis needs opset 11");
  return std::unique_ptr<Kernel>(std::make_unique<ConcatKernel>(axis));
}

}  // namespace onyx::cpu
