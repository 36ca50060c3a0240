// Factories of the contrib kernel family: ONNX Runtime's com.microsoft transformer ops (and the ONNX-domain ops ORT
// registers as contrib ops: LayerNormalization before opset 17, SimplifiedLayerNormalization), with ONNX Runtime's
// semantics (docs/ContribOperators.md, onnxruntime/core/graph/contrib_ops/bert_defs.cc). Listed in
// contrib_kernels.cc; float32 compute, float16/bfloat16 through half_bridged where listed.
#pragma once

#include "src/ep/cpu/kernel.h"

namespace onyx::cpu {

Result<std::unique_ptr<Kernel>> create_attention(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_bias_gelu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_embed_layer_normalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_fast_gelu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_gelu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_matmul_bias_gelu(const KernelInfo& info);  // com.onyx, session-only fusion
Result<std::unique_ptr<Kernel>> create_multi_head_attention(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_pack_tokens(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_packed_attention(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_simplified_layer_normalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_skip_layer_normalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_skip_simplified_layer_normalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> create_unpack_tokens(const KernelInfo& info);

// True when the node asks for output i (it has that slot and the name is not empty).
inline bool wants_output(const KernelContext& ctx, size_t i) {
  return i < ctx.num_outputs() && i < ctx.node().outputs.size() && !ctx.node().outputs[i].empty();
}

}  // namespace onyx::cpu
