// onyx::opt: graph optimization passes.
//
// A Pass rewrites an ir::Graph in place. It has a name, a level, and run(graph, ctx, changed). The pass manager
// (pass_manager.h) runs every pass up to the requested level in the order of pass_registry.cc and repeats the list
// until nothing changes. A pass fuses only ops the target execution provider implements (ctx.supports) and records
// every op it creates (ctx.record) so `onyx optimize` can print fused-op statistics.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "onyx/status.h"
#include "src/ir/graph.h"

namespace onyx::opt {

// Optimization levels (`onyx optimize -O1..-O4`, SessionOptions::optimization_level).
enum class Level : int {
  kNone = 0,
  kBasic = 1,             // O1: constant folding, no-op elimination, CSE, pruning
  kExtended = 2,          // O2: transformer fusions into com.microsoft contrib ops (exact)
  kApproximate = 3,       // O3: O2 + Gelu -> FastGelu
  kReducedPrecision = 4,  // O4: O3 + bf16 (CPU with AVX512-BF16) / fp16 (GPU) weights and compute
};
const char* level_name(Level level);

struct PassContext {
  // Whether the target EP implements (op, domain) at the graph's opset for that domain (opset 1 for a domain the
  // graph does not import yet, e.g. com.microsoft). Set by the pass manager; defaults to the CPU registry.
  std::function<bool(const ir::Graph&, std::string_view op, std::string_view domain)> ep_supports;
  // Ops created by fusions, by op type ("Attention" -> 12; the domain is not part of the key).
  std::map<std::string, int> created;
  // Rewrites per pass name for passes that create no op (O1: "ConstantFolding" -> 30 nodes folded).
  std::map<std::string, int> rewrites;

  bool supports(const ir::Graph& graph, std::string_view op, std::string_view domain) const {
    return !ep_supports || ep_supports(graph, op, domain);
  }
  // A fusion created `n` nodes of op `op`.
  void record(std::string_view op, int n = 1) { created[std::string(op)] += n; }
  // A pass rewrote `n` things (folded nodes, removed no-ops, merged duplicates...).
  void count(std::string_view pass, int n = 1) { rewrites[std::string(pass)] += n; }
};

class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string_view name() const = 0;
  virtual Level level() const = 0;
  // Rewrites `graph`; sets `changed` when it modified anything. Errors are internal failures only (a pattern that
  // does not match is not an error).
  virtual Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const = 0;
};

}  // namespace onyx::opt
