#include "src/opt/graph_editor.h"

#include <algorithm>

#include "src/core/half.h"

namespace onyx::opt {

GraphEditor::GraphEditor(ir::Graph& graph) : graph_(graph) { index(); }

void GraphEditor::index() {
  producer_.clear();
  consumers_.clear();
  initializer_info_.clear();
  outputs_.clear();
  inputs_.clear();
  for (const ir::Node& n : graph_.nodes) {
    if (!n.name.empty()) taken_names_.insert(n.name);
    for (const auto& o : n.outputs)
      if (!o.empty()) {
        producer_[o] = &n;
        taken_names_.insert(o);
      }
    for (const auto& i : n.inputs) {
      if (i.empty()) continue;
      auto& list = consumers_[i];
      if (list.empty() || list.back() != &n) list.push_back(&n);
      taken_names_.insert(i);
    }
  }
  for (const auto& [name, t] : graph_.initializers) taken_names_.insert(name);
  for (const auto& v : graph_.outputs) outputs_.insert(v.name);
  for (const auto& v : graph_.inputs) inputs_.insert(v.name);
  removed_.assign(graph_.nodes.size(), false);
}

const ir::Node* GraphEditor::producer(const std::string& value) const {
  auto it = producer_.find(value);
  return it == producer_.end() ? nullptr : it->second;
}

const std::vector<const ir::Node*>& GraphEditor::consumers(const std::string& value) const {
  static const std::vector<const ir::Node*> kNone;
  auto it = consumers_.find(value);
  return it == consumers_.end() ? kNone : it->second;
}

bool GraphEditor::is_graph_output(const std::string& value) const { return outputs_.count(value) > 0; }
bool GraphEditor::is_graph_input(const std::string& value) const { return inputs_.count(value) > 0; }

const Tensor* GraphEditor::constant(const std::string& value) const {
  auto it = graph_.initializers.find(value);
  if (it != graph_.initializers.end()) return &it->second;
  const ir::Node* p = producer(value);
  if (p && p->op_type == "Constant" && p->domain.empty()) {
    const ir::Attribute* a = p->find_attribute("value");
    if (a && a->kind == ir::Attribute::Kind::kTensor) return &a->t;
  }
  return nullptr;
}

std::optional<double> GraphEditor::scalar(const std::string& value) const {
  const Tensor* t = constant(value);
  if (!t || t->numel() != 1) return std::nullopt;
  std::optional<double> out;
  switch (t->dtype()) {
    case DType::kFloat32: out = t->data<float>()[0]; break;
    case DType::kFloat64: out = t->data<double>()[0]; break;
    case DType::kFloat16: out = to_float(t->data<Float16>()[0]); break;
    case DType::kBFloat16: out = to_float(t->data<BFloat16>()[0]); break;
    case DType::kInt64: out = static_cast<double>(t->data<int64_t>()[0]); break;
    case DType::kInt32: out = t->data<int32_t>()[0]; break;
    case DType::kBool: out = t->data<bool>()[0] ? 1.0 : 0.0; break;
    default: break;
  }
  return out;
}

std::optional<std::vector<int64_t>> GraphEditor::int_values(const std::string& value) const {
  const Tensor* t = constant(value);
  if (!t) return std::nullopt;
  std::vector<int64_t> v(static_cast<size_t>(t->numel()));
  if (t->dtype() == DType::kInt64) std::copy_n(t->data<int64_t>(), v.size(), v.begin());
  else if (t->dtype() == DType::kInt32) std::copy_n(t->data<int32_t>(), v.size(), v.begin());
  else return std::nullopt;
  return v;
}

const ValueInfo* GraphEditor::info(const std::string& value) const {
  for (const auto& v : graph_.inputs)
    if (v.name == value) return &v;
  for (const auto& v : graph_.outputs)
    if (v.name == value) return &v;
  auto it = graph_.value_info.find(value);
  if (it != graph_.value_info.end()) return &it->second;
  auto init = graph_.initializers.find(value);
  if (init == graph_.initializers.end()) return nullptr;
  auto [pos, inserted] = initializer_info_.try_emplace(value);
  if (inserted) {
    pos->second.name = value;
    pos->second.dtype = init->second.dtype();
    pos->second.has_shape = true;
    for (int64_t d : init->second.shape()) pos->second.shape.push_back(Dim{d, {}});
  }
  return &pos->second;
}

std::optional<size_t> GraphEditor::rank(const std::string& value) const {
  const ValueInfo* vi = info(value);
  if (!vi || !vi->has_shape) return std::nullopt;
  return vi->shape.size();
}

DType GraphEditor::dtype(const std::string& value) const {
  const ValueInfo* vi = info(value);
  return vi ? vi->dtype : DType::kUndefined;
}

const ir::Node* GraphEditor::parent(const ir::Node& node, size_t input, std::string_view op_type) const {
  if (!node.has_input(input)) return nullptr;
  const ir::Node* p = producer(node.inputs[input]);
  if (!p || (!op_type.empty() && p->op_type != op_type)) return nullptr;
  return p;
}

std::vector<const ir::Node*> GraphEditor::match_parents(const ir::Node& node, std::initializer_list<ParentStep> path,
                                                        std::vector<int>* matched_inputs) const {
  std::vector<const ir::Node*> out;
  if (matched_inputs) matched_inputs->clear();
  const ir::Node* current = &node;
  for (const ParentStep& step : path) {
    const ir::Node* next = nullptr;
    int used = -1;
    if (step.input >= 0) {
      next = parent(*current, static_cast<size_t>(step.input), step.op_type);
      used = step.input;
    } else {
      for (size_t i = 0; i < current->inputs.size() && !next; ++i) {
        next = parent(*current, i, step.op_type);
        used = static_cast<int>(i);
      }
    }
    if (!next) {
      if (matched_inputs) matched_inputs->clear();
      return {};
    }
    out.push_back(next);
    if (matched_inputs) matched_inputs->push_back(used);
    current = next;
  }
  return out;
}

const ir::Node* GraphEditor::only_child(const ir::Node& node, std::string_view op_type) const {
  if (node.outputs.empty() || is_graph_output(node.outputs[0])) return nullptr;
  const auto& c = consumers(node.outputs[0]);
  if (c.size() != 1 || (!op_type.empty() && c[0]->op_type != op_type)) return nullptr;
  return c[0];
}

int GraphEditor::other_input(const ir::Node& node, const std::string& value) {
  for (int i = 0; i < 2 && i < static_cast<int>(node.inputs.size()); ++i)
    if (node.inputs[i] != value) return i;
  return -1;
}

bool GraphEditor::only_used_inside(const std::vector<const ir::Node*>& nodes,
                                   const std::vector<std::string>& keep) const {
  for (const ir::Node* n : nodes) {
    for (const auto& o : n->outputs) {
      if (o.empty() || std::find(keep.begin(), keep.end(), o) != keep.end()) continue;
      if (is_graph_output(o)) return false;
      for (const ir::Node* c : consumers(o))
        if (std::find(nodes.begin(), nodes.end(), c) == nodes.end()) return false;
    }
  }
  return true;
}

bool GraphEditor::is_removed(const ir::Node& node) const {
  const size_t i = static_cast<size_t>(&node - graph_.nodes.data());
  return i < removed_.size() && removed_[i];
}

void GraphEditor::remove(const ir::Node& node) {
  const size_t i = static_cast<size_t>(&node - graph_.nodes.data());
  if (i < removed_.size()) removed_[i] = true;
}

void GraphEditor::remove(const std::vector<const ir::Node*>& nodes) {
  for (const ir::Node* n : nodes) remove(*n);
}

std::string GraphEditor::unique_name(const std::string& hint) {
  std::string base = hint.empty() ? "onyx" : hint;
  std::string name = base;
  for (int k = 1; taken_names_.count(name); ++k) name = base + "_" + std::to_string(k);
  taken_names_.insert(name);
  return name;
}

std::string GraphEditor::add(ir::Node node) {
  if (node.name.empty() || taken_names_.count(node.name)) node.name = unique_name(node.name.empty() ? node.op_type : node.name);
  else taken_names_.insert(node.name);
  for (const auto& o : node.outputs) taken_names_.insert(o);
  std::string name = node.name;
  added_.push_back(std::move(node));
  return name;
}

std::string GraphEditor::add_initializer(const std::string& name_hint, Tensor value) {
  std::string name = unique_name(name_hint);
  graph_.initializers[name] = std::move(value);
  return name;
}

void GraphEditor::rename_uses(const std::string& from, const std::string& to) { renames_.emplace_back(from, to); }

void GraphEditor::ensure_opset(const std::string& domain, int64_t version) {
  if (!graph_.opsets.count(domain)) graph_.opsets[domain] = version;
}

int GraphEditor::commit() {
  int changes = static_cast<int>(added_.size());
  std::vector<ir::Node> kept;
  kept.reserve(graph_.nodes.size() + added_.size());
  for (size_t i = 0; i < graph_.nodes.size(); ++i) {
    if (removed_[i]) {
      ++changes;
      continue;
    }
    kept.push_back(std::move(graph_.nodes[i]));
  }
  // Renames apply to the nodes that were there before (a node added to produce the new value keeps its inputs).
  if (!renames_.empty()) {
    std::unordered_map<std::string, std::string> map;
    for (const auto& [from, to] : renames_) map[from] = to;
    auto resolve = [&](std::string name) {
      for (int guard = 0; guard < 64; ++guard) {
        auto it = map.find(name);
        if (it == map.end()) break;
        name = it->second;
      }
      return name;
    };
    for (auto& n : kept)
      for (auto& in : n.inputs)
        if (!in.empty()) in = resolve(in);
    renames_.clear();
  }
  for (auto& n : added_) kept.push_back(std::move(n));
  added_.clear();
  graph_.nodes = std::move(kept);
  // Drop initializers nothing reads any more.
  std::set<std::string> used;
  for (const auto& n : graph_.nodes)
    for (const auto& in : n.inputs) used.insert(in);
  for (const auto& o : graph_.outputs) used.insert(o.name);
  for (auto it = graph_.initializers.begin(); it != graph_.initializers.end();) {
    if (!used.count(it->first)) it = graph_.initializers.erase(it);
    else ++it;
  }
  index();
  return changes;
}

ir::Node make_node(std::string op_type, std::string domain, std::vector<std::string> inputs,
                   std::vector<std::string> outputs, std::string name) {
  ir::Node n;
  n.op_type = std::move(op_type);
  n.domain = std::move(domain);
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.name = std::move(name);
  return n;
}

ir::Attribute int_attr(int64_t v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
  return a;
}
ir::Attribute float_attr(float v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kFloat;
  a.f = v;
  return a;
}
ir::Attribute ints_attr(std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}
ir::Attribute string_attr(std::string v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = std::move(v);
  return a;
}

}  // namespace onyx::opt
