// Helpers for optimizer pass tests (STYLE.md: build the pattern in code, run with the pass on and off, compare
// outputs and node counts).
//
//   ModelBuilder m(14);  ... build the pattern ...
//   PassResult r = run_passes(m.bytes(), {"FuseGelu"});          // only that pass, at any level
//   EXPECT_EQ(count_ops(r.graph, "Gelu"), 1);
//   expect_same_outputs(m.bytes(), r, inputs, 1e-5);               // unoptimized vs optimized (saved + reloaded)
#pragma once

#include <string>
#include <vector>

#include "onyx/session.h"
#include "src/ir/graph.h"
#include "src/opt/pass_manager.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {

struct PassResult {
  ir::Graph graph;
  opt::OptimizeReport report;
};

// Loads `model_bytes` and runs the optimizer with only `passes` enabled (all passes of levels up to `level` when
// `passes` is empty). Fails the test (ADD_FAILURE) and returns an empty graph on errors.
// `any_ep`: fuse as if the EP implemented every op (to test a pattern before its kernel exists; outputs then cannot
// be compared).
PassResult run_passes(const std::string& model_bytes, const std::vector<std::string>& passes,
                      opt::Level level = opt::Level::kReducedPrecision, bool any_ep = false);

// Number of nodes with op type `op` (any domain).
int count_ops(const ir::Graph& graph, const std::string& op);

// Runs `model_bytes` unoptimized (level 0) and `optimized.graph` (saved with the model saver, reloaded, level 0) on
// `inputs` and expects every output to match within `tol` (max abs diff). Returns the max abs diff seen.
double expect_same_outputs(const std::string& model_bytes, const PassResult& optimized, const NamedTensors& inputs,
                           double tol = 1e-5);

// The whole file as bytes ("" if unreadable).
std::string read_file(const std::string& path);
// The layer count in `dir`/config.json (num_hidden_layers, n_layers, n_layer or num_layers); -1 if none.
int layer_count(const std::string& dir);

// Uniform random float32 tensor in [lo, hi) (deterministic for a seed).
Tensor random_floats(Shape shape, unsigned seed, float lo = -1.f, float hi = 1.f);

}  // namespace onyx::test
