// FuseSimplifiedLayerNorm: RMS normalization (T5LayerNorm, LlamaRMSNorm) -> SimplifiedLayerNormalization.
//
//   X --+--> Pow(2) or Mul(X, X) --> ReduceMean --> Add(eps) --> Sqrt --+
//       |                            (last axis)                        v
//       |                        Div(1, sqrt) or Reciprocal(sqrt) --> Mul(X, .) --+
//       +---------------------------------------------------------------^         |
//       +----------------------------------> Div(X, sqrt) ------------------------+
//                                                                                 v
//                                                     [Cast to weight's dtype] --> [Mul(weight)] --> Y
//
//   => SimplifiedLayerNormalization(X, weight) -> Y    (domain "", axis=-1, epsilon=eps; as ONNX Runtime)
//
// T5 exports write `x.to(float32)` first: X is then that Cast's output, which the residual Add also reads (it stays);
// fp16 exports may cast the input a second time for the product (that second Cast is part of the pattern).
// Without a Mul(weight) the scale is ones (hidden size must be static). X - mean (a LayerNorm's numerator) is left to
// FuseLayerNorm.
#include "src/opt/passes/norm_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

struct RmsNormMatch {
  std::vector<const ir::Node*> nodes;
  std::string x, weight, y;
  int64_t hidden = -1;
  float epsilon = 0;
};

std::optional<RmsNormMatch> match(const GraphEditor& e, const ir::Node& square) {
  RmsNormMatch m;
  if (square.inputs.size() != 2) return std::nullopt;
  m.x = square.inputs[0];
  const bool is_square = (square.op_type == "Pow" && norm::is_scalar_maybe_cast(e, square.inputs[1], 2.0)) ||
                         (square.op_type == "Mul" && square.inputs[1] == m.x);
  if (!is_square || !square.domain.empty()) return std::nullopt;
  // X - ReduceMean(X) is a LayerNorm numerator: FuseLayerNorm's.
  if (auto sub = e.match_parents(square, {{"Sub", 0}, {"ReduceMean", 1}});
      !sub.empty() && sub[1]->inputs[0] == sub[0]->inputs[0])
    return std::nullopt;
  const ir::Node* mean = e.only_child(square, "ReduceMean");
  if (!mean || !norm::reduces_last_axis(e, *mean)) return std::nullopt;
  const ir::Node* add_eps = e.only_child(*mean, "Add");
  if (!add_eps) return std::nullopt;
  const int at = norm::input_index(*add_eps, mean->outputs[0]);
  auto eps = at < 0 ? std::nullopt : e.scalar(add_eps->inputs[static_cast<size_t>(1 - at)]);
  if (!eps || *eps < 0) return std::nullopt;
  m.epsilon = static_cast<float>(*eps);
  const ir::Node* sqrt = e.only_child(*add_eps, "Sqrt");
  if (!sqrt) return std::nullopt;
  const ir::Node* inverse = e.only_child(*sqrt);
  if (!inverse) return std::nullopt;
  const ir::Node* normalize = nullptr;
  const ir::Node* second_cast = nullptr;  // a second Cast of X's source read by the product
  auto is_x = [&](const std::string& v) {
    if (!norm::same_up_to_cast(e, v, m.x)) return false;
    if (v != m.x) second_cast = e.producer(v);
    return true;
  };
  if (inverse->op_type == "Div" && inverse->inputs[1] == sqrt->outputs[0] && is_x(inverse->inputs[0])) {
    normalize = inverse;
    inverse = nullptr;
  } else if (inverse->op_type == "Reciprocal" || (inverse->op_type == "Div" && inverse->inputs[1] == sqrt->outputs[0] &&
                                                  norm::is_scalar(e, inverse->inputs[0], 1.0))) {
    normalize = e.only_child(*inverse, "Mul");
    if (!normalize) return std::nullopt;
    const int k = norm::input_index(*normalize, inverse->outputs[0]);
    if (k < 0 || !is_x(normalize->inputs[static_cast<size_t>(1 - k)])) return std::nullopt;
  } else {
    return std::nullopt;
  }
  for (const ir::Node* n : {&square, mean, add_eps, sqrt, inverse, normalize, second_cast})
    if (n) m.nodes.push_back(n);
  const ir::Node* last = normalize;
  DType out_type = e.dtype(m.x);
  if (const ir::Node* cast = e.only_child(*last, "Cast"); cast && norm::cast_target(*cast) != DType::kUndefined) {
    const ir::Node* mul = e.only_child(*cast, "Mul");
    const int k = mul ? norm::input_index(*mul, cast->outputs[0]) : -1;
    const Tensor* w = k < 0 ? nullptr : norm::float_vector(e, mul->inputs[static_cast<size_t>(1 - k)]);
    // Only the cast to the weight's dtype (`hidden.to(weight.dtype)`) belongs to the norm.
    if (w && w->dtype() == norm::cast_target(*cast)) {
      m.nodes.push_back(cast);
      out_type = norm::cast_target(*cast);
      last = cast;
    }
  }
  if (const ir::Node* mul = e.only_child(*last, "Mul")) {
    const int k = norm::input_index(*mul, last->outputs[0]);
    const std::string w = k < 0 ? std::string() : mul->inputs[static_cast<size_t>(1 - k)];
    if (!w.empty() && w != last->outputs[0] && norm::float_vector(e, w)) {
      m.weight = w;
      m.nodes.push_back(mul);
      last = mul;
    }
  }
  m.y = last->outputs[0];
  const int64_t d = norm::last_dim(e, m.x);
  m.hidden = m.weight.empty() ? d : e.constant(m.weight)->dim(0);
  if (m.hidden <= 0 || (d >= 0 && d != m.hidden) || (m.hidden == 1 && d != 1)) return std::nullopt;
  const DType xt = e.dtype(m.x);
  if (!norm::is_float_dtype(xt)) return std::nullopt;
  if (!m.weight.empty() && e.constant(m.weight)->dtype() != out_type) return std::nullopt;
  if (m.weight.empty() && xt != DType::kFloat32) return std::nullopt;
  if (!e.only_used_inside(m.nodes, {m.y})) return std::nullopt;
  return m;
}

class FuseSimplifiedLayerNormPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseSimplifiedLayerNorm"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!ctx.supports(graph, "SimplifiedLayerNormalization", "")) return ok_status();
    GraphEditor e(graph);
    int fused = 0;
    for (const ir::Node& node : graph.nodes) {
      if ((node.op_type != "Pow" && node.op_type != "Mul") || e.is_removed(node)) continue;
      auto m = match(e, node);
      if (!m || !norm::none_removed(e, m->nodes)) continue;
      std::string weight = m->weight;
      if (weight.empty()) weight = e.add_initializer(m->y + "_scale", norm::filled_vector(m->hidden, 1.f));
      ir::Node sln = make_node("SimplifiedLayerNormalization", "", {m->x, weight}, {m->y});
      sln.attributes["axis"] = int_attr(-1);
      sln.attributes["epsilon"] = float_attr(m->epsilon);
      e.remove(m->nodes);
      e.add(std::move(sln));
      ctx.record("SimplifiedLayerNormalization");
      ++fused;
    }
    if (fused == 0) return ok_status();
    e.commit();
    changed = true;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_simplified_layer_norm_pass() { return std::make_unique<FuseSimplifiedLayerNormPass>(); }

}  // namespace onyx::opt
