#include "src/runtime/execution_plan.h"

#include <map>
#include <set>

#include "src/ep/cpu/registry.h"

namespace onyx::runtime {

namespace {

std::string why_unsupported(const ir::Node& node, int64_t opset) {
  std::string op = (node.domain.empty() ? "" : node.domain + ".") + node.op_type;
  std::string line = op + " (opset " + std::to_string(opset) + ")";
  if (node.op_type == "If" || node.op_type == "Loop" || node.op_type == "Scan" || node.has_subgraph())
    line += ": ops with subgraphs (If/Loop/Scan) are not supported yet";
  else if (cpu::find_cpu_kernel(node.op_type, node.domain, 1) || cpu::find_cpu_kernel(node.op_type, node.domain, 17))
    line += ": onyx implements this op, but not at this opset version";
  else
    line += ": no CPU kernel";
  return line;
}

const cpu::KernelDef* find_kernel(const ir::Node& node, int64_t opset, std::span<const cpu::KernelDef> extra_kernels) {
  for (const auto& def : extra_kernels)
    if (def.op == node.op_type && def.domain == node.domain && def.since_version <= opset && opset <= def.until_version)
      return &def;
  return cpu::find_cpu_kernel(node.op_type, node.domain, opset);
}

}  // namespace

std::vector<std::string> unsupported_ops(const ir::Graph& graph, std::span<const cpu::KernelDef> extra_kernels) {
  std::map<std::string, std::string> found;  // op -> reason (one line per op)
  for (const auto& node : graph.nodes) {
    const int64_t opset = graph.opset(node.domain);
    if (node.has_subgraph() || !find_kernel(node, opset, extra_kernels))
      found.emplace(node.domain + "::" + node.op_type, why_unsupported(node, opset) + " [first at " + node.describe() + "]");
  }
  std::vector<std::string> lines;
  for (auto& [k, v] : found) lines.push_back(v);
  return lines;
}

Result<std::unique_ptr<ExecutionPlan>> build_execution_plan(ir::Graph graph_in, const PlanOptions& options) {
  auto plan = std::make_unique<ExecutionPlan>();
  plan->graph = std::move(graph_in);  // kernels may refer to nodes: build them from the plan's own copy
  const ir::Graph& graph = plan->graph;
  auto unsupported = unsupported_ops(graph, options.extra_kernels);
  if (!unsupported.empty()) {
    std::string msg = "the model uses ops onyx cannot run:";
    for (const auto& line : unsupported) msg += "\n  - " + line;
    return not_implemented(msg);
  }
  ONYX_ASSIGN_OR_RETURN(std::vector<size_t> order, graph.topological_order());

  std::unordered_map<std::string, int> slot_of;
  auto slot = [&](const std::string& name) {
    auto [it, inserted] = slot_of.emplace(name, static_cast<int>(slot_of.size()));
    return it->second;
  };
  for (const auto& in : graph.inputs) plan->input_slots.push_back(slot(in.name));
  for (const auto& [name, t] : graph.initializers) slot(name);

  // An initializer that every reader packs (Kernel::packed_constant_input) is dropped as soon as the last of those
  // kernels exists: the packed copies are all that stays, and packing never holds two full copies of the weights.
  std::unordered_map<std::string, int> unpacked_readers;  // initializer -> node inputs and graph outputs reading it
  for (const auto& node : graph.nodes)
    for (const auto& in : node.inputs)
      if (graph.initializers.count(in)) ++unpacked_readers[in];
  for (const auto& out : graph.outputs)
    if (graph.initializers.count(out.name)) ++unpacked_readers[out.name];

  plan->steps.reserve(order.size());
  for (size_t idx : order) {
    const ir::Node& node = graph.nodes[idx];
    PlannedStep step;
    step.node_index = idx;
    for (const auto& in : node.inputs) step.inputs.push_back(in.empty() ? -1 : slot(in));
    for (const auto& out : node.outputs) step.outputs.push_back(out.empty() ? -1 : slot(out));
    const cpu::KernelDef* def = find_kernel(node, graph.opset(node.domain), options.extra_kernels);
    cpu::KernelInfo info{node, graph.opset(node.domain), &graph.initializers, options.bf16_weights,
                           options.int8_weights};
    auto kernel = def->create(info);
    if (!kernel.ok()) return kernel.status();
    step.kernel = std::move(kernel).value();
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      auto readers = unpacked_readers.find(node.inputs[i]);
      if (readers == unpacked_readers.end() || !step.kernel->packed_constant_input(i)) continue;
      step.inputs[i] = -1;
      if (--readers->second == 0) plan->graph.initializers.erase(node.inputs[i]);
    }
    plan->steps.push_back(std::move(step));
  }
  for (const auto& [name, t] : graph.initializers) plan->constants.emplace_back(slot_of.at(name), t);
  std::set<int> keep;  // never released: graph outputs and constants
  for (const auto& [s, t] : plan->constants) keep.insert(s);
  for (const auto& out : graph.outputs) {
    const int s = slot(out.name);
    plan->output_slots.push_back(s);
    keep.insert(s);
  }
  // Last consumer of each slot releases it; values nobody reads are released by their producer.
  std::vector<int> last_use(slot_of.size(), -1);
  for (size_t i = 0; i < plan->steps.size(); ++i) {
    for (int s : plan->steps[i].inputs)
      if (s >= 0) last_use[s] = static_cast<int>(i);
    for (int s : plan->steps[i].outputs)
      if (s >= 0 && last_use[s] < static_cast<int>(i)) last_use[s] = static_cast<int>(i);
  }
  for (size_t s = 0; s < last_use.size(); ++s)
    if (last_use[s] >= 0 && !keep.count(static_cast<int>(s))) plan->steps[last_use[s]].release_after.push_back(static_cast<int>(s));
  plan->num_slots = slot_of.size();
  return plan;
}

}  // namespace onyx::runtime
