// FuseSkipLayerNorm: residual Add (+ the bias Add of the projection before it) + LayerNorm
//   -> com.microsoft.SkipLayerNormalization; the same over SimplifiedLayerNormalization
//   -> com.microsoft.SkipSimplifiedLayerNormalization.
//
//   MatMul(...) --> [Add(bias)] --+
//                                 v
//   residual -------------------> Add --> [no-op Cast] --> LayerNormalization(gamma, beta) --> Y
//                                  |                    (or SimplifiedLayerNormalization(gamma))
//                                  +--> other readers (pre-norm models: GPT-2 ln_2, T5)
//
//   => SkipLayerNormalization(input, skip, gamma, beta, [bias]) -> Y, "", "", [sum]
//      SkipSimplifiedLayerNormalization(input, skip, gamma, [bias]) -> Y, "", "", [sum]
//
// The bias is a 1-D constant of the hidden size added to a MatMul output (either operand order). When the Add's sum
// is read elsewhere, output 3 (input_skip_bias_sum) writes it under the Add's output name. T5 exports put a Cast to
// the same type between the Add and the norm (`x.to(float32)`); it stays if others read it, now reading the sum.
// Shapes: ONNX Runtime needs a 3-D input and a skip of the same shape, or with batch 1 / no batch (it broadcasts
// only that, and the batch-1 side becomes the skip); Adds whose operands are known to broadcast otherwise, or whose
// operand is a Gather of unknown shape (an embedding sum: position rows broadcast over the batch), are not fused. T5's
// residual is the word embedding Gather itself ([batch, sequence, hidden] from the ids' shape): fused.
#include <algorithm>

#include "src/opt/passes/norm_match.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

struct SkipMatch {
  std::vector<const ir::Node*> nodes;  // removed
  std::string input, skip, bias, sum;  // sum: empty when nobody else reads it
};

bool is_one(const Dim& d) { return d.is_fixed() && d.value == 1; }

// Certainly or by its declared name more than 1 (ONNX shape inference names unknown dims `unk__N`: no evidence).
bool is_larger(const Dim& d) {
  if (d.is_fixed()) return d.value > 1;
  return !d.symbol.empty() && d.symbol.rfind("unk__", 0) != 0;
}

// Whether `skip` may be added to `input` by SkipLayerNormalization (3-D input; skip of the same shape, or of batch 1,
// or without batch). Only evidence counts: fixed dims that differ, a fixed 1 against another dim on the last two axes
// (a broadcast), a batch-1 input against a skip whose batch is larger (fixed, or named by the model), or ranks that
// do not fit. Other symbolic and unknown dims (ONNX's `unk__N`) are accepted: shape inference stops at the first
// dynamic Reshape in most exports.
bool skip_shape_ok(const GraphEditor& e, const std::string& input, const std::string& skip) {
  auto a = norm::known_dims(e, input);
  auto b = norm::known_dims(e, skip);
  if (a && a->size() != 3) return false;
  if (b && b->size() != 3 && b->size() != 2) return false;
  if (!a || !b) return true;
  const auto& x = *a;
  const auto& s = *b;
  for (size_t k = 1; k <= 2; ++k) {
    const Dim& dx = x[3 - k];
    const Dim& ds = s[s.size() - k];
    if (dx.is_fixed() && ds.is_fixed() && dx.value != ds.value) return false;
    if (is_one(dx) != is_one(ds) && (dx.is_fixed() || ds.is_fixed())) return false;
  }
  if (s.size() == 2) return true;
  return !(is_one(x[0]) && is_larger(s[0]));
}

// Whether `value` is certainly the smaller side of a batch broadcast against `other` (it should be the skip).
bool is_batch_broadcast(const GraphEditor& e, const std::string& value, const std::string& other) {
  auto a = norm::known_dims(e, value);
  auto b = norm::known_dims(e, other);
  if (!a || !b) return false;
  if (a->size() < b->size()) return true;
  return a->size() == 3 && b->size() == 3 && is_one((*a)[0]) && is_larger((*b)[0]);
}

std::optional<SkipMatch> match(const GraphEditor& e, const ir::Node& ln, const Tensor& gamma) {
  const int64_t hidden = gamma.dim(0);
  SkipMatch m;
  const ir::Node* add = e.parent(ln, 0);
  const ir::Node* cast = nullptr;
  if (add && add->op_type == "Cast" && norm::is_noop_cast(e, *add)) {
    cast = add;
    add = e.parent(*cast, 0);
  }
  if (!add || add->op_type != "Add" || !add->domain.empty() || add->inputs.size() != 2) return std::nullopt;
  std::string a = add->inputs[0], b = add->inputs[1];
  if (!norm::is_activation(e, a) || !norm::is_activation(e, b) || a == b) return std::nullopt;
  // An embedding lookup of unknown shape may be a position row broadcast over the batch: not fused.
  for (const std::string& v : {a, b})
    if (const ir::Node* p = e.producer(v); p && p->op_type == "Gather" && !norm::known_dims(e, v)) return std::nullopt;
  DType t = e.dtype(ln.inputs[0]);
  if (t == DType::kUndefined) t = gamma.dtype();
  for (const std::string& v : {a, b})
    if (e.dtype(v) != DType::kUndefined && t != DType::kUndefined && e.dtype(v) != t) return std::nullopt;
  m.nodes = {add};
  // The bias Add of a projection: Add(MatMul(...), bias) read only by the residual Add.
  for (int side = 0; side < 2 && m.bias.empty(); ++side) {
    const std::string& v = side == 0 ? a : b;
    const ir::Node* bias_add = e.producer(v);
    if (!bias_add || bias_add->op_type != "Add" || bias_add->inputs.size() != 2) continue;
    for (int k = 0; k < 2; ++k) {
      const std::string& c = bias_add->inputs[static_cast<size_t>(k)];
      const std::string& mm = bias_add->inputs[static_cast<size_t>(1 - k)];
      const Tensor* bias = norm::float_vector(e, c, hidden);
      const ir::Node* mp = e.producer(mm);
      if (!bias || bias->dtype() != t || !mp || mp->op_type != "MatMul" || !norm::is_activation(e, mm)) continue;
      if (e.is_graph_output(v) || e.consumers(v).size() != 1) continue;
      m.bias = c;
      m.input = mm;
      m.skip = side == 0 ? b : a;
      m.nodes.push_back(bias_add);
      break;
    }
  }
  if (m.bias.empty()) {
    m.input = a;
    m.skip = b;
    if (is_batch_broadcast(e, a, b)) std::swap(m.input, m.skip);
  }
  if (!skip_shape_ok(e, m.input, m.skip)) return std::nullopt;
  // Who else reads the sum (or the no-op Cast of it)?
  const std::string& sum = add->outputs[0];
  bool sum_needed = e.is_graph_output(sum);
  for (const ir::Node* c : e.consumers(sum))
    if (c != &ln && c != cast) sum_needed = true;
  if (cast) {
    bool cast_needed = e.is_graph_output(cast->outputs[0]);
    for (const ir::Node* c : e.consumers(cast->outputs[0]))
      if (c != &ln) cast_needed = true;
    if (cast_needed)
      sum_needed = true;  // the Cast stays and reads the fused node's sum output
    else
      m.nodes.push_back(cast);
  }
  if (sum_needed) m.sum = sum;
  return m;
}

class FuseSkipLayerNormPass final : public Pass {
 public:
  std::string_view name() const override { return "FuseSkipLayerNorm"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    const bool skip_ln = ctx.supports(graph, "SkipLayerNormalization", kMsDomain);
    const bool skip_sln = ctx.supports(graph, "SkipSimplifiedLayerNormalization", kMsDomain);
    if (!skip_ln && !skip_sln) return ok_status();
    GraphEditor e(graph);
    int fused = 0;
    for (const ir::Node& ln : graph.nodes) {
      const bool simplified = ln.op_type == "SimplifiedLayerNormalization";
      if ((ln.op_type != "LayerNormalization" && !simplified) || !ln.domain.empty() || e.is_removed(ln)) continue;
      if (!(simplified ? skip_sln : skip_ln)) continue;
      // Normalizes the last axis, default stash type, no extra outputs read.
      const int64_t axis = ln.attr_int("axis", -1);
      if (axis != -1 && !(e.rank(ln.inputs[0]) && axis == static_cast<int64_t>(*e.rank(ln.inputs[0])) - 1)) continue;
      if (ln.attr_int("stash_type", 1) != 1) continue;
      bool extra_outputs = false;
      for (size_t i = 1; i < ln.outputs.size(); ++i)
        if (!ln.outputs[i].empty() && (e.is_graph_output(ln.outputs[i]) || !e.consumers(ln.outputs[i]).empty()))
          extra_outputs = true;
      if (extra_outputs || !ln.has_input(1)) continue;
      const Tensor* gamma = norm::float_vector(e, ln.inputs[1]);
      if (!gamma) continue;
      const std::string beta = !simplified && ln.has_input(2) ? ln.inputs[2] : std::string();
      if (!beta.empty() && !norm::float_vector(e, beta, gamma->dim(0))) continue;
      auto m = match(e, ln, *gamma);
      if (!m || !norm::none_removed(e, m->nodes)) continue;
      std::vector<std::string> inputs = {m->input, m->skip, ln.inputs[1]};
      if (!simplified) inputs.push_back(beta);
      if (!m->bias.empty()) inputs.push_back(m->bias);
      while (inputs.back().empty()) inputs.pop_back();
      std::vector<std::string> outputs = {ln.outputs[0]};
      if (!m->sum.empty()) outputs.insert(outputs.end(), {"", "", m->sum});
      const char* op = simplified ? "SkipSimplifiedLayerNormalization" : "SkipLayerNormalization";
      ir::Node skip = make_node(op, kMsDomain, std::move(inputs), std::move(outputs));
      skip.attributes["epsilon"] = float_attr(ln.attr_float("epsilon", 1e-5f));
      m->nodes.push_back(&ln);
      e.remove(m->nodes);
      e.add(std::move(skip));
      ctx.record(op);
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

std::unique_ptr<Pass> make_fuse_skip_layer_norm_pass() { return std::make_unique<FuseSkipLayerNormPass>(); }

}  // namespace onyx::opt
