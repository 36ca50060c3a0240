// Matching helpers shared by the normalization fusions (FuseLayerNorm, FuseSimplifiedLayerNorm, FuseSkipLayerNorm,
// FuseEmbedLayerNorm): last-axis ReduceMean, scalar / 1-D constants, no-op Casts, static shape evidence.
// All functions only read the editor's index; none edits the graph.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "src/opt/graph_editor.h"

namespace onyx::opt::norm {

// A ReduceMean over exactly the last axis of its input with keepdims=1 (axes attribute before opset 18, a constant
// axes input from opset 18; -1, or rank-1 when the rank is known).
bool reduces_last_axis(const GraphEditor& e, const ir::Node& reduce_mean);

// `value` is a constant with one element equal to `expected` (relative tolerance 1e-6).
bool is_scalar(const GraphEditor& e, const std::string& value, double expected);

// is_scalar, or a Cast of such a constant (recent torch exports cast Pow's exponent to the base's type).
bool is_scalar_maybe_cast(const GraphEditor& e, const std::string& value, double expected);

// `value` is a constant 1-D tensor of a floating dtype (numel `size` when size >= 0); nullptr otherwise.
const Tensor* float_vector(const GraphEditor& e, const std::string& value, int64_t size = -1);

// Index (0/1) of `value` among the first two inputs of `node`, -1 if absent.
int input_index(const ir::Node& node, const std::string& value);

bool is_float_dtype(DType t);

// Cast to a floating dtype (the `to` attribute), or kUndefined if `node` is no such Cast.
DType cast_target(const ir::Node& node);

// The same value, or two Casts of one value to the same floating dtype (fp16 T5 exports cast the input once for the
// variance and once for the product).
bool same_up_to_cast(const GraphEditor& e, const std::string& a, const std::string& b);

// A Cast whose input dtype is known and equal to its target (an identity, as T5 exports write `x.to(float32)`).
bool is_noop_cast(const GraphEditor& e, const ir::Node& node);

// The last dimension of `value` when statically known (from declared/inferred shapes), else -1.
int64_t last_dim(const GraphEditor& e, const std::string& value);

// Known dims of `value` (declared/inferred shape with a rank), following shape-preserving producers when the value
// itself has no shape (LayerNormalization family, bias Add, MatMul by a constant 2-D weight, unary activations,
// Cast, embedding Gather of a constant 2-D table). nullopt when nothing is known.
std::optional<std::vector<Dim>> known_dims(const GraphEditor& e, const std::string& value);

// Two dims that are certainly equal (same fixed value, or same symbol).
bool same_dim(const Dim& a, const Dim& b);

// A value computed at run time (not an initializer nor a Constant node).
bool is_activation(const GraphEditor& e, const std::string& value);

// The nodes of `nodes` are all still present in this commit batch (not claimed by an earlier match).
bool none_removed(const GraphEditor& e, const std::vector<const ir::Node*>& nodes);

// A 1-D float32 tensor of `size` copies of `v`.
Tensor filled_vector(int64_t size, float v);

}  // namespace onyx::opt::norm
