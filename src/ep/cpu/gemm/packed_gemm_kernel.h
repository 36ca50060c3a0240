// A Kernel around a PackedGemm: Y[..., N] = X[..., K] · W (+ bias), the rows of X (all dims but the last) being
// M. Used by MatMul and Gemm when their weight is a constant (the weight, and a folded bias, are packed at
// creation and reported by packed_constant_input, so the plan may free them and pass nullptr at run time).
//
//   ONYX_ASSIGN_OR_RETURN(auto g, PackedGemm::create(...));
//   return make_packed_gemm_kernel(std::move(g), {.packed_inputs = 0b010, .rank2_only = false});
//
// Thread safety: compute() is const and may run concurrently (PackedGemm::run is).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "src/ep/cpu/gemm/packed_gemm.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

struct PackedGemmKernelOptions {
  uint32_t packed_inputs = 0b010;  // bit i: input i was copied into the pack (never read at run time)
  bool rank2_only = false;         // X must be 2-D (Gemm); else rank >= 1 (MatMul: 1-D X gives a 1-D Y)
};

std::unique_ptr<Kernel> make_packed_gemm_kernel(std::unique_ptr<PackedGemm> gemm, PackedGemmKernelOptions options);

// The fp32 values of a constant 2-D weight: float32 in place, or bfloat16 widened (exactly) into `storage`.
// nullptr for other dtypes or ranks, or when it has no elements.
const float* constant_weight_data(const Tensor& w, std::vector<float>& storage);

}  // namespace onyx::cpu
