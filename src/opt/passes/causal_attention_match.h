// Matching GPT-2 style causal self-attention (used by FuseCausalAttention; the pattern is drawn in
// fuse_causal_attention.cc).
//
// match_causal_attention(editor, softmax) walks from a Softmax node up to the scores (q @ k^T, scaled), the causal
// Where, the additive padding mask, the Split of the fused c_attn projection, and down to probs @ v and the
// merge-heads Reshape. It checks every constant that decides the semantics (causal buffer, fill value, scale,
// permutations, split sizes, head count) and returns what the fused node needs, or nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/opt/graph_editor.h"

namespace onyx::opt {

// The fused c_attn projection feeding the Split: x [B, S, hidden] @ weights [hidden, 3 * hidden] + bias [3 * hidden].
struct CausalQkvProjection {
  std::string input;                   // x, rank 3
  std::string weights;                 // [hidden, 3 * hidden] (or [3 * hidden, hidden] when transpose_weights)
  std::string bias;                    // [3 * hidden]
  bool transpose_weights = false;      // Gemm transB=1: the weights must be transposed for Attention
  std::vector<const ir::Node*> nodes;  // Reshape/Gemm/Reshape or MatMul/Add, plus the Split
};

struct CausalAttentionMatch {
  std::string q, k, v;  // [B, S, hidden] each, bias included: the Split outputs, or separate projections (GPT-Neo)
  std::string past_key, past_value;        // [B, N, P, Dh]; empty without past
  std::string present_key, present_value;  // the Concat outputs (graph outputs in Optimum's exports); empty without
  std::string mask;                    // raw 2-D mask [B, T] (1 = attend) feeding the additive mask; empty when absent
  float mask_filter_value = -10000.f;  // what a 0 in the mask adds to the scores
  std::optional<float> scale;          // explicit score scale; nullopt = 1 / sqrt(head_size) (the contrib ops' default)
  int64_t num_heads = 0;
  int64_t head_size = 0;
  std::string output;                             // merge-heads Reshape output, [B, S, hidden] (see below)
  // When the merge Reshape's target is not [B, S, hidden] (O1 folds GPT-2's later Reshape(-1, hidden) into it, giving
  // [B*S, hidden]), the fused op writes a fresh value and a Reshape with `merge_shape` produces `output`.
  bool merge_is_3d = true;
  std::string merge_shape;
  std::vector<const ir::Node*> nodes;             // the attention core (from the head Reshapes to the merge Reshape)
  std::optional<CausalQkvProjection> projection;  // when q, k, v come from a Split of a fused c_attn projection
};

std::optional<CausalAttentionMatch> match_causal_attention(const GraphEditor& e, const ir::Node& softmax);

// Adds to `nodes` every producer whose outputs are read only by `nodes` (the Shape -> Gather -> Concat chains that
// compute the matched Reshape shapes and causal slices), repeatedly, except producers of the `protect` values (the
// inputs the fused node reads).
void absorb_dead_producers(const GraphEditor& e, std::vector<const ir::Node*>& nodes,
                           const std::vector<std::string>& protect);

}  // namespace onyx::opt
