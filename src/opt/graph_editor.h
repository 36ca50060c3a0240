// GraphEditor: the index and edit helpers every pass uses.
//
// It indexes an ir::Graph (producer and consumers of every value) and collects edits: removed nodes, added nodes,
// initializers, use renames. Queries see the graph as it was when the editor was built (or last committed); edits
// take effect at commit(), which also re-indexes. Node pointers returned by queries stay valid until commit().
//
// Declarative matching, as ONNX Runtime's fusion_base.py does:
//
//   // Add <- Mul(input 1) <- Sqrt(any input)?  walking upward from `add`:
//   auto path = editor.match_parents(add, {{"Mul", 1}, {"Sqrt", -1}});
//   if (path.empty()) return;  // no match
//   const ir::Node& mul = *path[0];
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "onyx/tensor.h"
#include "src/ir/graph.h"

namespace onyx::opt {

// One step of an upward path: the producer of input `input` of the current node must have op type `op_type`
// (input -1: the first input whose producer has that op type).
struct ParentStep {
  std::string_view op_type;
  int input = -1;
};

class GraphEditor {
 public:
  explicit GraphEditor(ir::Graph& graph);

  ir::Graph& graph() { return graph_; }
  const ir::Graph& graph() const { return graph_; }

  // ---- queries (on the graph as of construction / the last commit) ----
  // The node producing `value`, or nullptr (graph input, initializer, empty name, unknown).
  const ir::Node* producer(const std::string& value) const;
  // Nodes reading `value` (each once, even if it reads it through several inputs).
  const std::vector<const ir::Node*>& consumers(const std::string& value) const;
  bool is_graph_output(const std::string& value) const;
  bool is_graph_input(const std::string& value) const;
  // Initializer value, or the `value` attribute of a Constant node producing it; nullptr otherwise.
  const Tensor* constant(const std::string& value) const;
  // A constant with exactly one element (any numeric dtype), as double.
  std::optional<double> scalar(const std::string& value) const;
  // A constant integer tensor (int32/int64), flattened.
  std::optional<std::vector<int64_t>> int_values(const std::string& value) const;
  // Declared or inferred type/shape of `value` (graph inputs/outputs, value_info, initializers); nullptr if unknown.
  const ValueInfo* info(const std::string& value) const;
  // Static rank of `value` if known.
  std::optional<size_t> rank(const std::string& value) const;
  // The dtype of `value` if known (initializer, declared or inferred).
  DType dtype(const std::string& value) const;

  // Producer of node.inputs[input] if it has op type `op_type` (any op type when empty); else nullptr.
  const ir::Node* parent(const ir::Node& node, size_t input, std::string_view op_type = {}) const;
  // Follows `path` upward from `node` (see the header comment). Returns the matched nodes in path order, or an
  // empty vector if any step does not match. `matched_inputs` (optional) receives the input index used per step.
  std::vector<const ir::Node*> match_parents(const ir::Node& node, std::initializer_list<ParentStep> path,
                                             std::vector<int>* matched_inputs = nullptr) const;
  // The only consumer of `node`'s output 0 if it has op type `op_type`; else nullptr.
  const ir::Node* only_child(const ir::Node& node, std::string_view op_type = {}) const;
  // Index of the first input of `node` that is not `value`, among the first two (for binary ops); -1 if none.
  static int other_input(const ir::Node& node, const std::string& value);

  // True when `nodes` can be replaced as a unit: every output of every node in `nodes`, except the values in
  // `keep`, is read only by nodes in `nodes` and is not a graph output. (The `keep` values are those the fused
  // node will produce.)
  bool only_used_inside(const std::vector<const ir::Node*>& nodes, const std::vector<std::string>& keep) const;
  bool is_removed(const ir::Node& node) const;

  // ---- edits (applied by commit) ----
  void remove(const ir::Node& node);
  void remove(const std::vector<const ir::Node*>& nodes);
  // Adds a node; an empty or taken name is replaced by a unique one derived from op_type. Returns its name.
  std::string add(ir::Node node);
  // Adds an initializer under a unique name derived from `name_hint`; returns the name.
  std::string add_initializer(const std::string& name_hint, Tensor value);
  // A value/node name not used anywhere in the graph (nor handed out before).
  std::string unique_name(const std::string& hint);
  // Every node that existed before this commit and reads `from` reads `to` after it (nodes added in this batch keep
  // their inputs). Graph outputs are never renamed: to replace a graph output, make the new producer write it.
  void rename_uses(const std::string& from, const std::string& to);
  // Imports `domain` at `version` if the graph does not import it yet.
  void ensure_opset(const std::string& domain, int64_t version);

  // Applies edits, drops initializers no node reads any more (and that are not graph outputs), re-indexes.
  // Returns the number of nodes removed + added.
  int commit();

 private:
  void index();

  ir::Graph& graph_;
  std::unordered_map<std::string, const ir::Node*> producer_;
  std::unordered_map<std::string, std::vector<const ir::Node*>> consumers_;
  mutable std::unordered_map<std::string, ValueInfo> initializer_info_;  // info() of initializers, made on demand
  std::set<std::string> outputs_, inputs_;
  std::set<std::string> taken_names_;
  std::vector<bool> removed_;
  std::vector<ir::Node> added_;
  std::vector<std::pair<std::string, std::string>> renames_;
};

// Node builder shorthand: make_node("Gelu", kMsDomain, {x}, {y}).
ir::Node make_node(std::string op_type, std::string domain, std::vector<std::string> inputs,
                   std::vector<std::string> outputs, std::string name = {});
ir::Attribute int_attr(int64_t v);
ir::Attribute float_attr(float v);
ir::Attribute ints_attr(std::vector<int64_t> v);
ir::Attribute string_attr(std::string v);

}  // namespace onyx::opt
