// PruneDeadNodes: removes nodes whose outputs nothing reads, transitively, and the initializers only they read.
//
//   x -> A -> y (graph output)            x -> A -> y (graph output)
//    \                              =>
//     B -> C -> z (read by nobody)
//
// A node is live when one of its outputs is a graph output or is read by a live node. Walking the nodes from the
// last (in topological order) to the first marks them in one sweep. GraphEditor::commit drops the initializers no
// remaining node reads.
#include <unordered_set>

#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class PruneDeadNodesPass final : public Pass {
 public:
  std::string_view name() const override { return "PruneDeadNodes"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    auto order = graph.topological_order();
    if (!order.ok()) return ok_status();  // a malformed graph: the session reports it, not the optimizer
    GraphEditor editor(graph);
    std::unordered_set<std::string> live;
    for (const auto& o : graph.outputs) live.insert(o.name);
    int removed = 0;
    for (auto it = order->rbegin(); it != order->rend(); ++it) {
      const ir::Node& node = graph.nodes[*it];
      bool used = false;
      for (const auto& o : node.outputs) used = used || (!o.empty() && live.count(o));
      if (!used) {
        editor.remove(node);
        ++removed;
        continue;
      }
      for (const auto& in : node.inputs)
        if (!in.empty()) live.insert(in);
    }
    const size_t initializers_before = graph.initializers.size();
    editor.commit();  // also drops unread initializers
    const int dropped = static_cast<int>(initializers_before - graph.initializers.size());
    changed = removed > 0 || dropped > 0;
    if (changed) ctx.count(name(), removed);
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_prune_dead_nodes_pass() { return std::make_unique<PruneDeadNodesPass>(); }

}  // namespace onyx::opt
