// ExecutionPlan: what Session::create computes once so run() only executes.
//   - nodes in topological order, each with its CPU kernel object;
//   - every value mapped to a slot index (no string lookups per run);
//   - for each step, the slots whose last consumer it is (released right after, so their pooled buffers
//     are reused by later nodes and no run grows memory).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "onyx/status.h"
#include "src/ep/cpu/kernel.h"
#include "src/ir/graph.h"

namespace onyx::runtime {

struct PlannedStep {
  size_t node_index = 0;
  std::unique_ptr<cpu::Kernel> kernel;
  std::vector<int> inputs;   // slot per node input; -1 = omitted optional input
  std::vector<int> outputs;  // slot per node output; -1 = omitted output
  std::vector<int> release_after;
};

struct ExecutionPlan {
  ir::Graph graph;
  std::vector<PlannedStep> steps;
  size_t num_slots = 0;
  std::vector<int> input_slots;   // parallel to graph.inputs
  std::vector<int> output_slots;  // parallel to graph.outputs
  std::vector<std::pair<int, Tensor>> constants;  // initializer slots, set at the start of every run
};

// Takes ownership of the graph. Errors: unsupported ops (all listed at once), kernels rejecting attributes,
// dangling values or cycles.
struct PlanOptions {
  bool bf16_weights = false;  // KernelInfo::bf16_weights for every kernel
};
Result<std::unique_ptr<ExecutionPlan>> build_execution_plan(ir::Graph graph, const PlanOptions& options = {});

// Ops of `graph` the CPU EP has no kernel for: "If (opset 17): ..." lines; empty when all are supported.
std::vector<std::string> unsupported_ops(const ir::Graph& graph);

}  // namespace onyx::runtime
