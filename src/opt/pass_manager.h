// The pass manager: runs the registered passes (pass_registry.cc) up to a level, repeating until nothing changes.
//
//   opt::OptimizeOptions o;  o.level = opt::Level::kExtended;
//   ONYX_ASSIGN_OR_RETURN(opt::OptimizeReport r, opt::optimize(graph, o));   // r.created["Attention"]
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "onyx/status.h"
#include "src/ir/graph.h"
#include "src/opt/pass.h"

namespace onyx::opt {

struct OptimizeOptions {
  Level level = Level::kExtended;
  // Pass names to skip (ONNX Runtime's disabled_optimizers).
  std::vector<std::string> disabled_passes;
  // When non-empty, only these passes run (tests run one pass on and off).
  std::vector<std::string> only_passes;
  // Upper bound on repetitions of the whole pass list.
  int max_rounds = 8;
  // Which ops the target EP implements; empty = the CPU kernel registry. (Tests may fuse for a hypothetical EP.)
  std::function<bool(const ir::Graph&, std::string_view op, std::string_view domain)> ep_supports;
  // Run the RemovePadding pass (SessionOptions::remove_padding): a runtime execution mode, not part of any level.
  bool remove_padding = false;
  // Run the session-only fusions into com.onyx ops (FuseMatMulBiasGelu) after the levels: Session sets it; `onyx
  // optimize` does not (ONNX Runtime could not load the result). Skipped at level 0 and when disabled by name.
  bool runtime_fusions = false;
};

struct OptimizeReport {
  // Ops created by fusions, as net new nodes in the final graph ("Attention" -> 12; a Gelu later absorbed into a
  // BiasGelu is not counted), and rewrites of other passes ("ConstantFolding" -> 30).
  std::map<std::string, int> created;
  std::map<std::string, int> rewrites;
  size_t nodes_before = 0;
  size_t nodes_after = 0;
  int rounds = 0;
};

// All passes, in the order they run within a round.
const std::vector<std::unique_ptr<Pass>>& registered_passes();
// Names of the registered passes (for --help and error messages).
std::vector<std::string> pass_names();

// Optimizes `graph` in place. Errors: an unknown pass name in the options, or a pass failing (internal error).
Result<OptimizeReport> optimize(ir::Graph& graph, const OptimizeOptions& options);

// Level from an int as SessionOptions / the CLI give it: 0..4; 99 ("all") = kExtended, the highest exact level.
Result<Level> level_from_int(int level);

}  // namespace onyx::opt
