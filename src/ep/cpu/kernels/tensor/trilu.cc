// Trilu (opset 14): keep the upper (upper=1: j - i >= k) or lower (upper=0: j - i <= k) triangle of each
// trailing [N, M] matrix, zero the rest; k is an optional int64 scalar input (default 0).
// Variants: one (per row: one memcpy of the kept run and memset(0) of the rest; zero bytes are 0 in every dtype).
#include <algorithm>
#include <cstring>

#include "src/ep/cpu/kernels/tensor/tensor_kernels.h"
#include "src/ep/cpu/kernels/tensor/tensor_util.h"

namespace onyx::cpu {

namespace {

class TriluKernel final : public Kernel {
 public:
  explicit TriluKernel(bool upper) : upper_(upper) {}

  Status compute(KernelContext& ctx) const override {
    ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
    ONYX_ASSIGN_OR_RETURN(size_t elem_size, detail::elem_size_of(ctx, *x));
    if (x->rank() < 2) return ctx.invalid("input must have rank >= 2, got shape " + shape_to_string(x->shape()));
    int64_t k = 0;
    if (const Tensor* kt = ctx.input(1)) {
      ONYX_ASSIGN_OR_RETURN(k, detail::read_int64_scalar(ctx, *kt, "k"));
    }
    Tensor& y = ctx.allocate_output(0, x->dtype(), x->shape());
    const int64_t rows = x->dim(x->rank() - 2), cols = x->dim(x->rank() - 1);
    const int64_t total_rows = rows == 0 ? 0 : x->numel() / cols;
    const char* src = static_cast<const char*>(x->raw_data());
    char* dst = static_cast<char*>(y.raw_data());
    if (cols == 0) return ok_status();
    k = std::clamp<int64_t>(k, -rows - cols, rows + cols);  // keeps i + k from overflowing
    for (int64_t r = 0; r < total_rows; ++r) {
      const int64_t i = r % rows;
      // kept columns are [keep_begin, keep_end)
      const int64_t edge = std::clamp<int64_t>(upper_ ? i + k : i + k + 1, 0, cols);
      const int64_t keep_begin = upper_ ? edge : 0, keep_end = upper_ ? cols : edge;
      const size_t row = static_cast<size_t>(r * cols) * elem_size;
      std::memset(dst + row, 0, static_cast<size_t>(cols) * elem_size);
      if (keep_end > keep_begin)
        std::memcpy(dst + row + keep_begin * elem_size, src + row + keep_begin * elem_size,
                    static_cast<size_t>(keep_end - keep_begin) * elem_size);
    }
    return ok_status();
  }

 private:
  bool upper_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> create_trilu(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(std::make_unique<TriluKernel>(info.node.attr_int("upper", 1) != 0));
}

}  // namespace onyx::cpu
