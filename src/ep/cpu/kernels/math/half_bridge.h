// float16 / bfloat16 support for the math kernels by conversion: inputs of a half type are widened to float32,
// the float32 kernel runs, and its float32 outputs are narrowed back (round to nearest even). Used in
// math_kernels.cc as `half_bridged<create_softmax>` so each kernel keeps a single float32 implementation.
// Outputs listed in kKeepFloatMask (bit i = output i) stay float32 (LayerNormalization's Mean / InvStdDev).
// Cost: one extra pass over every half input and output; no fp16 arithmetic is emulated.
// Packed constants: the bridge forwards packed_constant_input() to the wrapped kernel (which never reads those
// inputs; the plan passes nullptr for them). A packed half constant still makes the outputs half, as if it had
// been passed: its dtype is recorded at creation (`packed_half`).
// Thread safety: as the wrapped kernel (the bridge keeps no per-run state).
#pragma once

#include <cstdint>
#include <memory>

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

// packed_half: kFloat16 / kBFloat16 when a constant the inner kernel packed had that dtype, else kUndefined.
std::unique_ptr<Kernel> make_half_bridge(std::unique_ptr<Kernel> inner, uint32_t keep_float_mask,
                                         DType packed_half = DType::kUndefined);

// The half dtype of a constant input the kernel packed (kUndefined if none).
DType packed_half_dtype(const KernelInfo& info, const Kernel& kernel);

template <KernelCreateFn Create, uint32_t kKeepFloatMask = 0>
Result<std::unique_ptr<Kernel>> half_bridged(const KernelInfo& info) {
  ONYX_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> inner, Create(info));
  const DType packed_half = packed_half_dtype(info, *inner);
  return make_half_bridge(std::move(inner), kKeepFloatMask, packed_half);
}

}  // namespace onyx::cpu
