// ScatterND (opset 11, 13, 16): out = copy of data, then each k-tuple in the last dim of `indices` selects
// a slice of out that takes (reduction: none | add | mul from opset 16, max | min) the matching slice of
// updates (shape indices.shape[:-1] + data.shape[k:]). Out-of-range indices are an InvalidArgument error.
// Variants: one (reduction none: one memcpy per tuple, any dtype; reductions on numeric dtypes).
#include <cstring>

#include "src/ep/cpu/kernels/tensor/indexing.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class ScatterNdKernel final : public Kernel {
 public:
  explicit ScatterNdKernel(detail::ScatterReduction reduction) : reduction_(reduction) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* data, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* indices, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(const Tensor* updates, required_input(ctx, 2));
    ONYX_RETURN_IF_ERROR(detail::elem_size_of(ctx, *data).status());
    ONYX_ASSIGN_OR_RETURN(detail::NdOffsets nd, detail::nd_offsets(ctx, data->shape(), *indices, 0));
    const int64_t k = indices->dim(indices->rank() - 1);
    Shape expected(indices->shape().begin(), indices->shape().end() - 1);
    expected.insert(expected.end(), data->shape().begin() + k, data->shape().end());
    if (updates->shape() != expected || updates->dtype() != data->dtype())
      return ctx.invalid("updates (" + dtype_name(updates->dtype()) + " " + shape_to_string(updates->shape()) +
                         ") must be " + dtype_name(data->dtype()) + " " + shape_to_string(expected));
    Tensor& y = ctx.allocate_output(0, data->dtype(), data->shape());
    if (data->nbytes()) std::memcpy(y.raw_data(), data->raw_data(), data->nbytes());
    return detail::scatter_blocks(ctx, y, *updates, nd.offsets, nd.block, reduction_);
  }

 private:
  detail::ScatterReduction reduction_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_scatter_nd(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(auto reduction, detail::parse_scatter_reduction(info));
  return std::unique_ptr<Kernel>(std::make_unique<ScatterNdKernel>(reduction));
}

}  // namespace onyx::cpu
