// Helpers shared by the O1 (basic) passes: removing a node that passes a value through unchanged, re-creating a node
// with other inputs, and shape facts read from the graph's declared / ONNX-inferred value infos.
//
// GraphEditor renames apply only to nodes that existed before the commit, so a pass never mixes the two kinds of
// edit below in one batch: rename-based removals (bypass_by_rename) first, commit, then the edits that re-create nodes
// (bypass_into_producer, with_inputs), commit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/opt/graph_editor.h"

namespace onyx::opt::basic {

// `node` passes node.inputs[input] through as node.outputs[0] unchanged. When that output is not a graph output, its
// readers read the input instead and the node is removed (true). Otherwise nothing is done (false).
bool bypass_by_rename(GraphEditor& editor, const ir::Node& node, size_t input = 0);

// Same no-op node whose output IS a graph output: when the input is produced by a node P that is not removed, the
// input is not itself a graph output and only `node` reads it, P is re-created writing the graph output directly
// and `node` is removed (true). Otherwise false (the node stays: a graph input or initializer passed through to a
// graph output needs a node). Adds a node: do not call in a batch that also renames.
bool bypass_into_producer(GraphEditor& editor, const ir::Node& node, size_t input = 0);

// Removes every node for which `passes_through(node)` holds (node.outputs[0] equals node.inputs[0]): first by
// bypass_by_rename, commit, then those writing a graph output by bypass_into_producer, commit. Returns how many
// were removed.
int bypass_all(GraphEditor& editor, const std::function<bool(const ir::Node&)>& passes_through);

// Re-creates `node` with `inputs` (same op, attributes and outputs) and removes the original. Do not call in a batch
// that also renames.
void with_inputs(GraphEditor& editor, const ir::Node& node, std::vector<std::string> inputs);

// Dims of `value` if its rank is known: fixed dims as their size, other dims -1.
std::optional<std::vector<int64_t>> known_dims(const GraphEditor& editor, const std::string& value);

// True when both values have a known shape of the same rank whose dims are provably equal (both fixed and equal, or
// the same symbol).
bool same_shape(const GraphEditor& editor, const std::string& a, const std::string& b);

// Ops whose outputs differ from run to run (never folded, never merged).
bool is_nondeterministic(const ir::Node& node);

}  // namespace onyx::opt::basic
