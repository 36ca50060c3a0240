// EliminateNoOps: removes nodes that pass their input through unchanged (ONNX Runtime's EliminateIdentity,
// EliminateDropout and no-op Cast elimination).
//
//   x -> Identity -> y -> C                          x -> C
//   x -> Dropout(mask unused) -> y -> C       =>     x -> C
//   x:float -> Cast(to = float) -> y -> C            x -> C
//   x -> CastLike(like: same dtype as x) -> y -> C    x -> C
//   x -> Tile(repeats = all 1) -> y -> C              x -> C
//
// When y is a graph output, the producer of x writes y directly instead (P -> x -> Identity -> y  =>  P -> y), if
// only the no-op reads x and x is not itself a graph output; a graph input or initializer passed to a graph output
// keeps its node. Dropout stays when its mask is read or training_mode is not a constant false.
#include "src/opt/passes/basic_rewrites.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

bool is_no_op(const GraphEditor& editor, const ir::Node& node) {
  if (!node.domain.empty() || node.outputs.empty() || !node.has_input(0) || node.outputs[0].empty()) return false;
  const std::string& op = node.op_type;
  if (op == "Identity") return true;
  if (op == "Dropout") {
    if (node.outputs.size() > 1 && !node.outputs[1].empty() &&
        (!editor.consumers(node.outputs[1]).empty() || editor.is_graph_output(node.outputs[1])))
      return false;
    if (node.has_input(2)) {  // training_mode
      auto training = editor.scalar(node.inputs[2]);
      if (!training || *training != 0.0) return false;
    }
    return true;
  }
  if (op == "Cast") {
    const DType from = editor.dtype(node.inputs[0]);
    return from != DType::kUndefined && static_cast<int64_t>(from) == node.attr_int("to", -1);
  }
  if (op == "CastLike") {
    const DType from = editor.dtype(node.inputs[0]);
    return node.has_input(1) && from != DType::kUndefined && from == editor.dtype(node.inputs[1]);
  }
  if (op == "Tile") {
    auto repeats = node.has_input(1) ? editor.int_values(node.inputs[1]) : std::nullopt;
    if (!repeats) return false;
    for (int64_t r : *repeats)
      if (r != 1) return false;
    return true;
  }
  return false;
}

class EliminateNoOpsPass final : public Pass {
 public:
  std::string_view name() const override { return "EliminateNoOps"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    GraphEditor editor(graph);
    const int removed = basic::bypass_all(editor, [&](const ir::Node& node) { return is_no_op(editor, node); });
    changed = removed > 0;
    if (changed) ctx.count(name(), removed);
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_no_ops_pass() { return std::make_unique<EliminateNoOpsPass>(); }

}  // namespace onyx::opt
