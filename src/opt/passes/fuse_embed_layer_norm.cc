// FuseEmbedLayerNorm: word + position [+ segment] embedding Gathers + LayerNorm ->
// com.microsoft.EmbedLayerNormalization.
//
//   input_ids ----------------------> Gather(word_table) ------+
//   position ids -------------------> Gather(position_table) --+--> Add --> Add --> LayerNormalization --> Y
//   token_type_ids / constant ids --> Gather(segment_table) ---+    (any tree)  |
//                                                                               +--> other readers (GPT-2 residual)
//
//   => EmbedLayerNormalization(Cast<int32>(input_ids), [Cast<int32>(segment ids)], word_table, position_table,
//                              [segment_table], gamma, beta, mask="", [Cast<int32>(position ids)])
//        -> Y, mask_index (fresh name, unused), [sum]
//
// Index paths (ONNX Runtime's op takes int32 ids of shape [batch, sequence]):
//   - word ids: a graph input (through Cast/Reshape/Unsqueeze/Squeeze), rank 2.
//   - position ids: an arange 0..S-1 (Slice from 0 of a constant iota buffer, Range(0, n, 1), constant iota; then
//     Unsqueeze/Expand/Cast) is the op's default and is omitted; other position ids (a graph input, RoBERTa/XLM-R/MPNet
//     cumsum of input_ids != pad, GPT-2's reshaped Range) are passed as position_ids when their rank is 2.
//   - segment ids: a graph input of rank 2 is passed; ids filled with one constant k (RoBERTa's buffered zeros
//     Expand, ConstantOfShape) are folded: row k of the segment table is added to every position row, and no
//     segment input is given.
// Static-shape exports fold lookups of constant ids into constants: a [1, S, H] constant whose rows differ is the
// position rows 0..S-1 (it becomes the position table, ids omitted); one whose rows are all equal is a constant
// segment lookup (folded into the position table).
// The mask input stays empty (attention takes the raw mask); the sum output is emitted when the Add's sum is read
// elsewhere. ALBERT/ELECTRA's embedding size differs from the hidden size: the op works on the embedding size.
#include <algorithm>
#include <set>

#include "src/opt/passes/norm_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

// kRows: no Gather, a constant [1, S, H] / [S, H] (static-shape exports fold the position lookup to its rows).
enum class IdsKind { kInput, kArange, kFill, kComputed, kRows };

struct Leaf {
  const ir::Node* gather = nullptr;
  std::string ids;
  IdsKind kind = IdsKind::kComputed;
  std::string input_name;  // kInput: the graph input
  int64_t fill = 0;        // kFill: the value
  int64_t rows = 0;
  const Tensor* constant_rows = nullptr;  // kRows
  bool rows_equal = false;                // kRows: every row the same (a folded constant segment lookup)
};

bool one_of(const std::string& op, std::initializer_list<const char*> ops) {
  for (const char* o : ops)
    if (op == o) return true;
  return false;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

std::optional<int64_t> rank_of(const GraphEditor& e, const std::string& v, int depth);

// Number of elements of a 1-D shape-like value (for Expand's target shape).
std::optional<int64_t> length_of(const GraphEditor& e, const std::string& v, int depth) {
  if (depth > 24) return std::nullopt;
  if (const Tensor* t = e.constant(v)) return t->rank() == 1 ? std::optional<int64_t>(t->numel()) : std::nullopt;
  if (const ValueInfo* vi = e.info(v); vi && vi->has_shape && vi->shape.size() == 1 && vi->shape[0].is_fixed())
    return vi->shape[0].value;
  const ir::Node* p = e.producer(v);
  if (!p) return std::nullopt;
  if (p->op_type == "Shape" && !p->has_attribute("start") && !p->has_attribute("end"))
    return rank_of(e, p->inputs[0], depth + 1);
  if (p->op_type == "Concat") {
    int64_t n = 0;
    for (const auto& in : p->inputs) {
      auto l = length_of(e, in, depth + 1);
      if (!l) return std::nullopt;
      n += *l;
    }
    return n;
  }
  if (p->op_type == "Unsqueeze") {
    auto r = rank_of(e, p->inputs[0], depth + 1);
    return r && *r == 0 ? std::optional<int64_t>(1) : std::nullopt;
  }
  if (p->op_type == "ConstantOfShape") {
    if (auto vals = e.int_values(p->inputs[0]); vals && vals->size() == 1) return (*vals)[0];
    const ir::Node* shape = e.producer(p->inputs[0]);
    if (shape && shape->op_type == "Shape" && rank_of(e, shape->inputs[0], depth + 1) == 1)
      return length_of(e, shape->inputs[0], depth + 1);
    return std::nullopt;
  }
  if (one_of(p->op_type, {"Cast", "Identity"}) ||
      (p->op_type == "Reshape" && e.int_values(p->inputs[1]) == std::vector<int64_t>{-1}))
    return length_of(e, p->inputs[0], depth + 1);
  if (p->op_type == "Where") {
    auto a = length_of(e, p->inputs[1], depth + 1);
    return a ? a : length_of(e, p->inputs[2], depth + 1);
  }
  if (one_of(p->op_type, {"Mul", "Add"})) {
    for (int k = 0; k < 2; ++k)
      if (e.scalar(p->inputs[static_cast<size_t>(1 - k)]))
        return length_of(e, p->inputs[static_cast<size_t>(k)], depth + 1);
  }
  return std::nullopt;
}

// Rank of an index tensor, from declared/inferred shapes or its producers.
std::optional<int64_t> rank_of(const GraphEditor& e, const std::string& v, int depth) {
  if (depth > 24) return std::nullopt;
  if (const ValueInfo* vi = e.info(v); vi && vi->has_shape) return static_cast<int64_t>(vi->shape.size());
  if (const Tensor* t = e.constant(v)) return static_cast<int64_t>(t->rank());
  const ir::Node* p = e.producer(v);
  if (!p) return std::nullopt;
  const std::string& op = p->op_type;
  if (one_of(op, {"Cast", "CumSum", "Not", "Neg", "Identity", "Slice"})) return rank_of(e, p->inputs[0], depth + 1);
  if (op == "Range") return 1;
  if (op == "Shape") return 1;
  if (op == "ConstantOfShape") return length_of(e, p->inputs[0], depth + 1);
  if (op == "Reshape") return length_of(e, p->inputs[1], depth + 1);
  if (op == "Unsqueeze" || op == "Squeeze") {
    auto r = rank_of(e, p->inputs[0], depth + 1);
    std::vector<int64_t> axes = p->attr_ints("axes");
    if (p->has_input(1)) {
      auto a = e.int_values(p->inputs[1]);
      if (!a) return std::nullopt;
      axes = *a;
    }
    if (!r || axes.empty()) return std::nullopt;
    return op == "Unsqueeze" ? *r + static_cast<int64_t>(axes.size()) : *r - static_cast<int64_t>(axes.size());
  }
  if (op == "Expand") {
    auto a = rank_of(e, p->inputs[0], depth + 1);
    auto b = length_of(e, p->inputs[1], depth + 1);
    if (!a || !b) return std::nullopt;
    return std::max(*a, *b);
  }
  if (one_of(op, {"Add", "Sub", "Mul", "Div", "Equal", "Where", "And", "Or"})) {
    int64_t r = 0;
    for (const auto& in : p->inputs) {
      auto ri = rank_of(e, in, depth + 1);
      if (!ri) return std::nullopt;
      r = std::max(r, *ri);
    }
    return r;
  }
  return std::nullopt;
}

// Follows shape/dtype-only ops up to a graph input.
std::string graph_input_root(const GraphEditor& e, std::string v) {
  for (int guard = 0; guard < 16; ++guard) {
    if (e.is_graph_input(v)) return v;
    const ir::Node* p = e.producer(v);
    if (!p || !one_of(p->op_type, {"Cast", "Reshape", "Unsqueeze", "Squeeze", "Identity", "Flatten"})) return {};
    v = p->inputs[0];
  }
  return {};
}

// 0, 1, 2, ... along the last axis of a constant (1-D, or [1, N]) with more than one element.
bool is_iota_constant(const GraphEditor& e, const std::string& v) {
  auto vals = e.int_values(v);
  const Tensor* t = e.constant(v);
  if (!vals || vals->size() < 2 || t->rank() > 2 || (t->rank() == 2 && t->dim(0) != 1)) return false;
  for (size_t i = 0; i < vals->size(); ++i)
    if ((*vals)[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Position ids 0..S-1 (per row): what EmbedLayerNormalization uses when position_ids is omitted.
bool is_arange(const GraphEditor& e, std::string v) {
  for (int guard = 0; guard < 16; ++guard) {
    if (is_iota_constant(e, v)) return true;
    const ir::Node* p = e.producer(v);
    if (!p) return false;
    if (one_of(p->op_type, {"Cast", "Unsqueeze", "Identity"}) || (p->op_type == "Expand")) {
      v = p->inputs[0];
      continue;
    }
    if (p->op_type == "Range") {
      auto limit = e.scalar(p->inputs[1]);
      return norm::is_scalar(e, p->inputs[0], 0) && norm::is_scalar(e, p->inputs[2], 1) && (!limit || *limit > 1);
    }
    if (p->op_type == "Slice") {
      const Tensor* data = e.constant(p->inputs[0]);
      if (!data || !is_iota_constant(e, p->inputs[0])) return false;
      auto starts = e.int_values(p->inputs[1]);
      if (!starts || starts->size() != 1 || (*starts)[0] != 0) return false;
      if (auto ends = e.int_values(p->inputs[2]); ends && (ends->size() != 1 || (*ends)[0] <= 1)) return false;
      if (p->has_input(3)) {
        auto axes = e.int_values(p->inputs[3]);
        const int64_t last = static_cast<int64_t>(data->rank()) - 1;
        if (!axes || axes->size() != 1 || ((*axes)[0] != -1 && (*axes)[0] != last)) return false;
      } else if (data->rank() != 1) {
        return false;
      }
      if (p->has_input(4)) {
        auto steps = e.int_values(p->inputs[4]);
        if (!steps || steps->size() != 1 || (*steps)[0] != 1) return false;
      }
      return true;
    }
    return false;
  }
  return false;
}

// Ids all equal to one constant: Expand/Slice/reshapes of a constant with equal values, or ConstantOfShape.
std::optional<int64_t> fill_value(const GraphEditor& e, std::string v) {
  for (int guard = 0; guard < 16; ++guard) {
    if (auto vals = e.int_values(v)) {
      if (vals->empty() || std::any_of(vals->begin(), vals->end(), [&](int64_t x) { return x != (*vals)[0]; }))
        return std::nullopt;
      return (*vals)[0];
    }
    const ir::Node* p = e.producer(v);
    if (!p) return std::nullopt;
    if (p->op_type == "ConstantOfShape") {
      const ir::Attribute* a = p->find_attribute("value");
      if (!a) return 0;
      if (a->kind != ir::Attribute::Kind::kTensor || a->t.numel() != 1) return std::nullopt;
      if (a->t.dtype() == DType::kInt64) return a->t.data<int64_t>()[0];
      if (a->t.dtype() == DType::kInt32) return a->t.data<int32_t>()[0];
      return std::nullopt;
    }
    if (!one_of(p->op_type, {"Cast", "Unsqueeze", "Squeeze", "Reshape", "Identity", "Expand", "Slice", "Flatten"}))
      return std::nullopt;
    v = p->inputs[0];
  }
  return std::nullopt;
}

std::optional<Leaf> make_leaf(const GraphEditor& e, const ir::Node* g, int64_t hidden, DType dtype) {
  if (!g || g->op_type != "Gather" || !g->domain.empty() || g->attr_int("axis", 0) != 0 || g->inputs.size() != 2)
    return std::nullopt;
  const Tensor* table = e.constant(g->inputs[0]);
  if (!table || table->rank() != 2 || table->dim(1) != hidden || table->dtype() != dtype) return std::nullopt;
  Leaf l;
  l.gather = g;
  l.ids = g->inputs[1];
  l.rows = table->dim(0);
  l.input_name = graph_input_root(e, l.ids);
  if (!l.input_name.empty())
    l.kind = IdsKind::kInput;
  else if (is_arange(e, l.ids))
    l.kind = IdsKind::kArange;
  else if (auto k = fill_value(e, l.ids))
    l.kind = IdsKind::kFill, l.fill = *k;
  return l;
}

struct EmbedMatch {
  std::vector<const ir::Node*> nodes;  // Adds + Gathers + LayerNorm
  const Leaf* word = nullptr;
  const Leaf* position = nullptr;
  const Leaf* segment = nullptr;
  std::vector<Leaf> leaves;
  std::string sum;                   // the top Add's output when read elsewhere
  std::vector<std::string> renamed;  // Gather outputs whose Shape readers read the fused output instead
};

// Whether `value` is computed from `node`'s outputs (a bounded walk up the producers).
bool depends_on(const GraphEditor& e, const std::string& value, const ir::Node& node) {
  std::vector<std::string> stack = {value};
  std::set<std::string> seen;
  while (!stack.empty() && seen.size() < 4096) {
    const std::string v = stack.back();
    stack.pop_back();
    if (!seen.insert(v).second) continue;
    const ir::Node* p = e.producer(v);
    if (!p) continue;
    if (p == &node) return true;
    for (const auto& in : p->inputs)
      if (!in.empty()) stack.push_back(in);
  }
  return false;
}

// Collects the Gathers under the Add tree rooted at `v` (at most 3 leaves).
// A constant [1, S, H] or [S, H] of the embedding dtype: rows already looked up.
std::optional<Leaf> rows_leaf(const GraphEditor& e, const std::string& v, int64_t hidden, DType dtype) {
  const Tensor* t = e.constant(v);
  if (!t || t->dtype() != dtype || dtype != DType::kFloat32 || t->rank() < 2 || t->rank() > 3) return std::nullopt;
  if (t->dim(t->rank() - 1) != hidden || (t->rank() == 3 && t->dim(0) != 1)) return std::nullopt;
  Leaf l;
  l.kind = IdsKind::kRows;
  l.constant_rows = t;
  l.rows = t->dim(t->rank() - 2);
  const float* d = t->data<float>();
  l.rows_equal = true;
  for (int64_t r = 1; r < l.rows && l.rows_equal; ++r) l.rows_equal = std::equal(d, d + hidden, d + r * hidden);
  return l;
}

bool collect(const GraphEditor& e, const std::string& v, bool top, EmbedMatch& m, int64_t hidden, DType dtype) {
  const ir::Node* p = e.producer(v);
  if (!top && m.leaves.size() < 3)
    if (auto leaf = rows_leaf(e, v, hidden, dtype)) {
      m.leaves.push_back(*leaf);
      return true;
    }
  if (!p) return false;
  if (p->op_type == "Add" && p->domain.empty() && p->inputs.size() == 2) {
    if (!top && (e.is_graph_output(v) || e.consumers(v).size() != 1)) return false;
    m.nodes.push_back(p);
    return collect(e, p->inputs[0], false, m, hidden, dtype) && collect(e, p->inputs[1], false, m, hidden, dtype);
  }
  if (top || m.leaves.size() >= 3) return false;
  auto leaf = make_leaf(e, p, hidden, dtype);
  if (!leaf) return false;
  m.leaves.push_back(*leaf);
  return true;
}

std::optional<EmbedMatch> match(const GraphEditor& e, const ir::Node& ln, int64_t hidden, DType dtype) {
  EmbedMatch m;
  m.leaves.reserve(3);
  if (!collect(e, ln.inputs[0], true, m, hidden, dtype) || m.leaves.size() < 2) return std::nullopt;
  // Word ids: a graph input without a position/segment name; the largest table among several.
  auto hinted = [](const Leaf& l, std::initializer_list<const char*> parts) {
    for (const char* part : parts)
      if (contains(l.input_name, part)) return true;
    return false;
  };
  for (const Leaf& l : m.leaves)
    if (l.kind == IdsKind::kInput && !hinted(l, {"position", "token_type", "segment"}) &&
        (!m.word || l.rows > m.word->rows))
      m.word = &l;
  if (!m.word) return std::nullopt;
  for (const Leaf& l : m.leaves)
    if (&l != m.word && (l.kind == IdsKind::kArange || (l.kind == IdsKind::kInput && hinted(l, {"position"}))))
      m.position = m.position ? nullptr : &l;
  if (!m.position)
    for (const Leaf& l : m.leaves)
      if (&l != m.word && l.kind == IdsKind::kComputed) m.position = &l;
  if (!m.position)  // constant rows that differ: the position rows 0..S-1 themselves
    for (const Leaf& l : m.leaves)
      if (l.kind == IdsKind::kRows && !l.rows_equal) m.position = &l;
  if (!m.position) return std::nullopt;
  for (const Leaf& l : m.leaves)
    if (&l != m.word && &l != m.position) m.segment = &l;
  if (m.segment && m.segment->kind != IdsKind::kInput && m.segment->kind != IdsKind::kFill &&
      !(m.segment->kind == IdsKind::kRows && m.segment->rows_equal))
    return std::nullopt;
  // Ranks: ids passed to the op are [batch, sequence] (position ids may be [1, sequence]).
  if (rank_of(e, m.word->ids, 0) != 2) return std::nullopt;
  const bool position_ids = m.position->kind != IdsKind::kArange && m.position->kind != IdsKind::kRows;
  if (position_ids && rank_of(e, m.position->ids, 0) != 2) return std::nullopt;
  if (m.segment && m.segment->kind == IdsKind::kInput) {
    if (rank_of(e, m.segment->ids, 0) != 2) return std::nullopt;
    auto a = norm::known_dims(e, m.word->ids), b = norm::known_dims(e, m.segment->ids);
    if (a && b && (!norm::same_dim((*a)[0], (*b)[0]) || !norm::same_dim((*a)[1], (*b)[1]))) return std::nullopt;
  }
  if (m.segment && m.segment->kind == IdsKind::kFill && (m.segment->fill < 0 || m.segment->fill >= m.segment->rows))
    return std::nullopt;
  const std::string& top = ln.inputs[0];
  if (e.is_graph_output(top) || e.consumers(top).size() > 1) m.sum = top;
  // Gather outputs read outside the sum only by Shape nodes (DistilBERT takes the sequence length from the word
  // embeddings): a word/segment Shape then reads the fused output (same [batch, sequence, hidden] shape) unless the
  // ids the op reads depend on it; otherwise that Gather stays.
  std::vector<const ir::Node*> adds = m.nodes;
  adds.push_back(&ln);
  std::vector<std::string> passed = {m.word->ids};
  if (m.segment && m.segment->kind == IdsKind::kInput) passed.push_back(m.segment->ids);
  if (position_ids) passed.push_back(m.position->ids);
  for (const Leaf& l : m.leaves) {
    if (!l.gather) continue;
    const std::string& out = l.gather->outputs[0];
    if (e.is_graph_output(out)) return std::nullopt;
    std::vector<const ir::Node*> shapes;
    for (const ir::Node* c : e.consumers(out)) {
      if (std::find(adds.begin(), adds.end(), c) != adds.end()) continue;
      if (c->op_type != "Shape") return std::nullopt;
      shapes.push_back(c);
    }
    if (shapes.empty()) {
      m.nodes.push_back(l.gather);
      continue;
    }
    const bool same_shape = &l == m.word || (&l == m.segment && l.kind == IdsKind::kInput);
    bool feeds_op = false;
    for (const std::string& v : passed)
      for (const ir::Node* s : shapes) feeds_op = feeds_op || depends_on(e, v, *s);
    if (same_shape && !feeds_op) {
      m.renamed.push_back(out);
      m.nodes.push_back(l.gather);
    }
  }
  std::vector<const ir::Node*> all = m.nodes;
  all.push_back(&ln);
  std::vector<std::string> keep = {ln.outputs[0]};
  if (!m.sum.empty()) keep.push_back(m.sum);
  for (const std::string& r : m.renamed) keep.push_back(r);
  if (!e.only_used_inside(all, keep)) return std::nullopt;
  return m;
}

// int32 ids for the op: the value itself when already int32, else a Cast.
std::string as_int32(GraphEditor& e, const std::string& ids) {
  if (e.dtype(ids) == DType::kInt32) return ids;
  const std::string out = e.unique_name(ids + "_int32");
  ir::Node cast = make_node("Cast", "", {ids}, {out});
  cast.attributes["to"] = int_attr(static_cast<int64_t>(DType::kInt32));
  e.add(std::move(cast));
  return out;
}

// position_table + segment_table[k] on every row (float32 tables).
Tensor fold_segment_row(const Tensor& position, const Tensor& segment, int64_t k) {
  Tensor out = position.clone();
  const int64_t rows = position.dim(0), cols = position.dim(1);
  float* o = out.data<float>();
  const float* s = segment.data<float>() + k * cols;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) o[r * cols + c] += s[c];
  return out;
}

class FuseEmbedLayerNormPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseEmbedLayerNorm"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    if (!ctx.supports(graph, "EmbedLayerNormalization", kMsDomain)) return ok_status();
    GraphEditor e(graph);
    int fused = 0;
    for (const ir::Node& ln : graph.nodes) {
      if (ln.op_type != "LayerNormalization" || !ln.domain.empty() || e.is_removed(ln) || !ln.has_input(1)) continue;
      if (ln.attr_int("axis", -1) != -1 || ln.attr_int("stash_type", 1) != 1) continue;
      if (ln.outputs.size() > 1 && std::any_of(ln.outputs.begin() + 1, ln.outputs.end(), [&](const std::string& o) {
            return !o.empty() && (e.is_graph_output(o) || !e.consumers(o).empty());
          }))
        continue;
      const Tensor* gamma = norm::float_vector(e, ln.inputs[1]);
      if (!gamma || gamma->dtype() != DType::kFloat32) continue;
      const int64_t hidden = gamma->dim(0);
      if (ln.has_input(2) && !norm::float_vector(e, ln.inputs[2], hidden)) continue;
      auto m = match(e, ln, hidden, gamma->dtype());
      if (!m || !norm::none_removed(e, m->nodes)) continue;

      std::string position_table;
      Tensor positions;  // the position table as a tensor when it has to be rewritten
      if (m->position->kind == IdsKind::kRows) {
        const Tensor& rows = *m->position->constant_rows;
        positions = rows.reshaped({m->position->rows, hidden});
      } else {
        position_table = m->position->gather->inputs[0];
      }
      std::string segment_ids, segment_table;
      const bool fold = m->segment && (m->segment->kind == IdsKind::kFill || m->segment->kind == IdsKind::kRows);
      if (fold) {
        const Tensor& base = positions.defined() ? positions : *e.constant(position_table);
        positions = m->segment->kind == IdsKind::kFill
                        ? fold_segment_row(base, *e.constant(m->segment->gather->inputs[0]), m->segment->fill)
                        : fold_segment_row(base, m->segment->constant_rows->reshaped({m->segment->rows, hidden}), 0);
      } else if (m->segment) {
        segment_ids = as_int32(e, m->segment->ids);
        segment_table = m->segment->gather->inputs[0];
      }
      if (positions.defined())
        position_table =
            e.add_initializer((position_table.empty() ? ln.outputs[0] + "_position_rows" : position_table) +
                                  (fold ? "_with_segment" : ""),
                              positions.clone());
      std::string beta = ln.has_input(2) ? ln.inputs[2] : std::string();
      if (beta.empty()) beta = e.add_initializer(ln.outputs[0] + "_beta", norm::filled_vector(hidden, 0.f));
      std::vector<std::string> inputs = {as_int32(e, m->word->ids),
                                         segment_ids,
                                         m->word->gather->inputs[0],
                                         position_table,
                                         segment_table,
                                         ln.inputs[1],
                                         beta,
                                         ""};
      if (m->position->kind != IdsKind::kArange && m->position->kind != IdsKind::kRows)
        inputs.push_back(as_int32(e, m->position->ids));
      while (inputs.back().empty()) inputs.pop_back();
      std::vector<std::string> outputs = {ln.outputs[0], e.unique_name(ln.outputs[0] + "_mask_index")};
      if (!m->sum.empty()) outputs.push_back(m->sum);
      ir::Node embed = make_node("EmbedLayerNormalization", kMsDomain, std::move(inputs), std::move(outputs));
      embed.attributes["epsilon"] = float_attr(ln.attr_float("epsilon", 1e-5f));
      for (const std::string& r : m->renamed) e.rename_uses(r, ln.outputs[0]);
      m->nodes.push_back(&ln);
      e.remove(m->nodes);
      e.add(std::move(embed));
      ctx.record("EmbedLayerNormalization");
      ++fused;
    }
    if (fused == 0) return ok_status();
    e.ensure_opset(kMsDomain, 1);
    e.commit();
    changed = true;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_embed_layer_norm_pass() { return std::make_unique<FuseEmbedLayerNormPass>(); }

}  // namespace onyx::opt
