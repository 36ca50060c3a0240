// ApproximateGelu: Gelu / BiasGelu -> FastGelu (tanh approximation), as Optimum's O3.
//
//   x ─► Gelu ─► y             =>   x ─► FastGelu ─► y
//   x, b ─► BiasGelu ─► y      =>   x, b ─► FastGelu(x, b) ─► y          (all com.microsoft)
//
// O3 only: the tanh form differs from the erf form by up to 4.7e-4 absolute per element (at |x| ~ 2.7), so outputs
// change. FastGelu's optional bias input has BiasGelu's semantics (1-D over the last dimension).
#include "src/opt/passes/gelu_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

class ApproximateGeluPass final : public Pass {
 public:
  std::string_view name() const override { return "ApproximateGelu"; }
  Level level() const override { return Level::kApproximate; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!ctx.supports(graph, "FastGelu", ir::kMsDomain)) return ok_status();
    GraphEditor editor(graph);
    int rewritten = 0;
    for (const ir::Node& n : graph.nodes) {
      if (n.domain != ir::kMsDomain || n.outputs.size() != 1 || !n.has_input(0)) continue;
      std::vector<std::string> inputs;
      if (n.op_type == "Gelu" && n.inputs.size() == 1)
        inputs = {n.inputs[0]};
      else if (n.op_type == "BiasGelu" && n.inputs.size() == 2 && n.has_input(1))
        inputs = {n.inputs[0], n.inputs[1]};
      else
        continue;
      editor.remove(n);
      editor.add(
          make_node("FastGelu", ir::kMsDomain, std::move(inputs), {n.outputs[0]}, gelu::fused_name(n, "FastGelu")));
      ++rewritten;
    }
    if (rewritten) ctx.record("FastGelu", rewritten);
    changed = rewritten > 0;
    editor.commit();
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_approximate_gelu_pass() { return std::make_unique<ApproximateGeluPass>(); }

}  // namespace onyx::opt
