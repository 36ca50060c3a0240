#include "src/opt/passes/causal_attention_match.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "src/opt/passes/attention_match.h"

namespace onyx::opt {

namespace {

constexpr int64_t kFloatType = static_cast<int64_t>(DType::kFloat32);

bool is_op(const ir::Node* n, std::string_view op) { return n && n->op_type == op && n->domain.empty(); }

bool is_transpose(const ir::Node* n, const std::vector<int64_t>& perm) {
  return is_op(n, "Transpose") && n->attr_ints("perm") == perm;
}

// Producer of `value`, looking through Cast(to=float) nodes (no-ops on the float tensors attention computes on).
const ir::Node* producer_skip_casts(const GraphEditor& e, const std::string& value,
                                    std::vector<const ir::Node*>* casts = nullptr) {
  const ir::Node* p = e.producer(value);
  for (int guard = 0; p && is_op(p, "Cast") && p->attr_int("to", 0) == kFloatType && guard < 4; ++guard) {
    if (casts) casts->push_back(p);
    p = e.producer(p->inputs[0]);
  }
  return p;
}

// The only consumer of `value`, looking through Cast(to=float) nodes; nullptr if there are several.
const ir::Node* only_consumer_skip_casts(const GraphEditor& e, const std::string& value,
                                         std::vector<const ir::Node*>* casts) {
  std::string v = value;
  for (int guard = 0; guard < 5; ++guard) {
    if (e.is_graph_output(v)) return nullptr;
    const auto& c = e.consumers(v);
    if (c.size() != 1) return nullptr;
    if (!(is_op(c[0], "Cast") && c[0]->attr_int("to", 0) == kFloatType)) return c[0];
    casts->push_back(c[0]);
    v = c[0]->outputs[0];
  }
  return nullptr;
}

// The one consumer of `node`'s output 0 other than Shape nodes (exports read shapes everywhere), if it has op type
// `op_type`.
const ir::Node* only_data_consumer(const GraphEditor& e, const ir::Node& node, std::string_view op_type) {
  if (e.is_graph_output(node.outputs[0])) return nullptr;
  const ir::Node* found = nullptr;
  for (const ir::Node* c : e.consumers(node.outputs[0])) {
    if (is_op(c, "Shape")) continue;
    if (found) return nullptr;
    found = c;
  }
  return is_op(found, op_type) ? found : nullptr;
}

// Axes of Squeeze/Unsqueeze/Slice: the input at `input` (newer opsets) or the `axes` attribute.
std::optional<std::vector<int64_t>> axes_of(const GraphEditor& e, const ir::Node& n, size_t input) {
  if (n.has_input(input)) return e.int_values(n.inputs[input]);
  if (n.has_attribute("axes")) return n.attr_ints("axes");
  return std::nullopt;
}

// A dimension read from a shape: (tensor, axis) such that `value` == tensor.shape[axis] (axis as written, maybe
// negative). Follows Cast / Squeeze / Unsqueeze of single values, Gather(Shape(t), i) and Slice(Shape(t), i, i+1).
struct DimRef {
  std::string tensor;
  int64_t axis = 0;
};

std::optional<DimRef> dim_of(const GraphEditor& e, const std::string& value, int depth = 0) {
  const ir::Node* p = e.producer(value);
  if (!p || depth > 8 || !p->domain.empty()) return std::nullopt;
  if (p->op_type == "Cast" || p->op_type == "Squeeze" || p->op_type == "Unsqueeze" || p->op_type == "Identity")
    return dim_of(e, p->inputs[0], depth + 1);
  const ir::Node* shape = e.parent(*p, 0, "Shape");
  if (!shape || shape->has_attribute("start") || shape->has_attribute("end")) return std::nullopt;
  if (p->op_type == "Gather") {
    auto idx = p->has_input(1) ? e.int_values(p->inputs[1]) : std::nullopt;
    if (!idx || idx->size() != 1) return std::nullopt;
    return DimRef{shape->inputs[0], (*idx)[0]};
  }
  if (p->op_type == "Slice") {
    auto starts = p->has_input(1) ? e.int_values(p->inputs[1]) : std::nullopt;
    auto ends = p->has_input(2) ? e.int_values(p->inputs[2]) : std::nullopt;
    if (!starts || !ends || starts->size() != 1 || ends->size() != 1) return std::nullopt;
    if (p->has_input(3)) {
      auto axes = e.int_values(p->inputs[3]);
      if (!axes || *axes != std::vector<int64_t>{0}) return std::nullopt;
    }
    if (p->has_input(4)) {
      auto steps = e.int_values(p->inputs[4]);
      if (!steps || *steps != std::vector<int64_t>{1}) return std::nullopt;
    }
    const int64_t s = (*starts)[0], end = (*ends)[0];
    if (end == s + 1 && s != -1) return DimRef{shape->inputs[0], s};
    if (s == -1 && end >= (int64_t{1} << 31)) return DimRef{shape->inputs[0], -1};
  }
  return std::nullopt;
}

// Element `i` of a 1-D int64 value: a constant, or the scalar value it is made of (Concat of Unsqueezed scalars).
struct IntRef {
  std::optional<int64_t> constant;
  std::string value;  // when not constant: a value equal to that element (maybe a 1-element tensor)
};

std::optional<IntRef> element_of(const GraphEditor& e, const std::string& value, size_t i) {
  if (auto c = e.int_values(value)) {
    if (i >= c->size()) return std::nullopt;
    return IntRef{(*c)[i], {}};
  }
  const ir::Node* p = e.producer(value);
  if (is_op(p, "Concat")) {
    if (i >= p->inputs.size()) return std::nullopt;  // assumes 1-element pieces, checked by the caller's dim_of
    return element_of(e, p->inputs[i], 0);
  }
  if (i == 0) return IntRef{std::nullopt, value};
  return std::nullopt;
}

int64_t norm_axis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// The tensors of the matched attention in head layout, to recognise the shape reads of the causal slice and scale.
struct HeadTensors {
  const GraphEditor* e = nullptr;
  std::string q_heads, k_heads, v_heads, k_transposed, present_key, present_value, q_split, k_split, v_split;
  std::string k_reshaped;           // Reshape(k) [B, S, N, Dh]
  std::vector<std::string> scores;  // q @ k^T and its scaled versions, [B, N, S, T]
  bool has_past = false;

  // Without past, the export reads the key length from Transpose(0, 2, 1, 3)(Reshape(k)) even when k^T is one
  // Transpose(0, 2, 3, 1) of the Reshape (that second Transpose only feeds the Shape).
  bool is_k_heads(const std::string& t) const {
    if (!k_heads.empty() && t == k_heads) return true;
    const ir::Node* p = e->producer(t);
    return is_transpose(p, {0, 2, 1, 3}) && p->inputs[0] == k_reshaped;
  }
  bool is_scores(const std::string& t) const { return std::find(scores.begin(), scores.end(), t) != scores.end(); }
  bool is_key_length(const std::optional<DimRef>& d) const {
    if (!d) return false;
    if (is_scores(d->tensor)) return norm_axis(d->axis, 4) == 3;
    const int64_t a = norm_axis(d->axis, 4);
    if (a == 2 && (d->tensor == present_key || d->tensor == present_value)) return !d->tensor.empty();
    if (a == 3 && d->tensor == k_transposed) return true;
    if (has_past) return false;
    if (a == 2 && (is_k_heads(d->tensor) || d->tensor == v_heads)) return true;
    if (norm_axis(d->axis, 4) == 1 && d->tensor == k_reshaped) return true;
    return norm_axis(d->axis, 3) == 1 && (d->tensor == k_split || d->tensor == v_split);
  }
  bool is_query_length(const std::optional<DimRef>& d) const {
    if (!d) return false;
    if (is_scores(d->tensor)) return norm_axis(d->axis, 4) == 2;
    if (d->tensor == q_heads) return norm_axis(d->axis, 4) == 2;
    if (d->tensor == q_split) return norm_axis(d->axis, 3) == 1;
    return false;
  }
  bool is_head_size(const std::optional<DimRef>& d) const {
    if (!d || norm_axis(d->axis, 4) != 3) return false;
    for (const std::string* t : {&q_heads, &k_heads, &v_heads, &present_key, &present_value})
      if (!t->empty() && d->tensor == *t) return true;
    return false;
  }
};

bool is_key_length_ref(const GraphEditor& e, const IntRef& r, const HeadTensors& h) {
  return !r.constant && h.is_key_length(dim_of(e, r.value));
}

// key_length - query_length, as Sub(dim, dim) (maybe Unsqueezed).
bool is_past_length_ref(const GraphEditor& e, const IntRef& r, const HeadTensors& h) {
  if (r.constant) return false;
  const ir::Node* p = e.producer(r.value);
  while (is_op(p, "Unsqueeze") || is_op(p, "Cast")) p = e.producer(p->inputs[0]);
  if (!is_op(p, "Sub")) return false;
  return h.is_key_length(dim_of(e, p->inputs[0])) && h.is_query_length(dim_of(e, p->inputs[1]));
}

// True when `t` (bool, or 0/1 in a numeric dtype) is t[..., i, j] = (j <= i + offset) over its last two dims, with
// all leading dims 1.
bool is_lower_triangular(const Tensor& t, int64_t offset) {
  if (t.rank() < 2) return false;
  for (size_t d = 0; d + 2 < t.rank(); ++d)
    if (t.dim(d) != 1) return false;
  const int64_t rows = t.dim(t.rank() - 2), cols = t.dim(t.rank() - 1);
  // The value at k as 0/1 (nullopt for any other value: the legacy form multiplies the scores by it).
  auto binary = [&](int64_t k) -> std::optional<bool> {
    double x = 0;
    switch (t.dtype()) {
      case DType::kBool:
        return t.data<bool>()[k];
      case DType::kUInt8:
        x = t.data<uint8_t>()[k];
        break;
      case DType::kInt32:
        x = t.data<int32_t>()[k];
        break;
      case DType::kInt64:
        x = static_cast<double>(t.data<int64_t>()[k]);
        break;
      case DType::kFloat32:
        x = t.data<float>()[k];
        break;
      default:
        return std::nullopt;
    }
    if (x != 0 && x != 1) return std::nullopt;
    return x == 1;
  };
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      auto v = binary(i * cols + j);
      if (!v || *v != (j <= i + offset)) return false;
    }
  return true;
}

// The Where condition: bias[:, :, T-S:T, :T] of GPT-2's lower-triangular buffer (two Slices, or one with both axes,
// maybe Cast to bool), or the folded result of that slice (a constant [1, 1, S, T] with offset T - S).
bool is_causal_condition(const GraphEditor& e, const std::string& cond, const HeadTensors& h,
                         std::vector<const ir::Node*>& nodes) {
  std::string v = cond;
  std::vector<const ir::Node*> slices;
  for (int guard = 0; guard < 6; ++guard) {
    const ir::Node* p = e.producer(v);
    if (is_op(p, "Cast")) {
      nodes.push_back(p);
      v = p->inputs[0];
    } else if (is_op(p, "Slice")) {
      slices.push_back(p);
      nodes.push_back(p);
      v = p->inputs[0];
    } else {
      break;
    }
  }
  const Tensor* base = e.constant(v);
  if (!base || base->rank() != 4) return false;
  if (slices.empty()) return is_lower_triangular(*base, base->dim(3) - base->dim(2));
  if (base->dim(2) != base->dim(3) || !is_lower_triangular(*base, 0)) return false;
  bool rows_done = false, cols_done = false;
  for (const ir::Node* s : slices) {
    if (!s->has_input(1) || !s->has_input(2) || !s->has_input(3)) return false;
    if (s->has_input(4)) {
      auto steps = e.int_values(s->inputs[4]);
      if (!steps || std::any_of(steps->begin(), steps->end(), [](int64_t x) { return x != 1; })) return false;
    }
    auto axes = e.int_values(s->inputs[3]);
    if (!axes) return false;
    for (size_t i = 0; i < axes->size(); ++i) {
      const int64_t axis = norm_axis((*axes)[i], 4);
      auto start = element_of(e, s->inputs[1], i);
      auto end = element_of(e, s->inputs[2], i);
      if (!start || !end || !is_key_length_ref(e, *end, h)) return false;
      if (axis == 2 && !rows_done) {
        if (!is_past_length_ref(e, *start, h)) return false;
        rows_done = true;
      } else if (axis == 3 && !cols_done) {
        if (start->constant != std::optional<int64_t>(0)) return false;
        cols_done = true;
      } else {
        return false;
      }
    }
  }
  return rows_done && cols_done;
}

// A divisor equal to sqrt(head_size) computed from a shape: [Add(ConstantOfShape(0), .)] Pow(x, 0.5) | Sqrt(x),
// x = [Cast] head size read from a head-layout tensor's shape.
bool is_sqrt_head_size(const GraphEditor& e, const std::string& value, const HeadTensors& h,
                       std::vector<const ir::Node*>& nodes) {
  const ir::Node* p = e.producer(value);
  if (is_op(p, "Add")) {
    for (int i = 0; i < 2; ++i) {
      const ir::Node* zeros = e.parent(*p, static_cast<size_t>(i), "ConstantOfShape");
      const ir::Attribute* fill = zeros ? zeros->find_attribute("value") : nullptr;
      const bool zero_fill = !fill || (fill->kind == ir::Attribute::Kind::kTensor && fill->t.numel() == 1 &&
                                       fill->t.dtype() == DType::kFloat32 && fill->t.data<float>()[0] == 0.f);
      auto shape = zeros ? e.int_values(zeros->inputs[0]) : std::nullopt;
      if (e.scalar(p->inputs[static_cast<size_t>(i)]) == 0.0) {  // the zeros folded into a constant
        nodes.push_back(p);
        p = e.producer(p->inputs[1 - i]);
        break;
      }
      if (zeros && zero_fill && shape && shape->empty()) {
        nodes.push_back(p);
        nodes.push_back(zeros);
        p = e.producer(p->inputs[1 - i]);
        break;
      }
    }
  }
  std::string x;
  if (is_op(p, "Pow") && e.scalar(p->inputs[1]) == 0.5)
    x = p->inputs[0];
  else if (is_op(p, "Sqrt"))
    x = p->inputs[0];
  else
    return false;
  nodes.push_back(p);
  return h.is_head_size(dim_of(e, x));
}

// Additive padding mask (1 - mask) * c with mask = Cast(Unsqueeze(Unsqueeze(m, 1), 2)) of a raw [B, T] mask m (GPT-2's
// form, where m is Reshape(attention_mask, [B, -1]) with a shape computed from Shape nodes); other forms (bool masks,
// Where, -10000) go to FuseAttention's matcher.
bool match_padding_mask(const GraphEditor& e, const std::string& value, CausalAttentionMatch& m) {
  const ir::Node* mul = e.producer(value);
  if (!is_op(mul, "Mul")) return false;
  for (int i = 0; i < 2; ++i) {
    auto c = e.scalar(mul->inputs[static_cast<size_t>(i)]);
    const ir::Node* sub = e.parent(*mul, static_cast<size_t>(1 - i), "Sub");
    if (!c || *c >= 0 || !sub || e.scalar(sub->inputs[0]) != 1.0) continue;
    std::string v = sub->inputs[1];
    std::vector<std::vector<int64_t>> unsqueezed;  // walking upward: last Unsqueeze first
    for (int guard = 0; guard < 6; ++guard) {
      const ir::Node* p = e.producer(v);
      if (is_op(p, "Cast")) {
        v = p->inputs[0];
      } else if (is_op(p, "Unsqueeze")) {
        auto axes = axes_of(e, *p, 1);
        if (!axes) return false;
        unsqueezed.push_back(*axes);
        v = p->inputs[0];
      } else {
        break;
      }
    }
    const bool two_steps = unsqueezed == std::vector<std::vector<int64_t>>{{2}, {1}};
    const bool one_step = unsqueezed == std::vector<std::vector<int64_t>>{{1, 2}};
    if (!two_steps && !one_step) return false;
    if (auto r = e.rank(v); r && *r != 2) return false;
    m.mask = v;
    m.mask_filter_value = static_cast<float>(std::max(*c, -3.4028234663852886e38));
    return true;
  }
  return false;
}

// The causal selection of the scores: Where(cond, scores, fill <= -1e4), or transformers < 4's
// scores * cond - c * (1 - cond) with c >= 1e4 (the same where cond is 0/1, which is_causal_condition checks).
struct CausalSelect {
  std::string cond, scores;
  std::vector<const ir::Node*> nodes;
};

std::optional<CausalSelect> match_causal_select(const GraphEditor& e, const ir::Node* n) {
  if (is_op(n, "Where")) {
    auto fill = e.scalar(n->inputs[2]);
    if (!fill || *fill > -1e4) return std::nullopt;
    return CausalSelect{n->inputs[0], n->inputs[1], {n}};
  }
  if (!is_op(n, "Sub")) return std::nullopt;
  const ir::Node* keep = e.parent(*n, 0, "Mul");
  const ir::Node* fill = e.parent(*n, 1, "Mul");
  if (!keep || !fill) return std::nullopt;
  for (int i = 0; i < 2; ++i) {
    auto c = e.scalar(fill->inputs[static_cast<size_t>(i)]);
    const ir::Node* inverse = e.parent(*fill, static_cast<size_t>(1 - i), "Sub");
    if (!c || *c < 1e4 || !inverse || e.scalar(inverse->inputs[0]) != 1.0) continue;
    const std::string& cond = inverse->inputs[1];
    for (int j = 0; j < 2; ++j)
      if (keep->inputs[static_cast<size_t>(j)] == cond)
        return CausalSelect{cond, keep->inputs[static_cast<size_t>(1 - j)], {n, keep, fill, inverse}};
  }
  return std::nullopt;
}

// Number of heads and head size from a [B, S, N, Dh] Reshape's shape input (constant, or Concat of pieces).
bool heads_of_reshape(const GraphEditor& e, const ir::Node& reshape, int64_t& num_heads, int64_t& head_size) {
  auto n = element_of(e, reshape.inputs[1], 2);
  auto d = element_of(e, reshape.inputs[1], 3);
  if (!n || !d || !n->constant || !d->constant || *n->constant <= 0 || *d->constant <= 0) return false;
  if (auto shape = e.int_values(reshape.inputs[1]); shape && shape->size() != 4) return false;
  if (const ir::Node* concat = e.producer(reshape.inputs[1]); is_op(concat, "Concat") && concat->inputs.size() != 4)
    return false;
  num_heads = *n->constant;
  head_size = *d->constant;
  return true;
}

// Reshape(split output) -> Transpose(0, 2, 1, 3): the head-layout tensor. Returns the Reshape.
const ir::Node* head_reshape(const GraphEditor& e, const ir::Node* transpose) {
  if (!is_transpose(transpose, {0, 2, 1, 3})) return nullptr;
  return e.parent(*transpose, 0, "Reshape");
}

// Split sizes of a 3-way split along the last axis of a [B, S, 3 * hidden] tensor; true when all equal.
bool is_equal_qkv_split(const GraphEditor& e, const ir::Node& split) {
  if (split.outputs.size() != 3) return false;
  const int64_t axis = split.attr_int("axis", 0);
  auto rank = e.rank(split.inputs[0]);
  if (!(axis == 2 || (axis == -1 && (!rank || *rank == 3)))) return false;
  if (rank && *rank != 3) return false;
  std::optional<std::vector<int64_t>> sizes;
  if (split.has_input(1))
    sizes = e.int_values(split.inputs[1]);
  else if (split.has_attribute("split"))
    sizes = split.attr_ints("split");
  else
    return true;  // no sizes: equal parts
  return sizes && sizes->size() == 3 && (*sizes)[0] == (*sizes)[1] && (*sizes)[1] == (*sizes)[2];
}

// Static dims of `value` if fully known.
std::optional<std::vector<int64_t>> static_shape(const GraphEditor& e, const std::string& value) {
  if (const Tensor* t = e.constant(value)) return std::vector<int64_t>(t->shape().begin(), t->shape().end());
  const ValueInfo* vi = e.info(value);
  if (!vi || !vi->has_shape) return std::nullopt;
  std::vector<int64_t> dims;
  for (const auto& d : vi->shape) {
    if (d.value < 0) return std::nullopt;
    dims.push_back(d.value);
  }
  return dims;
}

// True when `qkv_node` (the Reshape after the Gemm, or the bias Add after the MatMul) shows that proj.input has rank 3.
bool has_batch_and_sequence_of(const GraphEditor& e, const ir::Node& qkv_node, const CausalQkvProjection& proj) {
  if (is_op(&qkv_node, "Add")) {
    auto r = e.rank(qkv_node.outputs[0]);
    return r && *r == 3;
  }
  const std::string& shape = qkv_node.inputs[1];
  if (const ir::Node* concat = e.producer(shape); !is_op(concat, "Concat") || concat->inputs.size() != 3) return false;
  for (size_t i = 0; i < 2; ++i) {
    auto el = element_of(e, shape, i);
    if (!el || el->constant) return false;
    auto d = dim_of(e, el->value);
    if (!d || d->tensor != proj.input || d->axis != static_cast<int64_t>(i)) return false;
  }
  return true;
}

// The fused c_attn projection under the Split: Reshape(Gemm(Reshape(x, [-1, hidden]), W, b)) or Add(MatMul(x, W), b).
std::optional<CausalQkvProjection> match_projection(const GraphEditor& e, const ir::Node& split, int64_t all_heads) {
  CausalQkvProjection proj;
  const ir::Node* p = e.producer(split.inputs[0]);
  if (is_op(p, "Reshape")) {
    const ir::Node* gemm = e.parent(*p, 0, "Gemm");
    const ir::Node* flat = gemm ? e.parent(*gemm, 0, "Reshape") : nullptr;
    if (!flat || !gemm->has_input(2) || gemm->attr_float("alpha", 1.f) != 1.f || gemm->attr_float("beta", 1.f) != 1.f ||
        gemm->attr_int("transA", 0) != 0)
      return std::nullopt;
    proj.input = flat->inputs[0];
    proj.weights = gemm->inputs[1];
    proj.bias = gemm->inputs[2];
    proj.transpose_weights = gemm->attr_int("transB", 0) != 0;
    proj.nodes = {flat, gemm, p};
  } else if (is_op(p, "Add")) {
    for (int i = 0; i < 2 && proj.nodes.empty(); ++i) {
      const ir::Node* mm = e.parent(*p, static_cast<size_t>(i), "MatMul");
      if (!mm) continue;
      proj.input = mm->inputs[0];
      proj.weights = mm->inputs[1];
      proj.bias = p->inputs[static_cast<size_t>(1 - i)];
      proj.nodes = {mm, p};
    }
    if (proj.nodes.empty()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  // Attention needs x as [B, S, hidden]: a known rank 3, or the exporter's proof of it (the Gemm result is reshaped
  // to [x.shape[0], x.shape[1], 3 * hidden]); MatMul keeps the rank of x, which the Split output then has.
  if (auto r = e.rank(proj.input); r ? *r != 3 : !has_batch_and_sequence_of(e, *p, proj)) return std::nullopt;
  auto w = static_shape(e, proj.weights);
  auto b = static_shape(e, proj.bias);
  if (!w || w->size() != 2 || !b || *b != std::vector<int64_t>{3 * all_heads}) return std::nullopt;
  const int64_t cols = proj.transpose_weights ? (*w)[0] : (*w)[1];
  if (cols != 3 * all_heads) return std::nullopt;
  if (proj.transpose_weights && !e.constant(proj.weights)) return std::nullopt;
  proj.nodes.push_back(&split);
  return proj;
}

}  // namespace

std::optional<CausalAttentionMatch> match_causal_attention(const GraphEditor& e, const ir::Node& softmax) {
  if (!is_op(&softmax, "Softmax")) return std::nullopt;
  const int64_t opset = e.graph().opset("");
  const int64_t axis = softmax.attr_int("axis", opset >= 13 ? -1 : 1);
  if (axis != -1 && axis != 3) return std::nullopt;

  CausalAttentionMatch m;
  std::vector<const ir::Node*>& nodes = m.nodes;
  nodes.push_back(&softmax);

  // Softmax <- [Add(., padding mask)] <- Where(causal, scores, fill) | scores * causal - c * (1 - causal)
  const ir::Node* select = producer_skip_casts(e, softmax.inputs[0], &nodes);
  std::string padding_mask;
  std::optional<CausalSelect> causal;
  if (is_op(select, "Add")) {
    nodes.push_back(select);
    for (int i = 0; i < 2 && !causal; ++i) {
      causal = match_causal_select(e, producer_skip_casts(e, select->inputs[static_cast<size_t>(i)], &nodes));
      if (causal) padding_mask = select->inputs[static_cast<size_t>(1 - i)];
    }
  } else {
    causal = match_causal_select(e, select);
  }
  if (!causal) return std::nullopt;
  nodes.insert(nodes.end(), causal->nodes.begin(), causal->nodes.end());

  // scores = [Cast] (Div(., d) | Mul(., c))* MatMul(q_heads, k^T)   (several with scale_attn_by_inverse_layer_idx)
  const ir::Node* scores = producer_skip_casts(e, causal->scores, &nodes);
  std::vector<std::pair<const ir::Node*, std::string>> scalings;  // (Div or Mul, the operand that scales)
  while ((is_op(scores, "Div") || is_op(scores, "Mul")) && scalings.size() < 3) {
    size_t data = 0;
    if (scores->op_type == "Mul" && e.scalar(scores->inputs[0]) && !e.scalar(scores->inputs[1])) data = 1;
    scalings.emplace_back(scores, scores->inputs[1 - data]);
    nodes.push_back(scores);
    scores = producer_skip_casts(e, scores->inputs[data], &nodes);
  }
  if (!is_op(scores, "MatMul")) return std::nullopt;
  const ir::Node* qk = scores;
  nodes.push_back(qk);

  HeadTensors h;
  h.e = &e;
  h.scores.push_back(qk->outputs[0]);
  for (const auto& scaling : scalings) h.scores.push_back(scaling.first->outputs[0]);
  h.scores.push_back(causal->scores);
  const ir::Node* q_transpose = e.producer(qk->inputs[0]);
  const ir::Node* q_reshape = head_reshape(e, q_transpose);
  const ir::Node* kt = e.producer(qk->inputs[1]);
  if (!q_reshape || !kt) return std::nullopt;
  nodes.insert(nodes.end(), {q_transpose, q_reshape, kt});
  h.q_heads = q_transpose->outputs[0];
  h.q_split = q_reshape->inputs[0];
  h.k_transposed = kt->outputs[0];

  // k^T: Transpose(0, 2, 3, 1)(Reshape(k)) | Transpose(0, 1, 3, 2)(Concat(past_key, k_heads) | k_heads)
  const ir::Node* k_reshape = nullptr;
  const ir::Node* k_concat = nullptr;
  if (is_transpose(kt, {0, 2, 3, 1})) {
    k_reshape = e.parent(*kt, 0, "Reshape");
  } else if (is_transpose(kt, {0, 1, 3, 2})) {
    const ir::Node* p = e.producer(kt->inputs[0]);
    if (is_op(p, "Concat")) {
      k_concat = p;
      p = e.producer(p->inputs.size() == 2 ? p->inputs[1] : std::string());
    }
    if (p) {
      nodes.push_back(p);
      h.k_heads = p->outputs[0];
      k_reshape = head_reshape(e, p);
    }
  }
  if (!k_reshape) return std::nullopt;
  nodes.push_back(k_reshape);
  h.k_split = k_reshape->inputs[0];
  h.k_reshaped = k_reshape->outputs[0];

  // probs @ v, then Transpose(0, 2, 1, 3) and the merge-heads Reshape.
  const ir::Node* pv = only_consumer_skip_casts(e, softmax.outputs[0], &nodes);
  if (!is_op(pv, "MatMul") || e.producer(pv->inputs[0]) == nullptr) return std::nullopt;
  nodes.push_back(pv);
  const ir::Node* v_heads = e.producer(pv->inputs[1]);
  const ir::Node* v_concat = nullptr;
  if (is_op(v_heads, "Concat")) {
    v_concat = v_heads;
    v_heads = v_concat->inputs.size() == 2 ? e.producer(v_concat->inputs[1]) : nullptr;
  }
  const ir::Node* v_reshape = head_reshape(e, v_heads);
  if (!v_reshape) return std::nullopt;
  nodes.insert(nodes.end(), {v_heads, v_reshape});
  h.v_heads = v_heads->outputs[0];
  h.v_split = v_reshape->inputs[0];
  const ir::Node* merge_t = only_data_consumer(e, *pv, "Transpose");
  if (!is_transpose(merge_t, {0, 2, 1, 3})) return std::nullopt;
  const ir::Node* merge = only_data_consumer(e, *merge_t, "Reshape");
  if (!merge) return std::nullopt;
  nodes.insert(nodes.end(), {merge_t, merge});
  m.output = merge->outputs[0];
  m.merge_shape = merge->inputs.size() > 1 ? merge->inputs[1] : std::string();
  // (A target computed at run time from Shape nodes is GPT-2's [B, S, hidden] merge; only a known other rank counts.)
  const auto merge_rank = attn::reshape_rank(e, *merge);
  m.merge_is_3d = !merge_rank || *merge_rank == 3u;
  if (!m.merge_is_3d && m.merge_shape.empty()) return std::nullopt;

  // Past: both Concats (past first, on the sequence axis) or neither.
  if ((k_concat == nullptr) != (v_concat == nullptr)) return std::nullopt;
  if (k_concat) {
    for (const ir::Node* c : {k_concat, v_concat}) {
      const int64_t a = c->attr_int("axis", 0);
      if (a != 2 && a != -2) return std::nullopt;
      nodes.push_back(c);
    }
    m.past_key = k_concat->inputs[0];
    m.past_value = v_concat->inputs[0];
    m.present_key = k_concat->outputs[0];
    m.present_value = v_concat->outputs[0];
    h.present_key = m.present_key;
    h.present_value = m.present_value;
    h.has_past = true;
    if (pv->inputs[1] != m.present_value) return std::nullopt;
  }

  // q, k, v: outputs 0, 1, 2 of one equal Split (GPT-2's fused c_attn), or three values of rank 3 (separate
  // projections, as GPT-Neo); heads from the Reshapes.
  const ir::Node* split = e.producer(h.q_split);
  const bool from_split = is_op(split, "Split") && is_equal_qkv_split(e, *split) && split->outputs[0] == h.q_split &&
                          split->outputs[1] == h.k_split && split->outputs[2] == h.v_split;
  if (!from_split) {
    if (h.q_split == h.k_split || h.k_split == h.v_split || h.q_split == h.v_split) return std::nullopt;
    for (const std::string* t : {&h.q_split, &h.k_split, &h.v_split})
      if (e.rank(*t) != std::optional<size_t>(3)) return std::nullopt;
  }
  m.q = h.q_split;
  m.k = h.k_split;
  m.v = h.v_split;
  for (const ir::Node* r : {q_reshape, k_reshape, v_reshape}) {
    int64_t n = 0, d = 0;
    if (!heads_of_reshape(e, *r, n, d)) return std::nullopt;
    if (m.num_heads != 0 && (n != m.num_heads || d != m.head_size)) return std::nullopt;
    m.num_heads = n;
    m.head_size = d;
  }

  // Scale: the product of the constant factors, with a Div by sqrt(head_size) read from a shape as 1/sqrt(Dh).
  double scale = 1.0;
  for (const auto& [node, operand] : scalings) {
    const bool div = node->op_type == "Div";
    if (auto c = e.scalar(operand)) {
      if (*c == 0.0) return std::nullopt;
      scale *= div ? 1.0 / *c : *c;
    } else if (div && is_sqrt_head_size(e, operand, h, nodes)) {
      scale /= std::sqrt(static_cast<double>(m.head_size));
    } else {
      return std::nullopt;
    }
  }
  m.scale = static_cast<float>(scale);
  if (m.scale) {
    const double standard = 1.0 / std::sqrt(static_cast<double>(m.head_size));
    if (std::fabs(*m.scale - standard) <= 1e-6 * standard) m.scale.reset();
  }

  if (!is_causal_condition(e, causal->cond, h, nodes)) return std::nullopt;
  if (!padding_mask.empty()) {  // (1 - mask) * finfo.min and the other forms FuseAttention knows
    if (!match_padding_mask(e, padding_mask, m)) {
      auto mask = attn::match_padding_mask_term(e, padding_mask);
      if (!mask) return std::nullopt;
      m.mask = mask->raw_mask;
      m.mask_filter_value = static_cast<float>(std::max(mask->filter_value, -3.4028234663852886e38));
    }
  }

  if (from_split) m.projection = match_projection(e, *split, m.num_heads * m.head_size);
  return m;
}

void absorb_dead_producers(const GraphEditor& e, std::vector<const ir::Node*>& nodes,
                           const std::vector<std::string>& protect) {
  std::set<const ir::Node*> in(nodes.begin(), nodes.end());
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < nodes.size(); ++i) {
      for (const std::string& input : nodes[i]->inputs) {
        const ir::Node* p = input.empty() ? nullptr : e.producer(input);
        if (!p || in.count(p) || e.is_removed(*p)) continue;
        bool dead = true;
        for (const std::string& o : p->outputs) {
          if (o.empty()) continue;
          if (e.is_graph_output(o) || std::find(protect.begin(), protect.end(), o) != protect.end()) dead = false;
          for (const ir::Node* c : e.consumers(o))
            if (!in.count(c)) dead = false;
          if (!dead) break;
        }
        if (!dead) continue;
        in.insert(p);
        nodes.push_back(p);
        grew = true;
      }
    }
  }
}

}  // namespace onyx::opt
