// DynamicQuantizeLinear (opset 11): float32 x -> (y uint8, y_scale float32 scalar, y_zero_point uint8 scalar).
//   range      [min(x_min, 0), max(x_max, 0)] (NaN elements are left out of the min / max)
//   y_scale    (max - min) / 255, or 1 when that is 0 (all-zero or empty x: ONNX's formula would divide by 0; ONNX
//              Runtime uses 1)
//   zero point saturate(round_half_even(0 - min / y_scale))
//   y          saturate(round_half_even(x / y_scale) + zero point); NaN -> the zero point
// The parameters are PackedQGemm's dynamic_quant_params (qgemm.h), so DynamicQuantizeMatMul and this op agree.
// Variants: a parallel min/max reduction, then the element loop (parallel).
#include <vector>

#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/qgemm.h"
#include "src/ep/cpu/kernels/quant/quant_kernel_util.h"

namespace onyx::cpu {

namespace {

Status compute_dynamic_quantize_linear(KernelContext& ctx) {
  ONYX_ASSIGN_OR_RETURN(const Tensor* x, required_input(ctx, 0));
  if (x->dtype() != DType::kFloat32)
    return not_implemented(ctx.node().describe() + ": input x is " + dtype_name(x->dtype()) +
                           "; DynamicQuantizeLinear takes float32 (cast it first)");
  const float* xd = x->data<float>();
  const int64_t n = x->numel();
  constexpr int64_t kChunk = 1 << 16;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<float> mins(static_cast<size_t>(chunks), 0.f), maxs(static_cast<size_t>(chunks), 0.f);
  parallel_for(chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float lo = 0.f, hi = 0.f;  // the range always includes 0; NaN fails both comparisons
      for (int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
        lo = xd[i] < lo ? xd[i] : lo;
        hi = xd[i] > hi ? xd[i] : hi;
      }
      mins[static_cast<size_t>(c)] = lo;
      maxs[static_cast<size_t>(c)] = hi;
    }
  });
  float lo = 0.f, hi = 0.f;
  for (int64_t c = 0; c < chunks; ++c) {
    lo = std::min(lo, mins[static_cast<size_t>(c)]);
    hi = std::max(hi, maxs[static_cast<size_t>(c)]);
  }
  const QuantParams q = dynamic_quant_params(lo, hi);
  Tensor& y = ctx.allocate_output(0, DType::kUInt8, x->shape());
  if (ctx.num_outputs() > 1) ctx.allocate_output(1, DType::kFloat32, {}).data<float>()[0] = q.scale;
  if (ctx.num_outputs() > 2) ctx.allocate_output(2, DType::kUInt8, {}).data<uint8_t>()[0] = q.zero_point;
  uint8_t* yd = y.data<uint8_t>();
  parallel_for(n, 16384, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) yd[i] = quant::quantize_value<uint8_t>(xd[i], q.scale, q.zero_point);
  });
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Kernel>> create_dynamic_quantize_linear(const KernelInfo& /*info*/) {
  return make_function_kernel(&compute_dynamic_quantize_linear);
}

}  // namespace onyx::cpu
