#include "src/ep/cpu/kernels/contrib/contrib_kernels.h"

#include "src/ep/cpu/kernels/math/half_bridge.h"
#include "src/ep/cpu/kernels/math/math_kernels.h"
#include "src/ep/cpu/registry.h"

namespace onyx::cpu {

namespace {
constexpr std::string_view kMs = "com.microsoft";
constexpr std::string_view kOnyx = "com.onyx";  // onyx's own ops (RemovePadding pass)
}  // namespace

// float16 / bfloat16 run through float32 (half_bridged); the norms keep their statistics outputs in float32 as
// ONNX Runtime does (type U). LayerNormalization before opset 17 is ORT's contrib op of the same semantics: the
// opset-17 kernel serves it.
std::vector<KernelDef> contrib_kernel_defs() {
  return {
      // op                                  domain  since  until      factory
      {"Attention", kMs, 1, kMaxOpset, half_bridged<create_attention>},
      {"BiasGelu", kMs, 1, kMaxOpset, half_bridged<create_bias_gelu>},
      {"EmbedLayerNormalization", kMs, 1, kMaxOpset, half_bridged<create_embed_layer_normalization>},
      {"FastGelu", kMs, 1, kMaxOpset, half_bridged<create_fast_gelu>},
      {"Gelu", kMs, 1, kMaxOpset, half_bridged<create_gelu>},
      {"LayerNormalization", "", 1, 16, half_bridged<create_layer_normalization, 0b110>},
      {"MatMulBiasGelu", kOnyx, 1, kMaxOpset, create_matmul_bias_gelu},
      {"MultiHeadAttention", kMs, 1, kMaxOpset, half_bridged<create_multi_head_attention>},
      {"PackTokens", kOnyx, 1, kMaxOpset, create_pack_tokens},
      {"PackedAttention", kMs, 1, kMaxOpset, create_packed_attention},
      {"SimplifiedLayerNormalization", "", 1, kMaxOpset, half_bridged<create_simplified_layer_normalization, 0b10>},
      {"SkipLayerNormalization", kMs, 1, kMaxOpset, half_bridged<create_skip_layer_normalization, 0b110>},
      {"SkipSimplifiedLayerNormalization", kMs, 1, kMaxOpset,
       half_bridged<create_skip_simplified_layer_normalization, 0b110>},
      {"UnpackTokens", kOnyx, 1, kMaxOpset, create_unpack_tokens},
  };
}

}  // namespace onyx::cpu
