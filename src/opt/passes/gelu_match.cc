#include "src/opt/passes/gelu_match.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <utility>

namespace onyx::opt::gelu {

namespace {

constexpr int kMaxPowerX = 4;  // x^4 at most (x^3 is the highest GELU needs)
constexpr int kMaxPowerT = 1;  // t appears linearly
constexpr int kMaxDepth = 12;  // nodes between the expanded value and its leaves
constexpr double kRelTol = 1e-3;
constexpr double kZeroTol = 1e-6;

// sum c[i][j] * x^i * t^j
struct Poly {
  std::array<std::array<double, kMaxPowerT + 1>, kMaxPowerX + 1> c{};

  static Poly constant(double v) {
    Poly p;
    p.c[0][0] = v;
    return p;
  }
  bool is_constant() const {
    for (int i = 0; i <= kMaxPowerX; ++i)
      for (int j = 0; j <= kMaxPowerT; ++j)
        if ((i || j) && c[i][j] != 0.0) return false;
    return true;
  }
};

Poly add(const Poly& a, const Poly& b, double sign) {
  Poly r;
  for (int i = 0; i <= kMaxPowerX; ++i)
    for (int j = 0; j <= kMaxPowerT; ++j) r.c[i][j] = a.c[i][j] + sign * b.c[i][j];
  return r;
}

std::optional<Poly> mul(const Poly& a, const Poly& b) {
  Poly r;
  for (int i = 0; i <= kMaxPowerX; ++i)
    for (int j = 0; j <= kMaxPowerT; ++j) {
      if (a.c[i][j] == 0.0) continue;
      for (int k = 0; k <= kMaxPowerX; ++k)
        for (int l = 0; l <= kMaxPowerT; ++l) {
          if (b.c[k][l] == 0.0) continue;
          if (i + k > kMaxPowerX || j + l > kMaxPowerT) return std::nullopt;
          r.c[i + k][j + l] += a.c[i][j] * b.c[k][l];
        }
    }
  return r;
}

bool is_arithmetic(const ir::Node& n) {
  static const char* kOps[] = {"Add", "Sub", "Mul", "Div", "Pow", "Neg", "Identity"};
  return n.domain.empty() &&
         std::any_of(std::begin(kOps), std::end(kOps), [&](const char* op) { return n.op_type == op; });
}

// A single-element constant of rank <= 1 (broadcasting it cannot change the other operand's shape).
std::optional<double> small_scalar(const GraphEditor& editor, const std::string& value) {
  const Tensor* t = editor.constant(value);
  if (!t || t->shape().size() > 1) return std::nullopt;
  return editor.scalar(value);
}

// Expands `value` as a polynomial in the leaves `x` and `t` (t may be empty), collecting the nodes it walks through.
class Expander {
 public:
  Expander(const GraphEditor& editor, std::string x, std::string t)
      : editor_(editor), x_(std::move(x)), t_(std::move(t)) {}

  std::optional<Poly> expand(const std::string& value, int depth = 0) {
    if (value == x_) {
      Poly p;
      p.c[1][0] = 1.0;
      return p;
    }
    if (!t_.empty() && value == t_) {
      Poly p;
      p.c[0][1] = 1.0;
      return p;
    }
    if (auto s = small_scalar(editor_, value)) return Poly::constant(*s);
    const ir::Node* n = editor_.producer(value);
    if (!n || depth >= kMaxDepth || !is_arithmetic(*n) || n->outputs.size() != 1) return std::nullopt;
    if (std::find(nodes_.begin(), nodes_.end(), n) == nodes_.end()) nodes_.push_back(n);
    const std::string& op = n->op_type;
    if (op == "Identity" || op == "Neg") {
      if (!n->has_input(0)) return std::nullopt;
      auto a = expand(n->inputs[0], depth + 1);
      if (!a || op == "Identity") return a;
      return add(Poly{}, *a, -1.0);
    }
    if (!n->has_input(0) || !n->has_input(1)) return std::nullopt;
    if (op == "Pow") {
      auto e = small_scalar(editor_, n->inputs[1]);
      if (!e || *e < 0 || *e > kMaxPowerX || std::floor(*e) != *e) return std::nullopt;
      auto base = expand(n->inputs[0], depth + 1);
      if (!base) return std::nullopt;
      Poly r = Poly::constant(1.0);
      for (int k = 0; k < static_cast<int>(*e); ++k) {
        auto next = mul(r, *base);
        if (!next) return std::nullopt;
        r = *next;
      }
      return r;
    }
    auto a = expand(n->inputs[0], depth + 1);
    if (!a) return std::nullopt;
    auto b = expand(n->inputs[1], depth + 1);
    if (!b) return std::nullopt;
    if (op == "Add") return add(*a, *b, 1.0);
    if (op == "Sub") return add(*a, *b, -1.0);
    if (op == "Mul") return mul(*a, *b);
    // Div: only by a nonzero constant.
    if (!b->is_constant() || b->c[0][0] == 0.0) return std::nullopt;
    return mul(*a, Poly::constant(1.0 / b->c[0][0]));
  }

  const std::vector<const ir::Node*>& nodes() const { return nodes_; }

 private:
  const GraphEditor& editor_;
  const std::string x_;
  const std::string t_;
  std::vector<const ir::Node*> nodes_;
};

bool close_to(const Poly& p, const Poly& want) {
  for (int i = 0; i <= kMaxPowerX; ++i)
    for (int j = 0; j <= kMaxPowerT; ++j) {
      const double w = want.c[i][j];
      const double d = std::abs(p.c[i][j] - w);
      if (w == 0.0 ? d > kZeroTol : d > kRelTol * std::abs(w)) return false;
    }
  return true;
}

// Values the argument of t could be a function of: inputs of the arithmetic nodes above `value`, breadth first.
std::vector<std::string> variable_candidates(const GraphEditor& editor, const std::string& value) {
  std::vector<std::string> out;
  std::deque<std::pair<std::string, int>> queue{{value, 0}};
  while (!queue.empty() && out.size() < 16) {
    auto [v, depth] = queue.front();
    queue.pop_front();
    const ir::Node* n = editor.producer(v);
    if (!n || depth >= 6 || !is_arithmetic(*n)) continue;
    for (const auto& in : n->inputs) {
      if (in.empty() || editor.constant(in) || std::find(out.begin(), out.end(), in) != out.end()) continue;
      out.push_back(in);
      queue.emplace_back(in, depth + 1);
    }
  }
  return out;
}

}  // namespace

std::optional<Match> match_around(const GraphEditor& editor, const ir::Node& t, double scale, double cubic) {
  if (!t.has_input(0) || t.outputs.size() != 1 || t.outputs[0].empty()) return std::nullopt;
  Poly argument;
  argument.c[1][0] = scale;
  argument.c[3][0] = scale * cubic;
  Poly result;  // 0.5 x (1 + t)
  result.c[1][0] = 0.5;
  result.c[1][1] = 0.5;

  for (const std::string& x : variable_candidates(editor, t.inputs[0])) {
    Expander inner(editor, x, {});
    auto arg = inner.expand(t.inputs[0]);
    if (!arg || !close_to(*arg, argument)) continue;
    // Walk down the single-reader chain from t until the expression over (x, t) is the GELU.
    const ir::Node* cur = &t;
    for (int step = 0; step < 5; ++step) {
      // Each value on the chain is an intermediate: one reader, not a graph output (the last node's output may be).
      const ir::Node* next = editor.only_child(*cur);
      if (!next || !is_arithmetic(*next)) break;
      Expander outer(editor, x, t.outputs[0]);
      auto y = outer.expand(next->outputs[0]);
      if (y && close_to(*y, result)) {
        Match m;
        m.x = x;
        m.last = next;
        m.nodes = inner.nodes();
        m.nodes.push_back(&t);
        for (const ir::Node* n : outer.nodes())
          if (std::find(m.nodes.begin(), m.nodes.end(), n) == m.nodes.end()) m.nodes.push_back(n);
        for (const ir::Node* n : m.nodes)
          if (editor.is_removed(*n)) return std::nullopt;
        if (!editor.only_used_inside(m.nodes, {next->outputs[0]})) return std::nullopt;
        return m;
      }
      cur = next;
    }
  }
  return std::nullopt;
}

int fuse_all(GraphEditor& editor, PassContext& ctx, std::string_view function_op, double scale, double cubic,
             std::string_view fused_op) {
  const ir::Graph& graph = editor.graph();
  if (!ctx.supports(graph, fused_op, ir::kMsDomain)) return 0;
  int fused = 0;
  for (const ir::Node& node : graph.nodes) {
    if (node.op_type != function_op || !node.domain.empty() || editor.is_removed(node)) continue;
    auto m = match_around(editor, node, scale, cubic);
    if (!m || !is_float_or_unknown(editor.dtype(m->x))) continue;
    editor.remove(m->nodes);
    editor.add(
        make_node(std::string(fused_op), ir::kMsDomain, {m->x}, {m->last->outputs[0]}, fused_name(*m->last, fused_op)));
    ++fused;
  }
  if (fused > 0) {
    editor.ensure_opset(ir::kMsDomain, 1);
    ctx.record(fused_op, fused);
  }
  return fused;
}

int replace_onnx_gelu(GraphEditor& editor, PassContext& ctx, std::string_view approximate, std::string_view fused_op) {
  const ir::Graph& graph = editor.graph();
  if (!ctx.supports(graph, fused_op, ir::kMsDomain) || ctx.supports(graph, "Gelu", ir::kOnnxDomain)) return 0;
  int replaced = 0;
  for (const ir::Node& node : graph.nodes) {
    if (node.op_type != "Gelu" || !node.domain.empty() || editor.is_removed(node)) continue;
    if (!node.has_input(0) || node.outputs.size() != 1 || node.attr_string("approximate", "none") != approximate)
      continue;
    editor.remove(node);
    editor.add(make_node(std::string(fused_op), ir::kMsDomain, {node.inputs[0]}, {node.outputs[0]},
                         fused_name(node, fused_op)));
    ++replaced;
  }
  if (replaced > 0) {
    editor.ensure_opset(ir::kMsDomain, 1);
    ctx.record(fused_op, replaced);
  }
  return replaced;
}

std::string fused_name(const ir::Node& last, std::string_view op) {
  const size_t slash = last.name.rfind('/');
  return (slash == std::string::npos ? std::string() : last.name.substr(0, slash + 1)) + std::string(op);
}

bool is_float_or_unknown(DType dtype) {
  return dtype == DType::kUndefined || dtype == DType::kFloat32 || dtype == DType::kFloat16 ||
         dtype == DType::kBFloat16;
}

}  // namespace onyx::opt::gelu
