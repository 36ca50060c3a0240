// GatherND (opset 11, 12, 13): each k-tuple in the last dim of `indices` picks a slice of data (after
// `batch_dims` leading batch dims, opset 12); output shape indices.shape[:-1] + data.shape[batch_dims + k:].
// Out-of-range indices are an InvalidArgument error.
// Variants: one (one memcpy per tuple).
#include <cstring>

#include "src/ep/cpu/kernels/tensor/indexing.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class GatherNdKernel final : public Kernel {
 public:
  explicit GatherNdKernel(int64_t batch_dims) : batch_dims_(batch_dims) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* data, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* indices, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *data));
    ONYX_ASSIGN_OR_RETURN(detail::NdOffsets nd, detail::nd_offsets(ctx, data->shape(), *indices, batch_dims_));
    const int64_t k = indices->dim(indices->rank() - 1);
    Shape out_shape(indices->shape().begin(), indices->shape().end() - 1);
    out_shape.insert(out_shape.end(), data->shape().begin() + batch_dims_ + k, data->shape().end());
    Tensor& y = ctx.allocate_output(0, data->dtype(), out_shape);
    const size_t bytes = static_cast<size_t>(nd.block) * elem_size;
    const char* src = static_cast<const char*>(data->raw_data());
    char* dst = static_cast<char*>(y.raw_data());
    for (size_t t = 0; t < nd.offsets.size(); ++t) std::memcpy(dst + t * bytes, src + nd.offsets[t] * elem_size, bytes);
    return ok_status();
  }

 private:
  int64_t batch_dims_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_gather_nd(const KernelInfo& info) {
  const int64_t batch_dims = info.node.attr_int("batch_dims", 0);
  if (batch_dims < 0) return info.invalid("batch_dims must be >= 0");
  return std::unique_ptr<Kernel>(std::make_unique<GatherNdKernel>(batch_dims));
}

}  // namespace onyx::cpu
