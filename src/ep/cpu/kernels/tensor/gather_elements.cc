// GatherElements (opset 11, 13): out[i0, .., ir] = data[i0, .., indices[i0, .., ir], .., ir] (index along
// `axis`); the output has the indices' shape. Out-of-range indices are an InvalidArgument error.
// Variants: one (offsets computed with an odometer, then a typed element gather).
#include "src/ep/cpu/kernels/tensor/indexing.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class GatherElementsKernel final : public Kernel {
 public:
  explicit GatherElementsKernel(int64_t axis) : axis_(axis) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* data, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* idx_t, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *data));
    ONYX_ASSIGN_OR_RETURN(const int64_t axis, detail::resolve_axis(ctx, axis_, data->shape()));
    ONYX_RETURN_IF_ERROR(detail::check_axis_index_shape(ctx, idx_t->shape(), data->shape(), axis));
    ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> indices, detail::read_indices(ctx, *idx_t, data->dim(axis), "indices"));
    const std::vector<int64_t> offsets = detail::axis_element_offsets(idx_t->shape(), data->shape(), axis, indices);
    Tensor& y = ctx.allocate_output(0, data->dtype(), idx_t->shape());
    return detail::visit_elem_size(elem_size, "GatherElements", [&]<typename U>() {
      const U* src = data->data<U>();
      U* dst = y.data<U>();
      for (size_t n = 0; n < offsets.size(); ++n) dst[n] = src[offsets[n]];
      return ok_status();
    });
  }

 private:
  int64_t axis_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_gather_elements(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<GatherElementsKernel>(info.node.attr_int("axis", 0)));
}

}  // namespace onyx::cpu
