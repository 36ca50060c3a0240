// CommonSubexpression: keeps one of several nodes that compute the same thing (ONNX Runtime's
// CommonSubexpressionElimination).
//
//   x --> Shape --> A                 x --> Shape --> A
//     '-> Shape --> B       =>                   '--> B
//
// Same op, domain, inputs (after earlier merges), attributes (tensors compared by value) and present outputs ->
// the later node's readers read the earlier node's outputs. Constant nodes with equal values merge the same way, and
// so do small initializers (<= kMaxInitializerElements) with equal dtype, shape and bytes. Never merged: random ops,
// nodes with subgraphs, nodes with no outputs, a node whose output is a graph output (it keeps producing it).
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "src/opt/passes/basic_rewrites.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

constexpr int64_t kMaxInitializerElements = 4096;

void append_raw(std::string& key, const void* data, size_t n) { key.append(static_cast<const char*>(data), n); }

void append_tensor(std::string& key, const Tensor& t) {
  key += "T" + std::to_string(static_cast<int>(t.dtype())) + shape_to_string(t.shape());
  if (t.raw_data()) append_raw(key, t.raw_data(), t.nbytes());
}

// Serializes the attributes; false for kinds that cannot be compared (subgraphs).
bool append_attributes(std::string& key, const ir::Node& node) {
  for (const auto& [name, a] : node.attributes) {  // std::map: sorted by name
    key += '\x01' + name + '=' + std::to_string(static_cast<int>(a.kind)) + ':';
    switch (a.kind) {
      case ir::Attribute::Kind::kFloat: append_raw(key, &a.f, sizeof a.f); break;
      case ir::Attribute::Kind::kInt: key += std::to_string(a.i); break;
      case ir::Attribute::Kind::kString: key += std::to_string(a.s.size()) + ':' + a.s; break;
      case ir::Attribute::Kind::kTensor: append_tensor(key, a.t); break;
      case ir::Attribute::Kind::kFloats: append_raw(key, a.floats.data(), a.floats.size() * sizeof(float)); break;
      case ir::Attribute::Kind::kInts:
        for (int64_t v : a.ints) key += std::to_string(v) + ',';
        break;
      case ir::Attribute::Kind::kStrings:
        for (const auto& s : a.strings) key += std::to_string(s.size()) + ':' + s;
        break;
      default: return false;
    }
  }
  return true;
}

class CommonSubexpressionPass final : public Pass {
 public:
  std::string_view name() const override { return "CommonSubexpression"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    GraphEditor editor(graph);
    std::unordered_map<std::string, std::string> alias;  // merged value -> the value that replaces it
    auto resolve = [&](const std::string& v) {
      auto it = alias.find(v);
      return it == alias.end() ? v : it->second;
    };
    int merged = 0;

    // Small initializers with equal values (sorted names: the result does not depend on hash order).
    std::vector<std::string> names;
    for (const auto& [n, t] : graph.initializers)
      if (t.numel() <= kMaxInitializerElements && !editor.is_graph_output(n) && !editor.is_graph_input(n))
        names.push_back(n);
    std::sort(names.begin(), names.end());
    std::unordered_map<std::string, std::string> first_with;
    for (const auto& n : names) {
      std::string key;
      append_tensor(key, graph.initializers.at(n));
      auto [it, inserted] = first_with.emplace(std::move(key), n);
      if (inserted) continue;
      alias[n] = it->second;
      editor.rename_uses(n, it->second);
      ++merged;
    }

    std::vector<size_t> order;
    if (auto o = graph.topological_order(); o.ok()) order = std::move(o).value();
    else
      for (size_t i = 0; i < graph.nodes.size(); ++i) order.push_back(i);
    std::unordered_map<std::string, const ir::Node*> first_node;
    for (size_t i : order) {
      const ir::Node& node = graph.nodes[i];
      if (node.outputs.empty() || node.has_subgraph() || basic::is_nondeterministic(node)) continue;
      std::string key = node.domain + '\0' + node.op_type + '\0';
      for (const auto& in : node.inputs) key += resolve(in) + '\0';
      key += '\x02';
      for (const auto& o : node.outputs) key += o.empty() ? '0' : '1';
      if (!append_attributes(key, node)) continue;
      auto [it, inserted] = first_node.emplace(std::move(key), &node);
      if (inserted) continue;
      const ir::Node& keep = *it->second;
      bool ok = true;
      for (const auto& o : node.outputs) ok = ok && (o.empty() || !editor.is_graph_output(o));
      if (!ok) continue;
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        if (node.outputs[k].empty()) continue;
        alias[node.outputs[k]] = keep.outputs[k];
        editor.rename_uses(node.outputs[k], keep.outputs[k]);
      }
      editor.remove(node);
      ++merged;
    }
    changed = merged > 0;
    if (changed) {
      ctx.count(name(), merged);
      editor.commit();
    }
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_common_subexpression_pass() { return std::make_unique<CommonSubexpressionPass>(); }

}  // namespace onyx::opt
