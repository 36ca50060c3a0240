// Matching helpers for the QDQ fusions (FuseQdqMatMul, FuseQdqAttention): the DequantizeLinear nodes quantizers
// (ONNX Runtime's QDQ format, onyx quantize) put in front of a MatMul / Attention.
//
//   activation, static:   x_q (uint8) ─► DequantizeLinear(s_x, zp_x) ─► reader
//   activation, dynamic:  x ─► DynamicQuantizeLinear ─(y, y_scale, y_zp)─► DequantizeLinear(y, y_scale, y_zp) ─► reader
//   weight:               W_q (constant int8 / uint8 [K, N]) ─► DequantizeLinear(s_w, zp_w) ─► reader
//
// Not thread-safe (works on a GraphEditor).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "src/opt/graph_editor.h"

namespace onyx::opt::qdq {

struct ActivationDq {
  const ir::Node* dq = nullptr;
  const ir::Node* dynamic = nullptr;   // the DynamicQuantizeLinear feeding dq (dynamic form), else nullptr
  std::string x;                       // dynamic: the float input of the DynamicQuantizeLinear
  std::string x_q, scale, zero_point;  // dq's inputs (zero_point may be empty in the static form)
};

// Input `input` of `reader` through an activation DequantizeLinear: static (x_q uint8, per-tensor constant float32
// scale, constant uint8 zero point or none) or dynamic (dq reads the three outputs of one DynamicQuantizeLinear).
// The DequantizeLinear may have other readers (the Q / K / V MatMuls share one); see remove_dead_activations.
std::optional<ActivationDq> match_activation(const GraphEditor& editor, const ir::Node& reader, size_t input);

struct WeightDq {
  const ir::Node* dq = nullptr;
  std::string w, scale, zero_point;  // zero_point may be empty
  int64_t k = 0, n = 0;
};

// Input `input` of `reader` through a weight DequantizeLinear read by `reader` only: W_q a constant int8 / uint8
// [K, N], scale a constant float32 of one value (per tensor) or N values along axis 1 (per column: the output
// axis), zero point absent or a constant of W_q's dtype and the scale's shape. Per-row (axis 0) and blocked scales
// do not match.
std::optional<WeightDq> match_weight(const GraphEditor& editor, const ir::Node& reader, size_t input);

// After fusing the readers in `fused` (removed by the caller): removes each activation DequantizeLinear in
// `activations` all of whose readers are in `fused`, and then each DynamicQuantizeLinear none of whose outputs is
// read any more. Neither may produce a graph output.
void remove_dead_activations(GraphEditor& editor, const std::vector<ActivationDq>& activations,
                             const std::set<const ir::Node*>& fused);

}  // namespace onyx::opt::qdq
