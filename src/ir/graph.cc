#include "src/ir/graph.h"

#include <deque>
#include <unordered_set>

namespace onyx::ir {

const char* attribute_kind_name(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kTensor: return "tensor";
    case Attribute::Kind::kGraph: return "graph";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kTensors: return "tensors";
    case Attribute::Kind::kGraphs: return "graphs";
    case Attribute::Kind::kOther: return "other";
  }
  return "other";
}

const Attribute* Node::find_attribute(const std::string& attr_name) const {
  auto it = attributes.find(attr_name);
  return it == attributes.end() ? nullptr : &it->second;
}

int64_t Node::attr_int(const std::string& attr_name, int64_t default_value) const {
  const Attribute* a = find_attribute(attr_name);
  return a && a->kind == Attribute::Kind::kInt ? a->i : default_value;
}

float Node::attr_float(const std::string& attr_name, float default_value) const {
  const Attribute* a = find_attribute(attr_name);
  if (!a) return default_value;
  if (a->kind == Attribute::Kind::kFloat) return a->f;
  if (a->kind == Attribute::Kind::kInt) return static_cast<float>(a->i);
  return default_value;
}

std::string Node::attr_string(const std::string& attr_name, const std::string& default_value) const {
  const Attribute* a = find_attribute(attr_name);
  return a && a->kind == Attribute::Kind::kString ? a->s : default_value;
}

std::vector<int64_t> Node::attr_ints(const std::string& attr_name, const std::vector<int64_t>& default_value) const {
  const Attribute* a = find_attribute(attr_name);
  return a && a->kind == Attribute::Kind::kInts ? a->ints : default_value;
}

std::vector<float> Node::attr_floats(const std::string& attr_name, const std::vector<float>& default_value) const {
  const Attribute* a = find_attribute(attr_name);
  return a && a->kind == Attribute::Kind::kFloats ? a->floats : default_value;
}

std::string Node::describe() const {
  std::string d = "node '" + (name.empty() ? (outputs.empty() ? std::string("?") : outputs[0]) : name) + "' (" +
                  (domain.empty() ? "" : domain + ".") + op_type + ")";
  return d;
}

bool Node::has_subgraph() const {
  for (const auto& [k, a] : attributes)
    if (a.kind == Attribute::Kind::kGraph || a.kind == Attribute::Kind::kGraphs) return true;
  return false;
}

int64_t Graph::opset(const std::string& domain) const {
  auto it = opsets.find(domain);
  return it == opsets.end() ? 0 : it->second;
}

Result<std::vector<size_t>> Graph::topological_order() const {
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& out : nodes[i].outputs)
      if (!out.empty()) {
        if (producer.count(out) || initializers.count(out))
          return invalid_model("value '" + out + "' is produced twice (by " + nodes[i].describe() + ")");
        producer[out] = i;
      }
  std::unordered_set<std::string> available;
  for (const auto& in : inputs) available.insert(in.name);
  for (const auto& [name, t] : initializers) available.insert(name);

  std::vector<size_t> pending(nodes.size(), 0);
  std::unordered_map<std::string, std::vector<size_t>> consumers;
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::unordered_set<std::string> seen;
    for (const auto& in : nodes[i].inputs) {
      if (in.empty() || available.count(in)) continue;
      if (!producer.count(in))
        return invalid_model(nodes[i].describe() + " reads '" + in +
                             "', which is neither a graph input, an initializer nor a node output");
      if (seen.insert(in).second) {
        ++pending[i];
        consumers[in].push_back(i);
      }
    }
  }
  std::deque<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.push_back(i);
  std::vector<size_t> order;
  order.reserve(nodes.size());
  while (!ready.empty()) {
    size_t i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (const auto& out : nodes[i].outputs) {
      auto it = consumers.find(out);
      if (it == consumers.end()) continue;
      for (size_t c : it->second)
        if (--pending[c] == 0) ready.push_back(c);
    }
  }
  if (order.size() != nodes.size()) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (pending[i]) return invalid_model("the graph has a cycle through " + nodes[i].describe());
  }
  for (const auto& out : outputs)
    if (!available.count(out.name) && !producer.count(out.name))
      return invalid_model("graph output '" + out.name + "' is not produced by any node");
  return order;
}

}  // namespace onyx::ir
