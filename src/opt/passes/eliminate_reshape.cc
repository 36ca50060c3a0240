// EliminateReshape: collapses chains of shape-only ops and removes those that keep the shape (ONNX Runtime's
// ReshapeFusion / EliminateSqueeze-style clean-ups).
//
//   x -> Reshape|Flatten|Squeeze|Unsqueeze -> ... -> Reshape(shape = const, no 0 entry) -> y
//     =>  x -> Reshape(shape) -> y           (the middle ops stay only while something else reads them)
//
//   x [b, s, 32] -> Reshape|Flatten|Squeeze|Unsqueeze|Expand -> y [b, s, 32]   =>   x -> (readers of y)
//
// A constant target shape with a 0 entry (copy the input's dim, allowzero = 0) refers to the middle shape, so that
// chain stays; so does a Reshape whose shape is computed at run time. "Same shape" needs both shapes known with
// provably equal dims (fixed and equal, or the same symbol) from the declared / ONNX-inferred value infos.
#include "src/opt/passes/basic_rewrites.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

bool is_shape_only(const ir::Node& node) {
  if (!node.domain.empty()) return false;
  const std::string& op = node.op_type;
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze";
}

// Reshape whose target shape is a constant that does not refer to its input's dims.
bool is_absolute_reshape(const GraphEditor& editor, const ir::Node& node) {
  if (!node.domain.empty() || node.op_type != "Reshape" || !node.has_input(1)) return false;
  auto shape = editor.int_values(node.inputs[1]);
  if (!shape) return false;
  if (node.attr_int("allowzero", 0) == 1) return true;
  for (int64_t d : *shape)
    if (d == 0) return false;
  return true;
}

class EliminateReshapePass final : public Pass {
 public:
  std::string_view name() const override { return "EliminateReshape"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    int rewrites = 0;
    GraphEditor editor(graph);
    // Batch 1 (re-creates nodes): an absolute Reshape reads the start of the shape-only chain above it.
    for (const ir::Node& node : graph.nodes) {
      if (!is_absolute_reshape(editor, node)) continue;
      std::string source = node.inputs[0];
      for (const ir::Node* p = editor.producer(source); p && is_shape_only(*p) && p->has_input(0);
           p = editor.producer(source))
        source = p->inputs[0];
      if (source == node.inputs[0]) continue;
      basic::with_inputs(editor, node, {source, node.inputs[1]});
      ++rewrites;
    }
    if (rewrites) editor.commit();
    // Batches 2 and 3: shape-only ops whose output has the input's shape.
    auto keeps_shape = [&](const ir::Node& node) {
      const bool candidate = is_shape_only(node) || (node.domain.empty() && node.op_type == "Expand");
      return candidate && node.has_input(0) && !node.outputs.empty() &&
             basic::same_shape(editor, node.inputs[0], node.outputs[0]);
    };
    rewrites += basic::bypass_all(editor, keeps_shape);
    changed = rewrites > 0;
    if (changed) ctx.count(name(), rewrites);
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_reshape_pass() { return std::make_unique<EliminateReshapePass>(); }

}  // namespace onyx::opt
