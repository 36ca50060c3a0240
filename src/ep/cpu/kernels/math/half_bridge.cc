#include "src/ep/cpu/kernels/math/half_bridge.h"

#include <vector>

#include "src/core/half.h"
#include "src/core/parallel.h"

namespace onyx::cpu {

namespace {

class HeapAllocator final : public OutputAllocator {
 public:
  Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
};

bool is_half(DType d) { return d == DType::kFloat16 || d == DType::kBFloat16; }

Tensor widen(const Tensor& t) {
  Tensor f = Tensor::empty(DType::kFloat32, t.shape());
  float* out = f.data<float>();
  const bool bf16 = t.dtype() == DType::kBFloat16;
  parallel_for(t.numel(), 16384, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      out[i] = bf16 ? to_float(t.data<BFloat16>()[i]) : to_float(t.data<Float16>()[i]);
  });
  return f;
}

void narrow(const Tensor& f, Tensor& t) {
  const float* in = f.data<float>();
  const bool bf16 = t.dtype() == DType::kBFloat16;
  parallel_for(f.numel(), 16384, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      if (bf16) t.data<BFloat16>()[i] = to_bfloat16(in[i]);
      else t.data<Float16>()[i] = to_float16(in[i]);
    }
  });
}

class HalfBridgeKernel final : public Kernel {
 public:
  HalfBridgeKernel(std::unique_ptr<Kernel> inner, uint32_t keep_float_mask, DType packed_half)
      : inner_(std::move(inner)), keep_float_mask_(keep_float_mask), packed_half_(packed_half) {}

  Status compute(KernelContext& ctx) const override {
    DType half = packed_half_;
    for (size_t i = 0; i < ctx.num_inputs() && half == DType::kUndefined; ++i)
      if (ctx.input(i) && is_half(ctx.input(i)->dtype())) half = ctx.input(i)->dtype();
    if (half == DType::kUndefined) return inner_->compute(ctx);
    std::vector<Tensor> widened(ctx.num_inputs());
    std::vector<const Tensor*> inputs(ctx.num_inputs());
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      inputs[i] = ctx.input(i);
      if (inputs[i] && is_half(inputs[i]->dtype())) {
        widened[i] = widen(*inputs[i]);
        inputs[i] = &widened[i];
      }
    }
    std::vector<Tensor> outputs(ctx.num_outputs());
    HeapAllocator heap;
    KernelContext inner_ctx(ctx.node(), inputs, outputs, heap);
    ONYX_RETURN_IF_ERROR(inner_->compute(inner_ctx));
    for (size_t o = 0; o < outputs.size(); ++o) {
      if (!outputs[o].defined()) continue;
      if (outputs[o].dtype() == DType::kFloat32 && !((keep_float_mask_ >> o) & 1u)) {
        Tensor& y = ctx.allocate_output(o, half, outputs[o].shape());
        narrow(outputs[o], y);
      } else {
        ctx.set_output(o, std::move(outputs[o]));
      }
    }
    return ok_status();
  }

  // The wrapped kernel's packed constants (it never reads them; the plan passes nullptr).
  bool packed_constant_input(size_t i) const override { return inner_->packed_constant_input(i); }

 private:
  std::unique_ptr<Kernel> inner_;
  uint32_t keep_float_mask_;
  DType packed_half_;
};

}  // namespace

std::unique_ptr<Kernel> make_half_bridge(std::unique_ptr<Kernel> inner, uint32_t keep_float_mask, DType packed_half) {
  return std::make_unique<HalfBridgeKernel>(std::move(inner), keep_float_mask, packed_half);
}

DType packed_half_dtype(const KernelInfo& info, const Kernel& kernel) {
  for (size_t i = 0; i < info.node.inputs.size(); ++i) {
    const Tensor* c = kernel.packed_constant_input(i) ? info.constant_input(i) : nullptr;
    if (c && is_half(c->dtype())) return c->dtype();
  }
  return DType::kUndefined;
}

}  // namespace onyx::cpu
