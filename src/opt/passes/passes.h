// Factories of every optimizer pass, one per file in this folder. The run order is pass_registry.cc's list.
#pragma once

#include <memory>

#include "src/opt/graph_editor.h"
#include "src/opt/pass.h"

namespace onyx::opt {

using ir::kMsDomain;    // "com.microsoft"
using ir::kOnnxDomain;  // ""

std::unique_ptr<Pass> make_constant_folding_pass();  // ConstantFolding: Evaluates nodes whose inputs are all constant (and Shape of values with static dims) into initializers.
std::unique_ptr<Pass> make_eliminate_no_ops_pass();  // EliminateNoOps: Removes Identity, Dropout (inference), Cast to the same type and other no-op nodes.
std::unique_ptr<Pass> make_eliminate_reshape_pass();  // EliminateReshape: Collapses Reshape chains and removes Reshapes to the same shape.
std::unique_ptr<Pass> make_eliminate_transpose_pass();  // EliminateTranspose: Merges consecutive Transposes; removes identity permutations.
std::unique_ptr<Pass> make_common_subexpression_pass();  // CommonSubexpression: Merges nodes computing the same op on the same inputs with the same attributes.
std::unique_ptr<Pass> make_prune_dead_nodes_pass();  // PruneDeadNodes: Removes nodes whose outputs nothing reads, and unused initializers.
std::unique_ptr<Pass> make_fuse_layer_norm_pass();  // FuseLayerNorm: ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add -> LayerNormalization.
std::unique_ptr<Pass> make_fuse_simplified_layer_norm_pass();  // FuseSimplifiedLayerNorm: RMSNorm (T5) -> SimplifiedLayerNormalization.
std::unique_ptr<Pass> make_fuse_gelu_pass();  // FuseGelu: Erf-form GELU -> com.microsoft.Gelu.
std::unique_ptr<Pass> make_fuse_fast_gelu_pass();  // FuseFastGelu: Tanh-form GELU (gelu_new) -> com.microsoft.FastGelu.
std::unique_ptr<Pass> make_fuse_embed_layer_norm_pass();  // FuseEmbedLayerNorm: Word + position [+ segment] embedding Gathers + LayerNorm -> com.microsoft.EmbedLayerNormalization.
std::unique_ptr<Pass> make_fuse_attention_pass();  // FuseAttention: Encoder self-attention (QKV MatMuls, mask, scaled softmax, context) -> com.microsoft.Attention.
std::unique_ptr<Pass> make_fuse_causal_attention_pass();  // FuseCausalAttention: GPT-2 style causal self-attention (with or without past key/values) -> com.microsoft Attention / MultiHeadAttention.
std::unique_ptr<Pass> make_fuse_skip_layer_norm_pass();  // FuseSkipLayerNorm: Add(+bias) + residual Add + LayerNorm -> com.microsoft.SkipLayerNormalization (and the simplified form).
std::unique_ptr<Pass> make_fuse_bias_gelu_pass();  // FuseBiasGelu: Add(bias) + Gelu -> com.microsoft.BiasGelu; Add(bias) + FastGelu -> FastGelu with bias.
std::unique_ptr<Pass> make_fuse_qdq_matmul_pass();  // FuseQdqMatMul: QDQ MatMul (DequantizeLinear activation + constant weight) [+ bias Add] -> com.microsoft.MatMulIntegerToFloat / DynamicQuantizeMatMul.
std::unique_ptr<Pass> make_fuse_qdq_attention_pass();  // FuseQdqAttention: Attention with QDQ input and weight -> com.microsoft.QAttention.
std::unique_ptr<Pass> make_fuse_matmul_add_pass();  // FuseMatMulAdd: MatMul + Add(bias) on 2-D inputs -> Gemm.
std::unique_ptr<Pass> make_approximate_gelu_pass();  // ApproximateGelu: Gelu / BiasGelu -> FastGelu (tanh approximation), as Optimum's O3.
std::unique_ptr<Pass> make_reduced_precision_pass();  // ReducedPrecision: bf16 weights and compute on CPUs with AVX512-BF16 (fp32 accumulation, LayerNorm/Softmax in fp32).
// RemovePadding: padded batch -> packed tokens (PackTokens, PackedAttention, UnpackTokens). Not in the registry's
// list: opt::optimize runs it after the level passes when OptimizeOptions::remove_padding is set.
std::unique_ptr<Pass> make_remove_padding_pass();
// FuseMatMulBiasGelu: MatMul (constant weight) + BiasGelu / Gelu / FastGelu -> com.onyx.MatMulBiasGelu (GELU in the
// GEMM's epilogue). Not in the registry's list either: a session-only fusion (OptimizeOptions::runtime_fusions), as
// ONNX Runtime has no such op and `onyx optimize` output must stay loadable there.
std::unique_ptr<Pass> make_fuse_matmul_bias_gelu_pass();

}  // namespace onyx::opt
