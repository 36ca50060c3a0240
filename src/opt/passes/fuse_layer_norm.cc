// FuseLayerNorm: the decomposed layer normalization torch exports before opset 17 -> LayerNormalization.
//
//        +----------------------------------------------+
//        |                                              v
//   X --+--> ReduceMean --> Sub --[Cast]--+--> Pow(2) --> ReduceMean --> Add(eps) --> Sqrt --+
//   (last axis)             ^   |         |    or Mul(d, d)  (last axis)                      |
//        +------------------+   |         +---------------------------------+                 v
//                               |                                            Div(d, sqrt)  or  Mul(d, Reciprocal(sqrt))
//                               |                                                  |            or Mul(d, Div(1, sqrt))
//                               +--(a second Sub(X, mean) may feed the Div)        v
//                                                                   [Cast back] --> Mul(gamma) --> [Add(beta)] --> Y
//
//   => LayerNormalization(X, gamma[, beta]) -> Y      (domain "", axis=-1, epsilon=eps; emitted below opset 17 too,
//                                                       as ONNX Runtime does)
//
// The Casts are fp16 exports computing the statistics in fp32. Mul and Add take their operands in either order.
// gamma and beta are 1-D constants of the hidden size. Without a Mul(gamma) the scale is ones (hidden size must be
// static). The axes are the last axis only (axes attribute, or a constant axes input at opset 18).
#include <algorithm>

#include "src/opt/passes/norm_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

struct LayerNormMatch {
  std::vector<const ir::Node*> nodes;
  std::string x, gamma, beta, y;
  int64_t hidden = -1;
  float epsilon = 0;
};

// Consumers of `value` with op type `op`.
std::vector<const ir::Node*> consumers_of(const GraphEditor& e, const std::string& value, std::string_view op) {
  std::vector<const ir::Node*> out;
  for (const ir::Node* c : e.consumers(value))
    if (c->op_type == op && c->domain.empty()) out.push_back(c);
  return out;
}

// Squares `d`: Pow(d, 2) or Mul(d, d).
bool is_square_of(const GraphEditor& e, const ir::Node& n, const std::string& d) {
  if (n.op_type == "Pow")
    return n.inputs.size() == 2 && n.inputs[0] == d && norm::is_scalar_maybe_cast(e, n.inputs[1], 2.0);
  if (n.op_type == "Mul") return n.inputs.size() == 2 && n.inputs[0] == d && n.inputs[1] == d;
  return false;
}

std::optional<LayerNormMatch> match(const GraphEditor& e, const ir::Node& mean) {
  if (!norm::reduces_last_axis(e, mean)) return std::nullopt;
  LayerNormMatch m;
  m.x = mean.inputs[0];
  m.nodes.push_back(&mean);
  // Sub(X, mean): one or two of them.
  std::vector<std::string> numerators;  // values holding X - mean (Sub outputs and Casts of them)
  for (const ir::Node* c : e.consumers(mean.outputs[0])) {
    if (c->op_type != "Sub" || c->inputs.size() != 2 || c->inputs[0] != m.x || c->inputs[1] != mean.outputs[0])
      return std::nullopt;
    m.nodes.push_back(c);
    numerators.push_back(c->outputs[0]);
  }
  if (numerators.empty() || numerators.size() > 2) return std::nullopt;
  const size_t subs = numerators.size();
  for (size_t i = 0; i < subs; ++i)
    for (const ir::Node* c : consumers_of(e, numerators[i], "Cast"))
      if (norm::cast_target(*c) != DType::kUndefined) numerators.push_back(c->outputs[0]);
  auto is_numerator = [&](const std::string& v) {
    return std::find(numerators.begin(), numerators.end(), v) != numerators.end();
  };
  // Variance path: square -> ReduceMean -> Add(eps) -> Sqrt.
  const ir::Node* square = nullptr;
  for (const std::string& d : numerators)
    for (const ir::Node* c : e.consumers(d))
      if (!square && is_square_of(e, *c, d)) square = c;
  if (!square) return std::nullopt;
  const ir::Node* var = e.only_child(*square, "ReduceMean");
  if (!var || !norm::reduces_last_axis(e, *var)) return std::nullopt;
  const ir::Node* add_eps = e.only_child(*var, "Add");
  if (!add_eps) return std::nullopt;
  const int var_at = norm::input_index(*add_eps, var->outputs[0]);
  auto eps = e.scalar(add_eps->inputs[static_cast<size_t>(1 - var_at)]);
  if (var_at < 0 || !eps || *eps < 0) return std::nullopt;
  m.epsilon = static_cast<float>(*eps);
  const ir::Node* sqrt = e.only_child(*add_eps, "Sqrt");
  if (!sqrt) return std::nullopt;
  // Normalization: Div(d, sqrt), or Mul(d, 1/sqrt) with 1/sqrt = Reciprocal(sqrt) or Div(1, sqrt).
  const ir::Node* normalize = nullptr;
  const ir::Node* inverse = e.only_child(*sqrt);
  if (!inverse) return std::nullopt;
  if (inverse->op_type == "Div" && inverse->inputs[1] == sqrt->outputs[0] && is_numerator(inverse->inputs[0])) {
    normalize = inverse;
    inverse = nullptr;
  } else if ((inverse->op_type == "Reciprocal") ||
             (inverse->op_type == "Div" && inverse->inputs[1] == sqrt->outputs[0] &&
              norm::is_scalar(e, inverse->inputs[0], 1.0))) {
    normalize = e.only_child(*inverse, "Mul");
    if (!normalize) return std::nullopt;
    const int at = norm::input_index(*normalize, inverse->outputs[0]);
    if (at < 0 || !is_numerator(normalize->inputs[static_cast<size_t>(1 - at)])) return std::nullopt;
  } else {
    return std::nullopt;
  }
  for (const ir::Node* n : {square, var, add_eps, sqrt, inverse, normalize})
    if (n) m.nodes.push_back(n);
  for (const std::string& d : numerators)  // the Casts of the numerator
    if (const ir::Node* p = e.producer(d); p && p->op_type == "Cast") m.nodes.push_back(p);
  // Optional Cast back, then Mul(gamma), then Add(beta).
  const ir::Node* last = normalize;
  DType cast_back = DType::kUndefined;
  if (const ir::Node* cast = e.only_child(*last, "Cast"); cast && norm::cast_target(*cast) != DType::kUndefined) {
    m.nodes.push_back(cast);
    cast_back = norm::cast_target(*cast);
    last = cast;
  }
  if (const ir::Node* mul = e.only_child(*last, "Mul")) {
    const int at = norm::input_index(*mul, last->outputs[0]);
    const std::string& g = mul->inputs[static_cast<size_t>(1 - at)];
    if (at >= 0 && norm::float_vector(e, g) && g != last->outputs[0]) {
      m.gamma = g;
      m.nodes.push_back(mul);
      last = mul;
    }
  }
  if (!m.gamma.empty()) {
    m.hidden = e.constant(m.gamma)->dim(0);
    if (const ir::Node* add = e.only_child(*last, "Add")) {
      const int at = norm::input_index(*add, last->outputs[0]);
      if (at >= 0 && norm::float_vector(e, add->inputs[static_cast<size_t>(1 - at)], m.hidden)) {
        m.beta = add->inputs[static_cast<size_t>(1 - at)];
        m.nodes.push_back(add);
        last = add;
      }
    }
  }
  m.y = last->outputs[0];
  // Shapes and types: the scale covers the last axis; the fused op returns X's dtype.
  const int64_t d = norm::last_dim(e, m.x);
  if (m.hidden < 0) m.hidden = d;
  if (m.hidden <= 0 || (d >= 0 && d != m.hidden) || (m.hidden == 1 && d != 1)) return std::nullopt;
  const DType xt = e.dtype(m.x), yt = e.dtype(m.y);
  if (!norm::is_float_dtype(xt) || (yt != DType::kUndefined && yt != xt)) return std::nullopt;
  // A numerator Cast (statistics in another precision) needs the Cast back to X's dtype, and only then.
  bool cast_up = false;
  for (size_t i = subs; i < numerators.size(); ++i)
    if (norm::cast_target(*e.producer(numerators[i])) != xt) cast_up = true;
  if (cast_up != (cast_back != DType::kUndefined) || (cast_up && cast_back != xt)) return std::nullopt;
  for (const std::string& p : {m.gamma, m.beta})
    if (!p.empty() && e.constant(p)->dtype() != xt) return std::nullopt;
  if (m.gamma.empty() && xt != DType::kFloat32) return std::nullopt;
  if (!e.only_used_inside(m.nodes, {m.y})) return std::nullopt;
  return m;
}

class FuseLayerNormPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseLayerNorm"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!ctx.supports(graph, "LayerNormalization", "")) return ok_status();
    GraphEditor e(graph);
    int fused = 0;
    for (const ir::Node& node : graph.nodes) {
      if (node.op_type != "ReduceMean" || e.is_removed(node)) continue;
      auto m = match(e, node);
      if (!m || !norm::none_removed(e, m->nodes)) continue;
      std::string gamma = m->gamma;
      if (gamma.empty()) gamma = e.add_initializer(m->y + "_scale", norm::filled_vector(m->hidden, 1.f));
      std::vector<std::string> inputs = {m->x, gamma};
      if (!m->beta.empty()) inputs.push_back(m->beta);
      ir::Node ln = make_node("LayerNormalization", "", std::move(inputs), {m->y});
      ln.attributes["axis"] = int_attr(-1);
      ln.attributes["epsilon"] = float_attr(m->epsilon);
      e.remove(m->nodes);
      e.add(std::move(ln));
      ctx.record("LayerNormalization");
      ++fused;
    }
    if (fused == 0) return ok_status();
    e.commit();
    changed = true;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_layer_norm_pass() { return std::make_unique<FuseLayerNormPass>(); }

}  // namespace onyx::opt
