#include "src/opt/passes/qdq_match.h"

namespace onyx::opt::qdq {

namespace {

bool is_onnx(const ir::Node* n, std::string_view op) { return n && n->domain.empty() && n->op_type == op; }

// One float32 value (a scalar or a 1-element 1-D constant).
bool is_scalar_float(const GraphEditor& editor, const std::string& value) {
  const Tensor* t = value.empty() ? nullptr : editor.constant(value);
  return t && t->dtype() == DType::kFloat32 && t->numel() == 1 && t->rank() <= 1;
}

bool read_only_by(const GraphEditor& editor, const std::string& value, const ir::Node& reader) {
  const auto& c = editor.consumers(value);
  return !editor.is_graph_output(value) && c.size() == 1 && c[0] == &reader;
}

}  // namespace

std::optional<ActivationDq> match_activation(const GraphEditor& editor, const ir::Node& reader, size_t input) {
  const ir::Node* dq = editor.parent(reader, input, "DequantizeLinear");
  if (!is_onnx(dq, "DequantizeLinear") || editor.is_removed(*dq) || !dq->has_input(0) || !dq->has_input(1) ||
      dq->attr_int("block_size", 0) != 0)
    return std::nullopt;
  ActivationDq a;
  a.dq = dq;
  a.x_q = dq->inputs[0];
  a.scale = dq->inputs[1];
  a.zero_point = dq->has_input(2) ? dq->inputs[2] : "";
  const ir::Node* p = editor.producer(a.x_q);
  if (is_onnx(p, "DynamicQuantizeLinear") && p->outputs.size() >= 3 && p->has_input(0) && !editor.is_removed(*p) &&
      p->outputs[0] == a.x_q && p->outputs[1] == a.scale && p->outputs[2] == a.zero_point) {
    a.dynamic = p;
    a.x = p->inputs[0];
    const DType xt = editor.dtype(a.x);
    if (xt != DType::kFloat32 && xt != DType::kUndefined) return std::nullopt;
    return a;
  }
  if (!is_scalar_float(editor, a.scale)) return std::nullopt;
  if (!a.zero_point.empty()) {
    const Tensor* z = editor.constant(a.zero_point);
    if (!z || z->dtype() != DType::kUInt8 || z->numel() != 1 || z->rank() > 1) return std::nullopt;
    return a;
  }
  // No zero point: x_q must be known to be uint8 (a QuantizeLinear without zero point or output_dtype makes uint8).
  const bool q_uint8 = is_onnx(p, "QuantizeLinear") && !p->has_input(2) && !p->has_attribute("output_dtype");
  if (!q_uint8 && editor.dtype(a.x_q) != DType::kUInt8) return std::nullopt;
  return a;
}

std::optional<WeightDq> match_weight(const GraphEditor& editor, const ir::Node& reader, size_t input) {
  const ir::Node* dq = editor.parent(reader, input, "DequantizeLinear");
  if (!is_onnx(dq, "DequantizeLinear") || editor.is_removed(*dq) || !dq->has_input(0) || !dq->has_input(1) ||
      dq->attr_int("block_size", 0) != 0 || !read_only_by(editor, dq->outputs[0], reader))
    return std::nullopt;
  const Tensor* w = editor.constant(dq->inputs[0]);
  const Tensor* s = editor.constant(dq->inputs[1]);
  if (!w || !s || w->rank() != 2 || (w->dtype() != DType::kInt8 && w->dtype() != DType::kUInt8) ||
      s->dtype() != DType::kFloat32)
    return std::nullopt;
  WeightDq m;
  m.dq = dq;
  m.w = dq->inputs[0];
  m.scale = dq->inputs[1];
  m.k = w->dim(0);
  m.n = w->dim(1);
  const bool per_tensor = s->numel() == 1 && s->rank() <= 1;
  const int64_t axis = dq->attr_int("axis", 1);
  const bool per_column = s->rank() == 1 && s->dim(0) == m.n && (axis == 1 || axis == -1);
  if (!per_tensor && !per_column) return std::nullopt;
  if (dq->has_input(2)) {
    const Tensor* z = editor.constant(dq->inputs[2]);
    if (!z || z->dtype() != w->dtype() || z->shape() != s->shape()) return std::nullopt;
    m.zero_point = dq->inputs[2];
  }
  return m;
}

void remove_dead_activations(GraphEditor& editor, const std::vector<ActivationDq>& activations,
                             const std::set<const ir::Node*>& fused) {
  std::set<const ir::Node*> removed;
  for (const ActivationDq& a : activations) {
    if (removed.count(a.dq) || editor.is_removed(*a.dq) || editor.is_graph_output(a.dq->outputs[0])) continue;
    bool all_fused = true;
    for (const ir::Node* c : editor.consumers(a.dq->outputs[0])) all_fused &= fused.count(c) > 0;
    if (!all_fused) continue;
    editor.remove(*a.dq);
    removed.insert(a.dq);
  }
  for (const ActivationDq& a : activations) {
    if (!a.dynamic || editor.is_removed(*a.dynamic)) continue;
    bool dead = true;
    for (const std::string& out : a.dynamic->outputs) {
      if (out.empty()) continue;
      if (editor.is_graph_output(out)) dead = false;
      for (const ir::Node* c : editor.consumers(out)) dead &= removed.count(c) > 0;
    }
    if (dead) editor.remove(*a.dynamic);
  }
}

}  // namespace onyx::opt::qdq
