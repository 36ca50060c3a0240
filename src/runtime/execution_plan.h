// ExecutionPlan: what Session::create computes once so run() only executes.
//   - nodes in topological order, each with its CPU kernel object;
//   - every value mapped to a slot index (no string lookups per run);
//   - for each step, the slots whose last consumer it is (released right after, so their pooled buffers
//     are reused by later nodes and no run grows memory);
//   - constant inputs a kernel packed at creation (Kernel::packed_constant_input) get slot -1 (the kernel reads
//     nullptr), and an initializer all of whose readers packed it is dropped from graph.initializers and constants
//     (freed as soon as its last reader's kernel exists), so weights are not held twice.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "onyx/status.h"
#include "src/ep/cpu/kernel.h"
#include "src/ep/cpu/registry.h"
#include "src/ir/graph.h"

namespace onyx::runtime {

struct PlannedStep {
  size_t node_index = 0;
  std::unique_ptr<cpu::Kernel> kernel;
  std::vector<int> inputs;   // slot per node input; -1 = omitted optional input or a constant the kernel packed
  std::vector<int> outputs;  // slot per node output; -1 = omitted output
  std::vector<int> release_after;
};

struct ExecutionPlan {
  ir::Graph graph;
  std::vector<PlannedStep> steps;
  size_t num_slots = 0;
  std::vector<int> input_slots;   // parallel to graph.inputs
  std::vector<int> output_slots;  // parallel to graph.outputs
  std::vector<std::pair<int, Tensor>> constants;  // initializer slots, set at the start of every run (packed-only
                                                  // initializers are not among them)
};

// Takes ownership of the graph. Errors: unsupported ops (all listed at once), kernels rejecting attributes,
// dangling values or cycles.
struct PlanOptions {
  bool bf16_weights = false;  // KernelInfo::bf16_weights for every kernel
  bool int8_weights = false;  // KernelInfo::int8_weights for every kernel
  // Kernels looked up before the CPU registry (tests plan fake kernels with it); each outlives the call.
  std::vector<cpu::KernelDef> extra_kernels;
};
Result<std::unique_ptr<ExecutionPlan>> build_execution_plan(ir::Graph graph, const PlanOptions& options = {});

// Ops of `graph` the CPU EP (plus `extra_kernels`) has no kernel for: "If (opset 17): ..." lines; empty when all are
// supported.
std::vector<std::string> unsupported_ops(const ir::Graph& graph, std::span<const cpu::KernelDef> extra_kernels = {});

}  // namespace onyx::runtime
