// Pad (opset 1, 2, 11, 13): pad (or crop, with negative pads) each dim by pads[d] before and pads[d + rank]
// after. mode: constant (value), reflect (mirror without repeating the edge), edge (repeat the edge).
// Pads and the constant are attributes before opset 11 (`paddings` in opset 1, `pads` from 2; float `value`)
// and inputs from 11 (int64 pads; optional scalar constant_value of the input's dtype).
// Variants: one (per output row: constant fill / memcpy of the in-range middle / mapped edge elements).
#include <algorithm>
#include <cstring>

#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

enum class PadMode { kConstant, kReflect, kEdge };

// For each output index along one dim, the input index it reads, or -1 for the constant.
std::vector<int64_t> index_map(int64_t in_dim, int64_t out_dim, int64_t before, PadMode mode) {
  std::vector<int64_t> map(static_cast<size_t>(out_dim));
  for (int64_t o = 0; o < out_dim; ++o) {
    int64_t i = o - before;
    if (i < 0 || i >= in_dim) {
      if (mode == PadMode::kConstant) {
        i = -1;
      } else if (mode == PadMode::kEdge) {
        i = std::clamp<int64_t>(i, 0, in_dim - 1);
      } else if (in_dim == 1) {
        i = 0;
      } else {
        const int64_t period = 2 * (in_dim - 1);
        i = ((i % period) + period) % period;
        if (i >= in_dim) i = period - i;
      }
    }
    map[o] = i;
  }
  return map;
}

template <typename U>
void pad_rows(const U* src, U* dst, const Shape& in_shape, const Shape& out_shape,
              const std::vector<std::vector<int64_t>>& maps, int64_t inner_before, U value) {
  const size_t rank = out_shape.size();
  const std::vector<int64_t> strides = detail::contiguous_strides(in_shape);
  const int64_t cols = out_shape[rank - 1];
  const std::vector<int64_t>& inner = maps[rank - 1];
  const int64_t rows = cols == 0 ? 0 : shape_numel(out_shape) / cols;
  // the middle run [mid_begin, mid_end) of the inner dim reads the input row as it is
  const int64_t mid_begin = std::clamp<int64_t>(inner_before, 0, cols);
  const int64_t mid_end = std::clamp<int64_t>(inner_before + in_shape[rank - 1], mid_begin, cols);
  std::vector<int64_t> idx(rank - 1, 0);
  for (int64_t r = 0; r < rows; ++r) {
    U* out = dst + r * cols;
    int64_t offset = 0;
    bool constant_row = false;
    for (size_t d = 0; d + 1 < rank; ++d) {
      const int64_t m = maps[d][idx[d]];
      constant_row = constant_row || m < 0;
      offset += m * strides[d];
    }
    if (constant_row) {
      std::fill_n(out, cols, value);
    } else {
      const U* in = src + offset;
      for (int64_t o = 0; o < mid_begin; ++o) out[o] = inner[o] < 0 ? value : in[inner[o]];
      if (mid_end > mid_begin) std::memcpy(out + mid_begin, in + inner[mid_begin], (mid_end - mid_begin) * sizeof(U));
      for (int64_t o = mid_end; o < cols; ++o) out[o] = inner[o] < 0 ? value : in[inner[o]];
    }
    for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

class PadKernel final : public Kernel {
 public:
  PadKernel(PadMode mode, std::optional<std::vector<int64_t>> pads_attr, float value_attr)
      : mode_(mode), pads_attr_(std::move(pads_attr)), value_attr_(value_attr) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
    std::vector<int64_t> pads;
    if (pads_attr_) {
      pads = *pads_attr_;
    } else {
      ONYX_ASSIGN_OR_RETURN(const Tensor* p, required_input(ctx, 1));
      ONYX_ASSIGN_OR_RETURN(pads, detail::read_int64s(ctx, *p, "pads"));
    }
    const size_t rank = x->rank();
    if (pads.size() != 2 * rank)
      return ctx.invalid("pads " + shape_to_string(pads) + " must have 2 * rank entries for input shape " +
                         shape_to_string(x->shape()));
    uint64_t value = 0;  // the constant's bytes
    ONYX_RETURN_IF_ERROR(constant_bytes(ctx, *x, &value));
    Shape out_shape(rank);
    std::vector<std::vector<int64_t>> maps(rank);
    for (size_t d = 0; d < rank; ++d) {
      out_shape[d] = x->dim(d) + pads[d] + pads[d + rank];
      if (out_shape[d] < 0)
        return ctx.invalid("pads " + shape_to_string(pads) + " crop more than input shape " +
                           shape_to_string(x->shape()) + " holds");
      if (mode_ != PadMode::kConstant && x->dim(d) == 0 && out_shape[d] > 0)
        return ctx.invalid("cannot reflect / edge-pad an empty dim of shape " + shape_to_string(x->shape()));
      maps[d] = index_map(x->dim(d), out_shape[d], pads[d], mode_);
    }
    Tensor& y = ctx.allocate_output(0, x->dtype(), out_shape);
    if (y.numel() == 0) return ok_status();
    if (rank == 0) {
      std::memcpy(y.raw_data(), x->raw_data(), elem_size);
      return ok_status();
    }
    return detail::visit_elem_size(elem_size, "Pad", [&]<typename U>() {
      U v;
      std::memcpy(&v, &value, sizeof(U));
      pad_rows(x->data<U>(), y.data<U>(), x->shape(), out_shape, maps, pads[rank - 1], v);
      return ok_status();
    });
  }

 private:
  Status constant_bytes(const KernelContext& ctx, const Tensor& x, uint64_t* value) const {
    if (mode_ != PadMode::kConstant) return ok_status();
    if (pads_attr_) {
      return visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t,
                         int64_t, uint64_t, bool>(x.dtype(), "Pad", [&]<typename T>() {
        T v;
        if constexpr (std::is_same_v<T, Float16>) v = to_float16(value_attr_);
        else if constexpr (std::is_same_v<T, BFloat16>) v = to_bfloat16(value_attr_);
        else v = static_cast<T>(value_attr_);
        std::memcpy(value, &v, sizeof(T));
        return ok_status();
      });
    }
    const Tensor* c = ctx.input(2);
    if (!c || c->numel() == 0) return ok_status();
    if (c->dtype() != x.dtype())
      return ctx.invalid("constant_value is " + dtype_name(c->dtype()) + " but the input is " + dtype_name(x.dtype()));
    std::memcpy(value, c->raw_data(), dtype_size(c->dtype()));
    return ok_status();
  }

  PadMode mode_;
  std::optional<std::vector<int64_t>> pads_attr_;  // opset < 11
  float value_attr_;                              // opset < 11
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_pad(const KernelInfo& info) {
  const ir::Node& n = info.node;
  const std::string mode_name = n.attr_string("mode", "constant");
  PadMode mode;
  if (mode_name == "constant") mode = PadMode::kConstant;
  else if (mode_name == "reflect") mode = PadMode::kReflect;
  else if (mode_name == "edge") mode = PadMode::kEdge;
  else return info.invalid("unsupported mode '" + mode_name + "' (expected constant, reflect or edge)");
  std::optional<std::vector<int64_t>> pads;
  if (info.opset < 11) {
    const char* name = info.opset < 2 ? "paddings" : "pads";
    pads = detail::optional_ints_attr(n, name);
    if (!pads) return info.invalid(std::string("the '") + name + "' attribute is required");
  }
  return std::unique_ptr<Kernel>(std::make_unique<PadKernel>(mode, std::move(pads), n.attr_float("value", 0.0f)));
}

}  // namespace onyx::cpu
