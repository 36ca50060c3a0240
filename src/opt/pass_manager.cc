#include "src/opt/pass_manager.h"

#include <algorithm>

#include "src/ep/cpu/registry.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

const char* level_name(Level level) {
  switch (level) {
    case Level::kNone: return "O0 (none)";
    case Level::kBasic: return "O1 (basic)";
    case Level::kExtended: return "O2 (extended)";
    case Level::kApproximate: return "O3 (approximate gelu)";
    case Level::kReducedPrecision: return "O4 (reduced precision)";
  }
  return "?";
}

Result<Level> level_from_int(int level) {
  if (level == 99) return Level::kExtended;
  if (level < 0 || level > 4)
    return invalid_argument("optimization level " + std::to_string(level) +
                            " is not one of 0 (none), 1 (basic), 2 (extended), 3 (approximate), 4 (reduced "
                            "precision), 99 (all exact = 2)");
  return static_cast<Level>(level);
}

std::vector<std::string> pass_names() {
  std::vector<std::string> names;
  for (const auto& p : registered_passes()) names.emplace_back(p->name());
  return names;
}

namespace {

bool cpu_supports(const ir::Graph& graph, std::string_view op, std::string_view domain) {
  int64_t opset = graph.opset(std::string(domain));
  if (opset <= 0) opset = 1;
  return cpu::find_cpu_kernel(op, domain, opset) != nullptr;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Result<OptimizeReport> optimize(ir::Graph& graph, const OptimizeOptions& options) {
  auto names = pass_names();
  // The session-only passes run after the levels (below) and can be disabled by name too.
  names.insert(names.end(), {"FuseMatMulBiasGelu", "RemovePadding"});
  for (const auto* list : {&options.disabled_passes, &options.only_passes})
    for (const auto& n : *list)
      if (!contains(names, n)) {
        std::string known;
        for (const auto& k : names) known += (known.empty() ? "" : ", ") + k;
        return invalid_argument("unknown optimizer pass '" + n + "'; the passes are: " + known);
      }
  OptimizeReport report;
  report.nodes_before = graph.nodes.size();
  std::map<std::string, int> initial_counts;
  for (const auto& node : graph.nodes) initial_counts[node.op_type]++;
  PassContext ctx;
  ctx.ep_supports = options.ep_supports ? options.ep_supports : cpu_supports;
  if (options.level != Level::kNone) {
    for (int round = 0; round < options.max_rounds; ++round) {
      bool any = false;
      for (const auto& pass : registered_passes()) {
        if (static_cast<int>(pass->level()) > static_cast<int>(options.level)) continue;
        if (contains(options.disabled_passes, pass->name())) continue;
        if (!options.only_passes.empty() && !contains(options.only_passes, pass->name())) continue;
        bool changed = false;
        Status st = pass->run(graph, ctx, changed);
        if (!st.ok()) return st.with_context("optimizer pass " + std::string(pass->name()));
        any |= changed;
      }
      report.rounds = round + 1;
      if (!any) break;
    }
  }
  if (options.remove_padding && !contains(options.disabled_passes, "RemovePadding")) {
    static const std::unique_ptr<Pass> remove_padding = make_remove_padding_pass();
    bool changed = false;
    Status st = remove_padding->run(graph, ctx, changed);
    if (!st.ok()) return st.with_context("optimizer pass " + std::string(remove_padding->name()));
  }
  // After RemovePadding, which knows MatMul / BiasGelu as token-wise ops but not the fused op.
  if (options.runtime_fusions && options.level != Level::kNone &&
      !contains(options.disabled_passes, "FuseMatMulBiasGelu") &&
      (options.only_passes.empty() || contains(options.only_passes, "FuseMatMulBiasGelu"))) {
    static const std::unique_ptr<Pass> fuse_matmul_bias_gelu = make_fuse_matmul_bias_gelu_pass();
    bool changed = false;
    Status st = fuse_matmul_bias_gelu->run(graph, ctx, changed);
    if (!st.ok()) return st.with_context("optimizer pass " + std::string(fuse_matmul_bias_gelu->name()));
  }
  // Net new nodes of every op type a pass created: final count - initial count (a Gelu later absorbed into a
  // BiasGelu, or a LayerNormalization the model already had, is not reported as fused).
  for (const auto& [op, n] : ctx.created) {
    const int now = static_cast<int>(std::count_if(graph.nodes.begin(), graph.nodes.end(),
                                                   [&](const ir::Node& node) { return node.op_type == op; }));
    const int before = initial_counts.count(op) ? initial_counts.at(op) : 0;
    if (now > before) report.created[op] = now - before;
  }
  report.rewrites = std::move(ctx.rewrites);
  report.nodes_after = graph.nodes.size();
  return report;
}

}  // namespace onyx::opt
