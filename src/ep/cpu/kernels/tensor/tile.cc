// Tile (opset 1, 6, 13): repeat the input repeats[k] times along each dim k (int64 `repeats` input).
// Opset 1 instead takes scalar inputs `tiles` and `axis`: repeat `tiles` times along `axis`.
// Variants: one (a strided_copy from the view [r0, d0, r1, d1, ...] with stride 0 on the repeat dims).
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class TileKernel final : public Kernel {
 public:
  explicit TileKernel(bool axis_form) : axis_form_(axis_form) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(const Tensor* reps, required_input(ctx, 1));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
    const int64_t rank = static_cast<int64_t>(x->rank());
    std::vector<int64_t> repeats;
    if (axis_form_) {
      ONYX_ASSIGN_OR_RETURN(const Tensor* axis_t, required_input(ctx, 2));
      ONYX_ASSIGN_OR_RETURN(int64_t tiles, detail::read_int64_scalar(ctx, *reps, "tiles"));
      ONYX_ASSIGN_OR_RETURN(const int64_t given_axis, detail::read_int64_scalar(ctx, *axis_t, "axis"));
      ONYX_ASSIGN_OR_RETURN(const int64_t axis, detail::resolve_axis(ctx, given_axis, x->shape()));
      repeats.assign(rank, 1);
      repeats[axis] = tiles;
    } else {
      ONYX_ASSIGN_OR_RETURN(repeats, detail::read_int64s(ctx, *reps, "repeats"));
    }
    if (static_cast<int64_t>(repeats.size()) != rank)
      return ctx.invalid("repeats " + shape_to_string(repeats) + " must have one entry per dim of input shape " +
                         shape_to_string(x->shape()));
    const std::vector<int64_t> in_strides = detail::contiguous_strides(x->shape());
    Shape out_shape(rank), view_shape, view_strides;
    for (int64_t k = 0; k < rank; ++k) {
      if (repeats[k] < 0) return ctx.invalid("repeats " + shape_to_string(repeats) + " has a negative entry");
      out_shape[k] = x->dim(k) * repeats[k];
      view_shape.insert(view_shape.end(), {repeats[k], x->dim(k)});
      view_strides.insert(view_strides.end(), {0, in_strides[k]});
    }
    Tensor& y = ctx.allocate_output(0, x->dtype(), out_shape);
    detail::strided_copy(x->raw_data(), y.raw_data(), view_shape, view_strides, elem_size);
    return ok_status();
  }

 private:
  bool axis_form_;  // opset 1: (input, tiles, axis)
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_tile(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<TileKernel>(info.opset < 6));
}

}  // namespace onyx::cpu
