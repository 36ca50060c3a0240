// The fused QKV projection shared by Attention and PackedAttention (com.microsoft):
//   qkv[m, Dq+Dk+Dv] = x[m, Din] · weights[Din, Dq+Dk+Dv] + bias        (weights: node input 1, bias?: input 2)
// Dq/Dk/Dv are the qkv_hidden_sizes attribute or a third of the weights' second dim each; Dq == Dk, and both Dq and
// Dv divide by num_heads.
// Variants:
//   packed   constant float32 weights packed at kernel creation into a PackedGemm (fp32, or bf16 with
//            KernelInfo::bf16_weights), a constant bias folded in; the plan then passes nullptr for them; a
//            non-constant bias is added after the GEMM
//   float32  non-constant weights: one gemm_f32 (bias pre-filled, beta = 1)
// Thread safety: create() once at kernel creation; bind() and run() are const and reentrant.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "src/ep/cpu/gemm/packed_gemm.h"
#include "src/ep/cpu/kernel.h"

namespace onyx::cpu::contrib {

class QkvProjection {
 public:
  // The run's view of the projection: the weights / bias tensors still read at run time (null when packed) and
  // the sizes.
  struct Bound {
    const Tensor* weights = nullptr;
    const Tensor* bias = nullptr;
    int64_t din = 0, dt = 0, dq = 0, dk = 0, dv = 0;
  };

  // Packs the node's constant weights (and constant bias) when they are float32. Errors: a bad qkv_hidden_sizes, a
  // PackedGemm failure.
  static Result<QkvProjection> create(const KernelInfo& info, int64_t heads);

  // Kernel::packed_constant_input for the weights (1) and bias (2) inputs.
  bool packed_input(size_t i) const { return (i == 1 && packed_) || (i == 2 && bias_packed_); }

  // Reads and checks this run's weights / bias against the input hidden size `din` (InvalidArgument naming the node
  // on bad shapes, NotImplemented for non-float32 tensors).
  Result<Bound> bind(const KernelContext& ctx, int64_t din) const;

  // qkv[m, dt] (row stride dt) = x[m, din] (row stride din) · W + bias.
  Status run(const Bound& b, const float* x, int64_t m, float* qkv) const;

 private:
  int64_t heads_ = 1;
  std::vector<int64_t> sizes_;           // qkv_hidden_sizes, or empty
  std::unique_ptr<PackedGemm> packed_;  // constant weights (+ bias when bias_packed_), or null
  bool bias_packed_ = false;
};

}  // namespace onyx::cpu::contrib
