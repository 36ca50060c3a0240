#include "src/opt/passes/attention_match.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <set>

namespace onyx::opt::attn {

namespace {

bool is_scalar_mul_div(const ir::Node& n) { return n.domain.empty() && (n.op_type == "Mul" || n.op_type == "Div"); }

const std::vector<int64_t>* perm_of(const ir::Node& n, std::vector<int64_t>& storage) {
  if (n.op_type != "Transpose") return nullptr;
  storage = n.attr_ints("perm");
  return &storage;
}

bool has_perm(const ir::Node& n, std::initializer_list<int64_t> want) {
  std::vector<int64_t> p;
  return perm_of(n, p) && std::equal(p.begin(), p.end(), want.begin(), want.end());
}

// Number of heads a Reshape to [B, S, N, D] names: constant shape, Concat of 4 parts, or the output's static dim 2.
int64_t reshape_heads(const GraphEditor& e, const ir::Node& reshape) {
  if (reshape.has_input(1)) {
    if (auto v = e.int_values(reshape.inputs[1]); v && v->size() == 4 && (*v)[2] > 0) return (*v)[2];
    const ir::Node* c = e.producer(reshape.inputs[1]);
    // Concat parts: constants, or Unsqueeze(Constant) when the export was not constant-folded.
    if (c && c->op_type == "Concat" && c->inputs.size() == 4)
      if (auto v = eval_scalar(e, c->inputs[2]); v && *v > 0) return static_cast<int64_t>(*v);
  }
  const ValueInfo* vi = e.info(reshape.outputs[0]);
  if (vi && vi->has_shape && vi->shape.size() == 4 && vi->shape[2].is_fixed()) return vi->shape[2].value;
  return 0;
}


// Peels scalar Mul/Div nodes off `value` (walking upward), multiplying `scale`. A Mul/Div whose other operand is not
// constant yet is taken as a pending scale when its data operand is produced by `next_op` (the op the path expects
// next), so SDPA's shape-derived scale is recognised.
std::string peel_scales(const GraphEditor& e, std::string value, HeadSplit& s, bool allow,
                        std::initializer_list<std::string_view> next_ops) {
  while (allow) {
    const ir::Node* p = e.producer(value);
    if (!p || !is_scalar_mul_div(*p) || p->inputs.size() != 2) break;
    if (auto m = match_scale(e, *p)) {
      s.nodes.push_back(p);
      s.scale *= m->second;
      value = m->first;
      continue;
    }
    int data = -1;
    for (int i = 0; i < 2 && data < 0; ++i) {
      if (p->op_type == "Div" && i == 1) break;
      const ir::Node* d = e.producer(p->inputs[i]);
      if (d && std::find(next_ops.begin(), next_ops.end(), d->op_type) != next_ops.end()) data = i;
    }
    if (data < 0) break;
    s.nodes.push_back(p);
    s.pending_scales.emplace_back(p->inputs[1 - data], p->op_type == "Div" ? -1 : 1);
    value = p->inputs[data];
  }
  return value;
}

// Symbolic evaluation of a mask chain for one value of the raw mask (see match_padding_mask_term).
struct MaskEval {
  MaskEval(const GraphEditor& editor, double mask_value) : e(editor), m(mask_value) {}
  const GraphEditor& e;
  double m = 0;     // the raw mask value
  std::string raw;  // the raw input found (must be unique)
  bool failed = false;

  std::optional<double> eval(const std::string& value, int depth) {
    if (depth > 24 || failed) return std::nullopt;
    if (e.is_graph_input(value)) {
      // Evaluating at 0 and 1 proves the equivalence for 0/1 masks only: token ids (read as Gather indices, e.g.
      // Cast(input_ids != pad)) are not a mask input.
      if (e.rank(value) != 2u) return std::nullopt;
      for (const ir::Node* c : e.consumers(value))
        if (c->op_type == "Gather" && c->inputs.size() > 1 && c->inputs[1] == value) return std::nullopt;
      if (!raw.empty() && raw != value) return std::nullopt;
      raw = value;
      return m;
    }
    if (auto c = e.scalar(value)) return c;
    const ir::Node* p = e.producer(value);
    if (!p || !p->domain.empty()) return std::nullopt;
    const std::string& op = p->op_type;
    if (op == "Unsqueeze" || op == "Reshape" || op == "Expand" || op == "Squeeze" || op == "Identity")
      return eval(p->inputs[0], depth + 1);
    if (op == "ConstantOfShape") {
      const ir::Attribute* a = p->find_attribute("value");
      if (!a) return 0.0;
      if (a->kind != ir::Attribute::Kind::kTensor || a->t.numel() != 1) return std::nullopt;
      auto tmp = a->t;
      if (tmp.dtype() == DType::kFloat32) return tmp.data<float>()[0];
      if (tmp.dtype() == DType::kInt64) return static_cast<double>(tmp.data<int64_t>()[0]);
      if (tmp.dtype() == DType::kInt32) return tmp.data<int32_t>()[0];
      if (tmp.dtype() == DType::kBool) return tmp.data<bool>()[0] ? 1.0 : 0.0;
      return std::nullopt;
    }
    if (op == "Cast") {
      auto x = eval(p->inputs[0], depth + 1);
      if (!x) return x;
      const auto to = static_cast<DType>(p->attr_int("to", 0));
      switch (to) {
        case DType::kBool:
          return *x != 0 ? 1.0 : 0.0;
        case DType::kFloat32:
        case DType::kFloat16:
        case DType::kBFloat16:
          return static_cast<double>(static_cast<float>(*x));
        case DType::kFloat64:
          return *x;
        default:
          return std::isfinite(*x) ? std::trunc(*x) : *x;
      }
    }
    if (op == "Not") {
      auto x = eval(p->inputs[0], depth + 1);
      return x ? std::optional<double>(*x == 0 ? 1.0 : 0.0) : std::nullopt;
    }
    if (op == "Neg") {
      auto x = eval(p->inputs[0], depth + 1);
      return x ? std::optional<double>(-*x) : std::nullopt;
    }
    if (op == "Where") {
      auto c = eval(p->inputs[0], depth + 1);
      auto a = eval(p->inputs[1], depth + 1);
      auto b = eval(p->inputs[2], depth + 1);
      if (!c || !a || !b) return std::nullopt;
      return *c != 0 ? a : b;
    }
    if (p->inputs.size() != 2) return std::nullopt;
    auto a = eval(p->inputs[0], depth + 1);
    auto b = eval(p->inputs[1], depth + 1);
    if (!a || !b) return std::nullopt;
    // Arithmetic in float32, as the exported graphs compute it.
    const float fa = static_cast<float>(*a), fb = static_cast<float>(*b);
    if (op == "Add") return static_cast<double>(fa + fb);
    if (op == "Sub") return static_cast<double>(fa - fb);
    if (op == "Mul") return static_cast<double>(fa * fb);
    if (op == "Div") return fb == 0 ? std::nullopt : std::optional<double>(fa / fb);
    if (op == "Equal") return *a == *b ? 1.0 : 0.0;
    if (op == "Less") return *a < *b ? 1.0 : 0.0;
    if (op == "Greater") return *a > *b ? 1.0 : 0.0;
    if (op == "LessOrEqual") return *a <= *b ? 1.0 : 0.0;
    if (op == "GreaterOrEqual") return *a >= *b ? 1.0 : 0.0;
    if (op == "And") return (*a != 0 && *b != 0) ? 1.0 : 0.0;
    if (op == "Or") return (*a != 0 || *b != 0) ? 1.0 : 0.0;
    return std::nullopt;
  }
};

// Axes of an Unsqueeze (attribute before opset 13, input after).
std::optional<std::vector<int64_t>> unsqueeze_axes(const GraphEditor& e, const ir::Node& n) {
  if (n.has_input(1)) return e.int_values(n.inputs[1]);
  if (n.has_attribute("axes")) return n.attr_ints("axes");
  return std::nullopt;
}

// True when `value` evaluates to one constant whatever the mask (MaskEval meets no graph input).
bool is_constant_valued(const GraphEditor& e, const std::string& value) {
  MaskEval ev(e, 0.0);
  return ev.eval(value, 0).has_value() && ev.raw.empty();
}

// An upper bound of the rank of `value`: declared/inferred, or the length of a ConstantOfShape / Expand shape.
std::optional<size_t> rank_bound(const GraphEditor& e, const std::string& value) {
  if (auto r = e.rank(value)) return r;
  const ir::Node* p = e.producer(value);
  if (!p || (p->op_type != "ConstantOfShape" && p->op_type != "Expand")) return std::nullopt;
  const std::string& shape = p->op_type == "Expand" ? p->inputs[1] : p->inputs[0];
  size_t n = 0;
  if (auto v = e.int_values(shape)) {
    n = v->size();
  } else if (const ir::Node* c = e.producer(shape); c && c->op_type == "Concat") {
    for (const auto& part : c->inputs) {
      auto pv = e.int_values(part);
      auto pr = e.rank(part);
      const ValueInfo* vi = e.info(part);
      if (pv)
        n += pv->size();
      else if (pr == 1u && vi->shape[0].is_fixed())
        n += static_cast<size_t>(vi->shape[0].value);
      else
        n += 1;  // Unsqueeze of a scalar dimension
    }
  } else if (const ValueInfo* vi = e.info(shape);
             vi && vi->has_shape && vi->shape.size() == 1 && vi->shape[0].is_fixed()) {
    n = static_cast<size_t>(vi->shape[0].value);
  } else {
    return std::nullopt;
  }
  if (p->op_type == "Expand") {
    auto in = e.rank(p->inputs[0]);
    if (!in && !e.scalar(p->inputs[0])) return std::nullopt;
    n = std::max(n, in.value_or(0));
  }
  return n;
}

// Checks that the raw [B, T] mask reaches `value` laid out as [B, 1, 1, T] (B on axis 0, T on axis 3, rank 4).
// Walks the chain of layout-changing ops from `value` to `raw`; elementwise ops keep the layout of their operand
// that carries the mask (the one that is not a scalar).
bool mask_layout_ok(const GraphEditor& e, const std::string& value, const std::string& raw, int depth = 0) {
  if (depth > 24) return false;
  if (value == raw) return false;  // the raw mask itself is [B, T], not [B, 1, 1, T]
  // Layout of a value on the path from the raw mask: its rank and the axes holding B and T.
  struct Layout {
    size_t rank;
    int64_t b, t;
  };
  std::function<std::optional<Layout>(const std::string&, int)> layout = [&](const std::string& v,
                                                                             int d) -> std::optional<Layout> {
    if (d > 24) return std::nullopt;
    if (v == raw) return Layout{2, 0, 1};
    if (e.scalar(v)) return std::nullopt;
    const ir::Node* n = e.producer(v);
    if (!n) return std::nullopt;
    const std::string& op = n->op_type;
    if (op == "Unsqueeze") {
      auto in = layout(n->inputs[0], d + 1);
      auto axes = unsqueeze_axes(e, *n);
      if (!in || !axes) return std::nullopt;
      const int64_t out_rank = static_cast<int64_t>(in->rank + axes->size());
      std::vector<int64_t> ax = *axes;
      for (auto& a : ax) a = a < 0 ? a + out_rank : a;
      std::sort(ax.begin(), ax.end());
      // Map input axes to output axes.
      std::vector<int64_t> map;
      for (int64_t o = 0; o < out_rank; ++o)
        if (!std::binary_search(ax.begin(), ax.end(), o)) map.push_back(o);
      if (map.size() != in->rank) return std::nullopt;
      return Layout{static_cast<size_t>(out_rank), map[in->b], map[in->t]};
    }
    if (op == "Reshape") {
      auto in = layout(n->inputs[0], d + 1);
      if (!in || in->rank != 2) return std::nullopt;
      // Only [B, T] -> [B, 1, 1, T]: dims 1 and 2 must be literal 1 (constant shape or Concat parts).
      std::vector<std::optional<int64_t>> dims;
      if (auto c = e.int_values(n->inputs[1])) {
        for (int64_t x : *c) dims.push_back(x);
      } else if (const ir::Node* cat = e.producer(n->inputs[1]); cat && cat->op_type == "Concat") {
        for (const auto& part : cat->inputs) {
          auto pv = e.int_values(part);
          if (pv && pv->size() != 1) return std::nullopt;
          if (pv) {
            dims.push_back((*pv)[0]);
          } else if (auto c = eval_scalar(e, part)) {  // Unsqueeze(Constant) in exports without folding
            dims.push_back(static_cast<int64_t>(*c));
          } else {
            dims.push_back(std::nullopt);
          }
        }
      }
      if (dims.size() != 4 || dims[1] != 1 || dims[2] != 1) return std::nullopt;
      return Layout{4, 0, 3};
    }
    if (op == "Expand") {
      auto in = layout(n->inputs[0], d + 1);
      if (!in || in->rank != 4) return std::nullopt;  // broadcasting a rank-4 tensor keeps its axes
      return in;
    }
    if (op == "Cast" || op == "Not" || op == "Neg" || op == "Identity") return layout(n->inputs[0], d + 1);
    if (op == "Where" || n->inputs.size() == 2) {
      // Elementwise: the mask-carrying operand gives the layout; the others must be scalars (rank-0/1 constants).
      // Constant-valued operands (scalars, ConstantOfShape, Expand of a scalar: transformers >= 4.53 builds the
      // bidirectional mask as all-true [S, T] * padding [B, 1, 1, T]) do not move the mask's axes as long as their
      // rank is at most 4.
      std::optional<Layout> found;
      for (const auto& in : n->inputs) {
        if (e.scalar(in)) continue;
        if (is_constant_valued(e, in)) {
          auto r = rank_bound(e, in);
          if (!r || *r > 4) return std::nullopt;
          continue;
        }
        auto l = layout(in, d + 1);
        if (!l || (found && (found->rank != l->rank || found->b != l->b || found->t != l->t))) return std::nullopt;
        found = l;
      }
      return found;
    }
    return std::nullopt;
  };
  auto l = layout(value, depth);
  return l && l->rank == 4 && l->b == 0 && l->t == 3;
}

// A constant, looking through Identity nodes (ALBERT's shared layer reads its weights through Identity).
const Tensor* constant_through_identity(const GraphEditor& e, const std::string& value) {
  std::string v = value;
  for (int guard = 0; guard < 8; ++guard) {
    if (const Tensor* t = e.constant(v)) return t;
    const ir::Node* p = e.producer(v);
    if (!p || p->op_type != "Identity" || !p->domain.empty()) return nullptr;
    v = p->inputs[0];
  }
  return nullptr;
}

// A 2-D weight: a constant (through Identity), or Transpose(perm [1, 0]) of one (exports without constant folding
// keep nn.Linear's W^T as a Transpose node). `transposed` says which.
const Tensor* weight_source(const GraphEditor& e, const std::string& value, bool& transposed) {
  transposed = false;
  if (const Tensor* t = constant_through_identity(e, value)) return t;
  const ir::Node* p = e.producer(value);
  if (!p || p->op_type != "Transpose" || !p->domain.empty()) return nullptr;
  const std::vector<int64_t> perm = p->attr_ints("perm", {1, 0});
  if (perm != std::vector<int64_t>{1, 0}) return nullptr;
  const Tensor* t = constant_through_identity(e, p->inputs[0]);
  if (!t || t->shape().size() != 2) return nullptr;
  transposed = true;
  return t;
}

}  // namespace

// Rank of a Reshape's target: constant shape length, Concat input count, or the output's declared rank.
std::optional<size_t> reshape_rank(const GraphEditor& e, const ir::Node& reshape) {
  if (reshape.has_input(1)) {
    if (auto v = e.int_values(reshape.inputs[1])) return v->size();
    const ir::Node* c = e.producer(reshape.inputs[1]);
    if (c && c->op_type == "Concat") {
      size_t n = 0;
      for (const auto& in : c->inputs) {
        auto v = e.int_values(in);
        const ValueInfo* vi = e.info(in);
        const ir::Node* part = e.producer(in);
        if (v) {
          n += v->size();
        } else if (vi && vi->has_shape && vi->shape.size() == 1 && vi->shape[0].is_fixed()) {
          n += vi->shape[0].value;
        } else if (part && part->op_type == "Slice" && part->has_input(2)) {
          // Shape(x)[start:end] (ALBERT: x.size()[:-2] + (all_head_size,)) with constant bounds.
          auto st = e.int_values(part->inputs[1]);
          auto en = e.int_values(part->inputs[2]);
          if (!st || !en || st->size() != 1 || en->size() != 1 || (*st)[0] < 0 || (*en)[0] < (*st)[0] || (*en)[0] > 8)
            return std::nullopt;
          n += (*en)[0] - (*st)[0];
        } else {
          n += 1;  // Unsqueeze of a scalar dimension (the common case)
        }
      }
      return n;
    }
  }
  return e.rank(reshape.outputs[0]);
}

std::string Projection::output() const { return bias_add ? bias_add->outputs[0] : matmul->outputs[0]; }

std::optional<Tensor> Projection::weight_value(const GraphEditor& e) const {
  bool transposed = false;
  const Tensor* t = weight_source(e, weight, transposed);
  if (!t || t->shape().size() != 2) return std::nullopt;
  if (!transposed) return *t;
  const int64_t rows = t->shape()[0], cols = t->shape()[1];
  Tensor out = Tensor::empty(t->dtype(), {cols, rows});
  const size_t es = dtype_size(t->dtype());
  const auto* src = static_cast<const char*>(t->raw_data());
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(dst + static_cast<size_t>(c * rows + r) * es, src + static_cast<size_t>(r * cols + c) * es, es);
  return out;
}
const Tensor* Projection::bias_tensor(const GraphEditor& e) const {
  return bias.empty() ? nullptr : constant_through_identity(e, bias);
}

std::optional<Projection> match_projection(const GraphEditor& e, const std::string& value) {
  Projection p;
  const ir::Node* n = e.producer(value);
  if (!n || !n->domain.empty()) return std::nullopt;
  if (n->op_type == "Add") {
    for (int i = 0; i < 2 && !p.matmul; ++i) {
      const ir::Node* mm = e.parent(*n, static_cast<size_t>(i), "MatMul");
      const Tensor* b = constant_through_identity(e, n->inputs[1 - i]);
      if (mm && b && b->shape().size() == 1) {
        p.matmul = mm;
        p.bias_add = n;
        p.bias = n->inputs[1 - i];
      }
    }
    if (!p.matmul) return std::nullopt;
  } else if (n->op_type == "MatMul") {
    p.matmul = n;
  } else {
    return std::nullopt;
  }
  bool transposed = false;
  const Tensor* w = weight_source(e, p.matmul->inputs[1], transposed);
  if (!w || w->shape().size() != 2) return std::nullopt;
  p.input = p.matmul->inputs[0];
  p.weight = p.matmul->inputs[1];
  p.in_features = w->shape()[transposed ? 1 : 0];
  p.out_features = w->shape()[transposed ? 0 : 1];
  if (p.bias_add) {
    const Tensor* b = constant_through_identity(e, p.bias);
    if (b->numel() != p.out_features || b->dtype() != w->dtype()) return std::nullopt;
  }
  return p;
}

std::optional<HeadSplit> match_head_split(const GraphEditor& e, const std::string& value, HeadLayout layout,
                                          bool allow_scale) {
  HeadSplit s;
  std::string v = peel_scales(e, value, s, allow_scale, {"Transpose"});
  const ir::Node* t = e.producer(v);
  if (!t || t->op_type != "Transpose") return std::nullopt;
  s.nodes.push_back(t);
  if (layout == HeadLayout::kHeadsFirst) {
    if (!has_perm(*t, {0, 2, 1, 3})) return std::nullopt;
    s.head_size_values.push_back(t->outputs[0]);
  } else if (has_perm(*t, {0, 1, 3, 2})) {
    // SDPA style: k^T = Transpose[0,1,3,2](k heads-first), possibly scaled in between.
    std::string inner = peel_scales(e, t->inputs[0], s, allow_scale, {"Transpose"});
    const ir::Node* t2 = e.producer(inner);
    if (!t2 || !has_perm(*t2, {0, 2, 1, 3})) return std::nullopt;
    s.nodes.push_back(t2);
    s.head_size_values.push_back(t2->outputs[0]);
    t = t2;
  } else if (!has_perm(*t, {0, 2, 3, 1})) {
    return std::nullopt;
  }
  v = peel_scales(e, t->inputs[0], s, allow_scale, {"Reshape"});
  const ir::Node* r = e.producer(v);
  if (!r || r->op_type != "Reshape") return std::nullopt;
  s.nodes.push_back(r);
  s.reshape = r;
  s.head_size_values.push_back(r->outputs[0]);
  s.num_heads = reshape_heads(e, *r);
  v = peel_scales(e, r->inputs[0], s, allow_scale, {"Add", "MatMul"});
  auto proj = match_projection(e, v);
  if (!proj) return std::nullopt;
  s.proj = *proj;
  return s;
}

std::optional<double> resolve_scales(const GraphEditor& e, const std::vector<std::pair<std::string, int>>& pending,
                                     const std::vector<std::string>& head_size_values, int64_t head_size) {
  std::vector<std::pair<std::string, int64_t>> known;
  for (const auto& v : head_size_values) known.emplace_back(v, head_size);
  double scale = 1.0;
  for (const auto& [value, exponent] : pending) {
    auto c = eval_scalar(e, value, known);
    if (!c || !std::isfinite(*c) || *c == 0) return std::nullopt;
    scale *= exponent > 0 ? *c : 1.0 / *c;
  }
  return scale;
}

std::optional<std::pair<const ir::Node*, const ir::Node*>> match_head_merge(const GraphEditor& e,
                                                                            const std::string& value) {
  const auto& c = e.consumers(value);
  if (c.size() != 1 || e.is_graph_output(value) || !has_perm(*c[0], {0, 2, 1, 3})) return std::nullopt;
  const ir::Node* t = c[0];
  // The Transpose output may also feed Shape nodes computing the Reshape target.
  const ir::Node* reshape = nullptr;
  for (const ir::Node* n : e.consumers(t->outputs[0])) {
    if (n->op_type == "Reshape" && n->inputs[0] == t->outputs[0]) {
      if (reshape) return std::nullopt;
      reshape = n;
    } else if (n->op_type != "Shape") {
      return std::nullopt;
    }
  }
  if (!reshape || reshape_rank(e, *reshape) != 3u) return std::nullopt;
  return std::make_pair(t, reshape);
}

std::optional<double> eval_scalar(const GraphEditor& e, const std::string& value,
                                  const std::vector<std::pair<std::string, int64_t>>& known_last_dim) {
  std::function<std::optional<double>(const std::string&, int)> eval = [&](const std::string& v,
                                                                           int depth) -> std::optional<double> {
    if (depth > 16) return std::nullopt;
    if (auto c = e.scalar(v)) return c;
    const ir::Node* p = e.producer(v);
    if (!p || !p->domain.empty()) return std::nullopt;
    const std::string& op = p->op_type;
    if (op == "Gather" || op == "Slice") {
      // Shape(x)[i] as a scalar (Gather) or one-element slice.
      const ir::Node* shape = e.parent(*p, 0, "Shape");
      if (!shape || shape->has_attribute("start") || shape->has_attribute("end")) return std::nullopt;
      int64_t index = 0;
      if (op == "Gather") {
        auto idx = e.int_values(p->inputs[1]);
        if (!idx || idx->size() != 1) return std::nullopt;
        index = (*idx)[0];
      } else {
        auto st = p->has_input(1) ? e.int_values(p->inputs[1]) : std::nullopt;
        auto en = p->has_input(2) ? e.int_values(p->inputs[2]) : std::nullopt;
        if (!st || st->size() != 1 || !en || en->size() != 1) return std::nullopt;
        if (p->has_input(3) || p->has_input(4)) {
          auto ax = p->has_input(3) ? e.int_values(p->inputs[3]) : std::optional<std::vector<int64_t>>{{0}};
          auto stp = p->has_input(4) ? e.int_values(p->inputs[4]) : std::optional<std::vector<int64_t>>{{1}};
          if (!ax || ax->size() != 1 || (*ax)[0] != 0 || !stp || stp->size() != 1 || (*stp)[0] != 1)
            return std::nullopt;
        }
        index = (*st)[0];
        const int64_t end = (*en)[0];
        const bool one = index == -1 ? end >= INT32_MAX : end == index + 1;
        if (!one) return std::nullopt;
      }
      const std::string& x = shape->inputs[0];
      const ValueInfo* vi = e.info(x);
      if (vi && vi->has_shape) {
        const int64_t r = static_cast<int64_t>(vi->shape.size());
        const int64_t i = index < 0 ? index + r : index;
        if (i >= 0 && i < r && vi->shape[i].is_fixed()) return static_cast<double>(vi->shape[i].value);
        if (i != r - 1) return std::nullopt;
      }
      if (index == -1 || (vi && vi->has_shape && index == static_cast<int64_t>(vi->shape.size()) - 1))
        for (const auto& [name, dim] : known_last_dim)
          if (name == x) return static_cast<double>(dim);
      return std::nullopt;
    }
    if (op == "Cast" || op == "Sqrt" || op == "Reciprocal" || op == "Neg" || op == "Squeeze" || op == "Unsqueeze" ||
        op == "Identity") {
      auto x = eval(p->inputs[0], depth + 1);
      if (!x) return x;
      if (op == "Sqrt") return *x < 0 ? std::nullopt : std::optional<double>(std::sqrt(*x));
      if (op == "Reciprocal") return *x == 0 ? std::nullopt : std::optional<double>(1.0 / *x);
      if (op == "Neg") return -*x;
      if (op == "Cast") {
        const auto to = static_cast<DType>(p->attr_int("to", 0));
        if (to == DType::kFloat32 || to == DType::kFloat16 || to == DType::kBFloat16)
          return static_cast<double>(static_cast<float>(*x));
        if (to == DType::kFloat64) return *x;
        return std::trunc(*x);
      }
      return x;
    }
    if (p->inputs.size() != 2) return std::nullopt;
    auto a = eval(p->inputs[0], depth + 1);
    auto b = eval(p->inputs[1], depth + 1);
    if (!a || !b) return std::nullopt;
    if (op == "Add") return *a + *b;
    if (op == "Sub") return *a - *b;
    if (op == "Mul") return *a * *b;
    if (op == "Div") return *b == 0 ? std::nullopt : std::optional<double>(*a / *b);
    if (op == "Pow") return std::pow(*a, *b);
    return std::nullopt;
  };
  return eval(value, 0);
}

std::optional<std::pair<std::string, double>> match_scale(
    const GraphEditor& e, const ir::Node& node, const std::vector<std::pair<std::string, int64_t>>& known_last_dim) {
  if (!is_scalar_mul_div(node) || node.inputs.size() != 2) return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    if (node.op_type == "Div" && i == 0) continue;  // c / x is not a scaling of x
    auto c = eval_scalar(e, node.inputs[i], known_last_dim);
    if (!c || !std::isfinite(*c) || *c == 0) continue;
    return std::make_pair(node.inputs[1 - i], node.op_type == "Div" ? 1.0 / *c : *c);
  }
  return std::nullopt;
}

std::optional<PaddingMask> match_padding_mask_term(const GraphEditor& e, const std::string& term) {
  MaskEval at1(e, 1.0), at0(e, 0.0);
  auto v1 = at1.eval(term, 0);
  auto v0 = at0.eval(term, 0);
  if (!v1 || !v0 || at1.raw.empty() || at1.raw != at0.raw) return std::nullopt;
  if (*v1 != 0 || !(*v0 <= -1000.0)) return std::nullopt;
  if (!mask_layout_ok(e, term, at1.raw)) return std::nullopt;
  return PaddingMask{at1.raw, *v0};
}

std::optional<PaddingMask> match_padding_mask_where(const GraphEditor& e, const ir::Node& where, int scores_input) {
  if (where.op_type != "Where" || where.inputs.size() != 3 || (scores_input != 1 && scores_input != 2))
    return std::nullopt;
  MaskEval at1(e, 1.0), at0(e, 0.0);
  auto c1 = at1.eval(where.inputs[0], 0);
  auto c0 = at0.eval(where.inputs[0], 0);
  if (!c1 || !c0 || at1.raw.empty() || at1.raw != at0.raw) return std::nullopt;
  // Mask 1 must select the scores, mask 0 the fill.
  const bool keep_when_true = scores_input == 1;
  if ((*c1 != 0) != keep_when_true || (*c0 != 0) == keep_when_true) return std::nullopt;
  MaskEval fill_eval(e, 0.0);
  auto fill = fill_eval.eval(where.inputs[scores_input == 1 ? 2 : 1], 0);
  if (!fill || !fill_eval.raw.empty() || !(*fill <= -1000.0)) return std::nullopt;
  if (!mask_layout_ok(e, where.inputs[0], at1.raw)) return std::nullopt;
  return PaddingMask{at1.raw, *fill};
}

std::string raw_mask_index(GraphEditor& e, const std::string& raw_mask) {
  if (e.dtype(raw_mask) == DType::kInt32) return raw_mask;
  for (const ir::Node* c : e.consumers(raw_mask))
    if (c->op_type == "Cast" && c->domain.empty() && c->attr_int("to", 0) == static_cast<int64_t>(DType::kInt32))
      return c->outputs[0];
  const std::string out = e.unique_name(raw_mask + "_int32");
  ir::Node cast = make_node("Cast", "", {raw_mask}, {out}, e.unique_name("MaskIndexCast"));
  cast.attributes["to"] = int_attr(static_cast<int64_t>(DType::kInt32));
  e.add(std::move(cast));
  return out;
}

std::optional<Tensor> concat_columns(const std::vector<const Tensor*>& parts) {
  if (parts.empty()) return std::nullopt;
  const DType dt = parts[0]->dtype();
  const int64_t rows = parts[0]->shape().size() == 2 ? parts[0]->shape()[0] : -1;
  int64_t cols = 0;
  for (const Tensor* t : parts) {
    if (t->dtype() != dt || t->shape().size() != 2 || t->shape()[0] != rows) return std::nullopt;
    cols += t->shape()[1];
  }
  Tensor out = Tensor::empty(dt, {rows, cols});
  const size_t es = dtype_size(dt);
  auto* dst = static_cast<char*>(out.raw_data());
  for (int64_t r = 0; r < rows; ++r) {
    for (const Tensor* t : parts) {
      const size_t n = static_cast<size_t>(t->shape()[1]) * es;
      std::memcpy(dst, static_cast<const char*>(t->raw_data()) + static_cast<size_t>(r) * n, n);
      dst += n;
    }
  }
  return out;
}

std::optional<Tensor> concat_vectors(const std::vector<const Tensor*>& parts, const std::vector<int64_t>& sizes,
                                     DType dtype) {
  if (parts.size() != sizes.size()) return std::nullopt;
  int64_t total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] && (parts[i]->dtype() != dtype || parts[i]->numel() != sizes[i])) return std::nullopt;
    total += sizes[i];
  }
  Tensor out = Tensor::empty(dtype, {total});
  const size_t es = dtype_size(dtype);
  auto* dst = static_cast<char*>(out.raw_data());
  for (size_t i = 0; i < parts.size(); ++i) {
    const size_t n = static_cast<size_t>(sizes[i]) * es;
    if (parts[i])
      std::memcpy(dst, parts[i]->raw_data(), n);
    else
      std::memset(dst, 0, n);  // all-zero bits are 0 in every float format
    dst += n;
  }
  return out;
}

std::vector<const ir::Node*> shape_side_chains(const GraphEditor& e, const std::vector<const ir::Node*>& nodes) {
  std::set<const ir::Node*> inside(nodes.begin(), nodes.end());
  // Candidates: nodes reached downward from a Shape of an output of `nodes` (Shape -> Gather -> ... -> Reshape's
  // shape; DistilBERT's Shape(scores) -> Expand of its mask -> Where), at most 256 of them.
  std::vector<const ir::Node*> cand;
  std::set<const ir::Node*> seen;
  std::vector<const ir::Node*> stack;
  for (const ir::Node* n : nodes)
    for (const auto& o : n->outputs)
      for (const ir::Node* c : e.consumers(o))
        if (c->op_type == "Shape" && !inside.count(c)) stack.push_back(c);
  while (!stack.empty() && cand.size() < 256) {
    const ir::Node* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    cand.push_back(n);
    for (const auto& o : n->outputs)
      for (const ir::Node* c : e.consumers(o))
        if (!inside.count(c)) stack.push_back(c);
  }
  // Drop candidates whose outputs escape (read outside nodes + candidates, or graph outputs), to a fixed point.
  std::set<const ir::Node*> keep(cand.begin(), cand.end());
  for (bool again = true; again;) {
    again = false;
    for (const ir::Node* n : cand) {
      if (!keep.count(n)) continue;
      bool escapes = false;
      for (const auto& o : n->outputs) {
        if (e.is_graph_output(o)) escapes = true;
        for (const ir::Node* c : e.consumers(o))
          if (!inside.count(c) && !keep.count(c)) escapes = true;
      }
      if (escapes) {
        keep.erase(n);
        again = true;
      }
    }
  }
  // A kept node may read a value produced outside (e.g. another Shape's chain): that is fine, it is only removed.
  std::vector<const ir::Node*> out;
  for (const ir::Node* n : cand)
    if (keep.count(n)) out.push_back(n);
  return out;
}

}  // namespace onyx::opt::attn
