// Matchers shared by the attention fusions (FuseAttention, FuseCausalAttention).
//
// Pieces of an exported self-attention block, each matched walking upward from a value:
//
//   x ──MatMul(W)──Add(b)?──Reshape[B,S,N,D]──Transpose──(Mul|Div scalar)*──►  q / k^T / v heads   (HeadSplit)
//        Projection          perm [0,2,1,3] (q, v), [0,2,3,1] (k^T), or [0,2,1,3] then [0,1,3,2] (k^T, SDPA style);
//                            scalar Mul/Div nodes may sit anywhere after the bias Add (their product is `scale`)
//
//   [B,T] raw mask ──Cast/Unsqueeze/Reshape/Expand/Not/Equal/Sub/Mul/Where...──► additive [B,1,1,T] term  (PaddingMask)
//      matched by evaluating the chain at mask = 1 (must give 0) and mask = 0 (gives the masking value, <= -1000)
//
// Not thread-safe (uses a GraphEditor).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/opt/graph_editor.h"

namespace onyx::opt::attn {

// x @ W (+ b): MatMul with a constant 2-D weight [in, out], optionally followed by Add of a constant 1-D bias [out]
// (constants may be read through Identity nodes; W may be Transpose(perm [1, 0]) of a constant [out, in]).
struct Projection {
  const ir::Node* matmul = nullptr;
  const ir::Node* bias_add = nullptr;  // nullptr when there is no bias
  std::string input;                   // x
  std::string weight;                  // constant [in, out]
  std::string bias;                    // constant [out], or empty
  int64_t in_features = 0;
  int64_t out_features = 0;
  std::string output() const;  // the value the projection produces (bias Add output, or the MatMul output)
  // The weight as [in, out] (a copy; transposed when the graph holds Transpose(W [out, in])), and the bias tensor
  // (through Identity nodes; nullptr without a bias).
  std::optional<Tensor> weight_value(const GraphEditor& e) const;
  const Tensor* bias_tensor(const GraphEditor& e) const;
};
// `value` = MatMul(x, W) or Add(MatMul(x, W), b) in either operand order.
std::optional<Projection> match_projection(const GraphEditor& e, const std::string& value);

enum class HeadLayout {
  kHeadsFirst,     // [B, N, S, D]: q and v
  kKeyTransposed,  // [B, N, D, S]: k^T as it enters MatMul(q, k^T)
};

// A projection split into heads: Reshape [B,S,N*D] -> [B,S,N,D] and Transpose(s) into `layout`, with scalar
// Mul/Div nodes anywhere after the bias (their product is `scale`).
struct HeadSplit {
  Projection proj;
  std::vector<const ir::Node*> nodes;  // reshape, transposes, scale nodes (not the projection's nodes)
  const ir::Node* reshape = nullptr;
  int64_t num_heads = 0;  // 0 when the reshape does not say
  double scale = 1.0;     // product of the constant scale factors
  // Scale factors that are not constants yet (SDPA's 1/sqrt(q.shape[-1]) computed from a Shape): value and exponent
  // (+1 Mul, -1 Div). Resolve them with resolve_scales once the head size is known.
  std::vector<std::pair<std::string, int>> pending_scales;
  // Values on this path whose last dimension is the head size (the Reshape output, heads-first Transposes).
  std::vector<std::string> head_size_values;
};
// `allow_scale`: whether scalar Mul/Div nodes may appear (false for v).
std::optional<HeadSplit> match_head_split(const GraphEditor& e, const std::string& value, HeadLayout layout,
                                          bool allow_scale);

// Product of `pending` factors (value, exponent) evaluated with `head_size` as the last dimension of the
// `head_size_values`; nullopt when one is not a scalar expression.
std::optional<double> resolve_scales(const GraphEditor& e, const std::vector<std::pair<std::string, int>>& pending,
                                     const std::vector<std::string>& head_size_values, int64_t head_size);

// Rank of a Reshape's target: constant shape length, Concat parts, or the output's declared rank.
std::optional<size_t> reshape_rank(const GraphEditor& e, const ir::Node& reshape);

// [B,N,S,D] -> Transpose [0,2,1,3] -> Reshape to rank 3 ([B, S, N*D]); returns {transpose, reshape} reading `value`.
std::optional<std::pair<const ir::Node*, const ir::Node*>> match_head_merge(const GraphEditor& e,
                                                                            const std::string& value);

// Value of a scalar expression over constants: Constant/initializers, Sqrt, Reciprocal, Neg, Cast, Add, Sub, Mul,
// Div, Pow, and Shape -> Gather/Slice of a dimension that is static (declared/inferred shapes) or given by
// `known_last_dim` (value name -> size of its last dimension; the head size of a matched q/k).
std::optional<double> eval_scalar(const GraphEditor& e, const std::string& value,
                                  const std::vector<std::pair<std::string, int64_t>>& known_last_dim = {});

// `node` is Mul or Div by a scalar (eval_scalar): returns the other operand and the factor (1/c for Div).
std::optional<std::pair<std::string, double>> match_scale(
    const GraphEditor& e, const ir::Node& node,
    const std::vector<std::pair<std::string, int64_t>>& known_last_dim = {});

// An additive padding-mask term of the attention scores, computed from a raw 2-D [B, T] graph input and laid out as
// [B, 1, 1, T]. `filter_value` is the term where the mask is 0 (it is 0 where the mask is 1).
struct PaddingMask {
  std::string raw_mask;  // the [B, T] graph input
  double filter_value = 0;
};
std::optional<PaddingMask> match_padding_mask_term(const GraphEditor& e, const std::string& term);

// Where(cond, fill, scores) (masked_fill) or Where(cond, scores, fill): `scores_input` (1 or 2) is the input that
// carries the scores. Matches when cond comes from a raw [B, T] mask laid out as [B, 1, 1, T], selects the scores
// exactly where the mask is 1, and fill is a scalar <= -1000 (the returned filter_value).
std::optional<PaddingMask> match_padding_mask_where(const GraphEditor& e, const ir::Node& where, int scores_input);

// The raw mask as int32 for com.microsoft attention's 2-D mask_index: the input itself when it is int32, an existing
// Cast(raw -> int32) node's output, or a new Cast node (added to `e`).
std::string raw_mask_index(GraphEditor& e, const std::string& raw_mask);

// Concatenates constant 2-D tensors [in, a], [in, b], ... along columns -> [in, a + b + ...]. All must share dtype
// and rows. nullopt otherwise.
std::optional<Tensor> concat_columns(const std::vector<const Tensor*>& parts);
// Concatenates 1-D tensors; a nullptr part is `zeros_for_null` zeros of `dtype`.
std::optional<Tensor> concat_vectors(const std::vector<const Tensor*>& parts, const std::vector<int64_t>& sizes,
                                     DType dtype);

// Nodes downstream of a Shape of a value produced by `nodes` whose results are read only by `nodes` or by each other
// (Shape -> Gather/Unsqueeze/Concat chains feeding a Reshape; Shape(scores) -> Expand of a mask): returned so a
// fusion can remove them with the nodes they describe (a left-behind Shape would read a value that no longer
// exists).
std::vector<const ir::Node*> shape_side_chains(const GraphEditor& e, const std::vector<const ir::Node*>& nodes);

}  // namespace onyx::opt::attn
