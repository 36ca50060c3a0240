// ScatterElements (opset 11, 13, 16) and the deprecated Scatter (opset 9, 11 — same semantics):
// out = copy of data, then out[i0, .., indices[i0, .., ir], .., ir] (reduction)= updates[i0, .., ir] along
// `axis`. reduction: none (later duplicates win), add, mul (opset 16), max, min.
// Out-of-range indices are an InvalidArgument error.
// Variants: one (reduction none moves raw elements for every dtype; reductions on numeric dtypes).
#include <cstring>

#include "src/ep/cpu/kernels/tensor/indexing.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class ScatterElementsKernel final : public Kernel {
 public:
  ScatterElementsKernel(int64_t axis, detail::ScatterReduction reduction) : axis_(axis), reduction_(reduction) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* data, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* idx_t, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(const Tensor* updates, required_input(ctx, 2));
    ONYX_RETURN_IF_ERROR(detail::elem_size_of(ctx, *data).status());
    ONYX_ASSIGN_OR_RETURN(const int64_t axis, detail::resolve_axis(ctx, axis_, data->shape()));
    if (updates->shape() != idx_t->shape() || updates->dtype() != data->dtype())
      return ctx.invalid("updates (" + dtype_name(updates->dtype()) + " " + shape_to_string(updates->shape()) +
                         ") must have the indices' shape " + shape_to_string(idx_t->shape()) + " and data's dtype " +
                         dtype_name(data->dtype()));
    ONYX_RETURN_IF_ERROR(detail::check_axis_index_shape(ctx, idx_t->shape(), data->shape(), axis));
    ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> indices, detail::read_indices(ctx, *idx_t, data->dim(axis), "indices"));
    const std::vector<int64_t> offsets = detail::axis_element_offsets(idx_t->shape(), data->shape(), axis, indices);
    Tensor& y = ctx.allocate_output(0, data->dtype(), data->shape());
    if (data->nbytes()) std::memcpy(y.raw_data(), data->raw_data(), data->nbytes());
    return detail::scatter_blocks(ctx, y, *updates, offsets, 1, reduction_);
  }

 private:
  int64_t axis_;
  detail::ScatterReduction reduction_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_scatter_elements(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(auto reduction, detail::parse_scatter_reduction(info));
  return std::unique_ptr<Kernel>(std::make_unique<ScatterElementsKernel>(info.node.attr_int("axis", 0), reduction));
}

}  // namespace onyx::cpu
