#include "src/opt/passes/norm_match.h"

#include <cmath>

namespace onyx::opt::norm {

namespace {

bool is_last_axis(int64_t axis, std::optional<size_t> rank) {
  if (axis == -1) return true;
  return rank && *rank > 0 && axis == static_cast<int64_t>(*rank) - 1;
}

bool one_of(const std::string& op, std::initializer_list<const char*> ops) {
  for (const char* o : ops)
    if (op == o) return true;
  return false;
}

std::optional<std::vector<Dim>> dims_rec(const GraphEditor& e, const std::string& value, int depth) {
  if (const ValueInfo* vi = e.info(value); vi && vi->has_shape) return vi->shape;
  if (depth > 32) return std::nullopt;
  const ir::Node* p = e.producer(value);
  if (!p || p->outputs.empty()) return std::nullopt;
  const std::string& op = p->op_type;
  const bool out0 = p->outputs[0] == value;
  if (one_of(op, {"LayerNormalization", "SimplifiedLayerNormalization", "SkipLayerNormalization",
                  "SkipSimplifiedLayerNormalization"})) {
    if (out0 || (p->outputs.size() > 3 && p->outputs[3] == value)) return dims_rec(e, p->inputs[0], depth + 1);
    return std::nullopt;
  }
  if (!out0) return std::nullopt;
  if (one_of(op, {"Relu", "Tanh", "Erf", "Sigmoid", "Identity", "Dropout", "Softmax", "Gelu", "FastGelu", "BiasGelu",
                  "Sqrt", "Neg", "Cast"}))
    return dims_rec(e, p->inputs[0], depth + 1);
  if (one_of(op, {"Add", "Sub", "Mul", "Div"}) && p->inputs.size() == 2) {
    const Tensor* c0 = e.constant(p->inputs[0]);
    const Tensor* c1 = e.constant(p->inputs[1]);
    if (c1 && !c0 && c1->rank() <= 1) return dims_rec(e, p->inputs[0], depth + 1);
    if (c0 && !c1 && c0->rank() <= 1) return dims_rec(e, p->inputs[1], depth + 1);
    if (c0 || c1) return std::nullopt;
    auto a = dims_rec(e, p->inputs[0], depth + 1);
    auto b = a ? dims_rec(e, p->inputs[1], depth + 1) : std::nullopt;
    if (!a || !b || a->size() != b->size()) return std::nullopt;
    for (size_t i = 0; i < a->size(); ++i)
      if (!same_dim((*a)[i], (*b)[i])) return std::nullopt;
    return a;
  }
  if (op == "Gather" && p->inputs.size() == 2 && p->attr_int("axis", 0) == 0) {  // embedding lookup
    const Tensor* table = e.constant(p->inputs[0]);
    if (!table || table->rank() != 2) return std::nullopt;
    auto ids = dims_rec(e, p->inputs[1], depth + 1);
    if (ids) ids->push_back(Dim{table->dim(1), {}});
    return ids;
  }
  if (op == "MatMul" && p->inputs.size() == 2) {
    const Tensor* w = e.constant(p->inputs[1]);
    if (!w || w->rank() != 2) return std::nullopt;
    auto a = dims_rec(e, p->inputs[0], depth + 1);
    if (!a || a->size() < 2) return std::nullopt;
    a->back() = Dim{w->dim(1), {}};
    return a;
  }
  return std::nullopt;
}

}  // namespace

bool reduces_last_axis(const GraphEditor& e, const ir::Node& rm) {
  if (rm.op_type != "ReduceMean" || !rm.domain.empty() || !rm.has_input(0)) return false;
  if (rm.attr_int("keepdims", 1) != 1) return false;
  std::vector<int64_t> axes;
  if (rm.has_input(1)) {
    auto v = e.int_values(rm.inputs[1]);
    if (!v) return false;
    axes = *v;
  } else {
    axes = rm.attr_ints("axes");
  }
  if (axes.size() != 1) return false;
  std::optional<size_t> rank = e.rank(rm.inputs[0]);
  if (!rank && axes[0] >= 0)
    if (auto dims = known_dims(e, rm.inputs[0])) rank = dims->size();
  return is_last_axis(axes[0], rank);
}

bool is_scalar(const GraphEditor& e, const std::string& value, double expected) {
  auto v = e.scalar(value);
  return v && std::abs(*v - expected) <= 1e-6 * std::max(1.0, std::abs(expected));
}

bool is_scalar_maybe_cast(const GraphEditor& e, const std::string& value, double expected) {
  if (is_scalar(e, value, expected)) return true;
  const ir::Node* p = e.producer(value);
  return p && p->op_type == "Cast" && p->has_input(0) && is_scalar(e, p->inputs[0], expected);
}

const Tensor* float_vector(const GraphEditor& e, const std::string& value, int64_t size) {
  const Tensor* t = e.constant(value);
  if (!t || t->rank() != 1 || !is_float_dtype(t->dtype())) return nullptr;
  if (size >= 0 && t->dim(0) != size) return nullptr;
  return t;
}

int input_index(const ir::Node& node, const std::string& value) {
  for (int i = 0; i < 2 && i < static_cast<int>(node.inputs.size()); ++i)
    if (node.inputs[static_cast<size_t>(i)] == value) return i;
  return -1;
}

bool is_float_dtype(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kBFloat16 || t == DType::kFloat64;
}

DType cast_target(const ir::Node& node) {
  if (node.op_type != "Cast" || !node.domain.empty()) return DType::kUndefined;
  const auto to = static_cast<DType>(node.attr_int("to", 0));
  return is_float_dtype(to) ? to : DType::kUndefined;
}

bool same_up_to_cast(const GraphEditor& e, const std::string& a, const std::string& b) {
  if (a == b) return true;
  const ir::Node* pa = e.producer(a);
  const ir::Node* pb = e.producer(b);
  return pa && pb && cast_target(*pa) != DType::kUndefined && cast_target(*pa) == cast_target(*pb) &&
         pa->inputs[0] == pb->inputs[0];
}

bool is_noop_cast(const GraphEditor& e, const ir::Node& node) {
  const DType to = cast_target(node);
  return to != DType::kUndefined && node.has_input(0) && e.dtype(node.inputs[0]) == to;
}

int64_t last_dim(const GraphEditor& e, const std::string& value) {
  auto d = known_dims(e, value);
  if (!d || d->empty() || !d->back().is_fixed()) return -1;
  return d->back().value;
}

std::optional<std::vector<Dim>> known_dims(const GraphEditor& e, const std::string& value) {
  return dims_rec(e, value, 0);
}

bool same_dim(const Dim& a, const Dim& b) {
  if (a.is_fixed() || b.is_fixed()) return a.value == b.value;
  return !a.symbol.empty() && a.symbol == b.symbol;
}

bool is_activation(const GraphEditor& e, const std::string& value) {
  return !value.empty() && e.constant(value) == nullptr;
}

bool none_removed(const GraphEditor& e, const std::vector<const ir::Node*>& nodes) {
  for (const ir::Node* n : nodes)
    if (e.is_removed(*n)) return false;
  return true;
}

Tensor filled_vector(int64_t size, float v) {
  return Tensor::from_vector<float>({size}, std::vector<float>(static_cast<size_t>(size), v));
}

}  // namespace onyx::opt::norm
