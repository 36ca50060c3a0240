// Matching for the GELU fusions (FuseGelu, FuseFastGelu): reads a small elementwise subgraph as a polynomial.
//
// Exporters write the same GELU formula in many shapes: Div(x, 1.4142) or Mul(x, 0.7071); Pow(x, 3) or x*x*x;
// 0.5 applied first, last or to the (1 + erf) factor; operands of Add/Mul in either order. Instead of listing every
// tree, the matcher expands the subgraph around the Erf/Tanh node t into a polynomial over two leaves, the GELU input
// x and t's output, and compares coefficients:
//
//        x ──► [Add/Sub/Mul/Div/Pow/Neg by scalar constants] ──► Erf|Tanh ──► t
//        │                                                                      │
//        └─────────────► [Add/Sub/Mul/Div/Neg by scalar constants] ◄────────────┘ ──► y
//
//   argument(t) == scale * (x + cubic * x^3)       Erf: scale = 1/sqrt(2), cubic = 0
//                                                   Tanh: scale = sqrt(2/pi), cubic = 0.044715
//   y           == 0.5 * x + 0.5 * x * t
//
// Coefficients match within 1e-3 relative (exporters round sqrt(2/pi) to 0.7978845834732056 or 0.79788456).
// Constants must be single-element tensors of rank <= 1 (so the fused op keeps x's shape); any other leaf (a bias,
// a Cast, a second variable) fails the match.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/opt/graph_editor.h"
#include "src/opt/pass.h"

namespace onyx::opt::gelu {

struct Match {
  std::string x;                       // the GELU input
  const ir::Node* last = nullptr;      // the node writing y (the fused node writes last->outputs[0])
  std::vector<const ir::Node*> nodes;  // the matched nodes, t included, Constant nodes excluded
};

// Matches GELU around the Erf or Tanh node `t` (see the header comment). Returns nothing when the subgraph is not
// GELU with these constants, or when an intermediate value is read outside the match (or is a graph output).
std::optional<Match> match_around(const GraphEditor& editor, const ir::Node& t, double scale, double cubic);

// The fusion shared by FuseGelu and FuseFastGelu: every `function_op` node (ai.onnx Erf / Tanh) that match_around
// accepts is replaced, with the rest of the match, by com.microsoft `fused_op`(x) writing the match's output. Fuses
// nothing when the EP lacks `fused_op` or x is not a float type. Returns the number of fused nodes (recorded in ctx).
int fuse_all(GraphEditor& editor, PassContext& ctx, std::string_view function_op, double scale, double cubic,
             std::string_view fused_op);

// Opset-20 ai.onnx Gelu nodes whose `approximate` attribute is `approximate` ("none" or "tanh") become com.microsoft
// `fused_op` (same input and output; the contrib ops are what the kernels implement and ORT fuses further). Returns
// the number of nodes replaced (recorded in ctx); nothing when the EP lacks `fused_op` or already runs ai.onnx Gelu.
int replace_onnx_gelu(GraphEditor& editor, PassContext& ctx, std::string_view approximate, std::string_view fused_op);

// A name for a node fused from `last`: its scope ("/bert/.../intermediate_act_fn/") plus `op` (made unique by
// GraphEditor::add).
std::string fused_name(const ir::Node& last, std::string_view op);

// Floating-point element type (or unknown), the types the com.microsoft GELU ops take.
bool is_float_or_unknown(DType dtype);

}  // namespace onyx::opt::gelu
