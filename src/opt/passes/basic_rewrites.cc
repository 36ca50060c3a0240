#include "src/opt/passes/basic_rewrites.h"

namespace onyx::opt::basic {

bool bypass_by_rename(GraphEditor& editor, const ir::Node& node, size_t input) {
  if (!node.has_input(input) || node.outputs.empty() || node.outputs[0].empty()) return false;
  const std::string& out = node.outputs[0];
  if (editor.is_graph_output(out)) return false;
  editor.rename_uses(out, node.inputs[input]);
  editor.remove(node);
  return true;
}

bool bypass_into_producer(GraphEditor& editor, const ir::Node& node, size_t input) {
  if (!node.has_input(input) || node.outputs.empty() || node.outputs[0].empty()) return false;
  const std::string& in = node.inputs[input];
  const std::string& out = node.outputs[0];
  const ir::Node* producer = editor.producer(in);
  if (!producer || editor.is_removed(*producer) || editor.is_removed(node) || editor.is_graph_output(in)) return false;
  const auto& readers = editor.consumers(in);
  if (readers.size() != 1 || readers[0] != &node) return false;
  ir::Node copy = *producer;
  for (auto& o : copy.outputs)
    if (o == in) o = out;
  editor.remove(*producer);
  editor.remove(node);
  editor.add(std::move(copy));
  return true;
}

int bypass_all(GraphEditor& editor, const std::function<bool(const ir::Node&)>& passes_through) {
  const auto& nodes = editor.graph().nodes;
  int removed = 0;
  for (const ir::Node& node : nodes)
    if (passes_through(node) && bypass_by_rename(editor, node)) ++removed;
  if (removed) editor.commit();
  int into_producer = 0;
  for (const ir::Node& node : nodes)
    if (passes_through(node) && bypass_into_producer(editor, node)) ++into_producer;
  if (into_producer) editor.commit();
  return removed + into_producer;
}

void with_inputs(GraphEditor& editor, const ir::Node& node, std::vector<std::string> inputs) {
  ir::Node copy = node;
  copy.inputs = std::move(inputs);
  editor.remove(node);
  editor.add(std::move(copy));
}

std::optional<std::vector<int64_t>> known_dims(const GraphEditor& editor, const std::string& value) {
  const ValueInfo* vi = editor.info(value);
  if (!vi || !vi->has_shape) return std::nullopt;
  std::vector<int64_t> dims;
  for (const Dim& d : vi->shape) dims.push_back(d.is_fixed() ? d.value : -1);
  return dims;
}

bool same_shape(const GraphEditor& editor, const std::string& a, const std::string& b) {
  const ValueInfo* va = editor.info(a);
  const ValueInfo* vb = editor.info(b);
  if (!va || !vb || !va->has_shape || !vb->has_shape || va->shape.size() != vb->shape.size()) return false;
  for (size_t i = 0; i < va->shape.size(); ++i) {
    const Dim& x = va->shape[i];
    const Dim& y = vb->shape[i];
    if (x.is_fixed() && y.is_fixed() && x.value == y.value) continue;
    if (!x.is_fixed() && !y.is_fixed() && !x.symbol.empty() && x.symbol == y.symbol) continue;
    return false;
  }
  return true;
}

bool is_nondeterministic(const ir::Node& node) {
  static const char* const kOps[] = {"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike",
                                     "Multinomial",  "Bernoulli"};
  if (!node.domain.empty() && node.domain != "ai.onnx") return false;
  for (const char* op : kOps)
    if (node.op_type == op) return true;
  return false;
}

}  // namespace onyx::opt::basic
