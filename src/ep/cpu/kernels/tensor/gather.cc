// Gather (opset 1, 11, 13): out[o, i..., r] = data[o, indices[i...], r] along `axis`; output shape
// data[:axis] + indices.shape + data[axis+1:]. Negative indices count from the back; an index outside
// [-dim, dim) is an InvalidArgument error naming the node (checked before anything is copied).
// Variants: one (one memcpy of the trailing block per (outer, index); outer rows on the intra-op threads).
#include <cstring>

#include "src/core/parallel.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class GatherKernel final : public Kernel {
 public:
  explicit GatherKernel(int64_t axis) : axis_(axis) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* data, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* idx_t, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *data));
    ONYX_ASSIGN_OR_RETURN(const int64_t axis, detail::resolve_axis(ctx, axis_, data->shape()));
    const int64_t dim = data->dim(axis);
    ONYX_ASSIGN_OR_RETURN(std::vector<int64_t> indices, detail::read_indices(ctx, *idx_t, dim, "indices"));
    const std::span<const int64_t> dims(data->shape());
    Shape out_shape(dims.begin(), dims.begin() + axis);
    out_shape.insert(out_shape.end(), idx_t->shape().begin(), idx_t->shape().end());
    out_shape.insert(out_shape.end(), dims.begin() + axis + 1, dims.end());
    Tensor& y = ctx.allocate_output(0, data->dtype(), out_shape);
    const int64_t outer = shape_numel(dims.first(axis));
    const int64_t block = shape_numel(dims.subspan(axis + 1)) * static_cast<int64_t>(elem_size);
    const int64_t n = static_cast<int64_t>(indices.size());
    if (y.numel() == 0) return ok_status();
    const char* src = static_cast<const char*>(data->raw_data());
    char* dst = static_cast<char*>(y.raw_data());
    parallel_for(outer * n, std::max<int64_t>(1, 16384 / block), [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t o = t / n, i = t % n;
        std::memcpy(dst + t * block, src + (o * dim + indices[i]) * block, block);
      }
    });
    return ok_status();
  }

 private:
  int64_t axis_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_gather(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<GatherKernel>(info.node.attr_int("axis", 0)));
}

}  // namespace onyx::cpu
