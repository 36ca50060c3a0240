// RemovePadding: computes a padded encoder batch without the padding (SessionOptions::remove_padding). Not part of
// any level: the pass manager runs it after the level passes when OptimizeOptions::remove_padding is set.
//
//   x [B,S,H] (value entering the first Attention, walked back through token-wise ops, e.g. EmbedLayerNorm's output)
//     |                                                             mask [B,S] (graph input, maybe via Cast)
//     v                                                                 |
//   Attention(x, W, b, mask) -> MatMul -> SkipLayerNorm -> ... -> Gather(token 0) -> head
//
//   => PackTokens(x, mask) -> packed [T,H], token_offset [B,S], cu_seqlens [B+1]          (com.onyx)
//      PackedAttention(packed, W, b, token_offset, cu_seqlens) -> MatMul -> SkipLayerNorm -> ...   (all [T, ...])
//      -> UnpackTokens(..., token_offset) -> [B,S,H] (zeros at padding) -> Gather(token 0) -> head  (com.onyx)
//
// Preconditions (else the graph is left unchanged): every com.microsoft Attention reads the same mask, a rank-2
// graph input (directly or through one Cast), and has no past / present / past_sequence_length, not unidirectional,
// float32 weights; attention_bias ([B|1, N|1, S, S], mpnet's relative position bias) is allowed. Forward from the
// packing point, a node runs on packed tokens when it is token-wise (the explicit list in `token_wise`) and every
// input is packed or a small constant; an Attention whose input is packed becomes PackedAttention. Every other reader
// of a packed value (and a graph output) gets an UnpackTokens that writes the value under its original name, so the
// rest of the graph is untouched. Values at unmasked positions are those of the padded computation (the padded
// keys' softmax weights are exactly 0 there); padded positions read 0.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

constexpr const char* kOnyxDomain = "com.onyx";

bool is_attention(const ir::Node& n) { return n.op_type == "Attention" && n.domain == kMsDomain; }

// Constant of rank <= 1 (a scalar or a per-channel vector): broadcasts over [T, H] as it did over [B, S, H].
bool is_small_constant(const GraphEditor& e, const std::string& v) {
  const Tensor* c = e.constant(v);
  return c && c->rank() <= 1;
}

// Whether `n` computes each token's row from that row only, given which of its inputs are packed. Inputs that are
// not packed must be the op's parameters (constants of the right rank); optional inputs may be absent.
bool token_wise(const GraphEditor& e, const ir::Node& n, const std::set<std::string>& packed) {
  auto is_packed = [&](size_t i) { return n.has_input(i) && packed.count(n.inputs[i]) > 0; };
  auto param_ok = [&](size_t i) { return !n.has_input(i) || (!is_packed(i) && is_small_constant(e, n.inputs[i])); };
  auto params_ok = [&](size_t from) {
    for (size_t i = from; i < n.inputs.size(); ++i)
      if (!param_ok(i)) return false;
    return true;
  };
  static const std::set<std::string> kUnary = {"Relu", "Tanh", "Sigmoid", "Erf", "Identity", "Cast", "Neg", "Sqrt"};
  static const std::set<std::string> kBinary = {"Add", "Sub", "Mul", "Div"};
  if (n.domain.empty()) {
    if (kUnary.count(n.op_type)) return n.inputs.size() == 1 && is_packed(0);
    if (kBinary.count(n.op_type)) {
      if (n.inputs.size() != 2 || (!is_packed(0) && !is_packed(1))) return false;
      return (is_packed(0) || param_ok(0)) && (is_packed(1) || param_ok(1));
    }
    if (n.op_type == "MatMul") {
      const Tensor* w = n.inputs.size() == 2 && !is_packed(1) ? e.constant(n.inputs[1]) : nullptr;
      return is_packed(0) && w && w->rank() == 2;
    }
    if (n.op_type == "LayerNormalization" || n.op_type == "SimplifiedLayerNormalization") {
      if (!is_packed(0) || !params_ok(1)) return false;
      const int64_t axis = n.attr_int("axis", -1);
      return axis == -1 || (axis >= 0 && e.rank(n.inputs[0]) == static_cast<size_t>(axis + 1));
    }
    return false;
  }
  if (n.domain != kMsDomain) return false;
  if (n.op_type == "SkipLayerNormalization" || n.op_type == "SkipSimplifiedLayerNormalization")
    return is_packed(0) && is_packed(1) && params_ok(2);
  if (n.op_type == "BiasGelu" || n.op_type == "FastGelu" || n.op_type == "Gelu") return is_packed(0) && params_ok(1);
  return false;
}

// Attention nodes the packed form can replace; their common mask value, or "" when any does not qualify.
std::string common_mask(const GraphEditor& e, const std::vector<const ir::Node*>& attentions) {
  std::string mask;
  for (const ir::Node* a : attentions) {
    if (!a->has_input(3) || a->has_input(4) || a->has_input(6) || a->inputs.size() > 7) return "";
    if (a->outputs.size() > 1 && !a->outputs[1].empty()) return "";  // present
    if (a->attr_int("unidirectional", 0) != 0 || a->attr_int("do_rotary", 0) != 0) return "";
    if (a->attr_int("past_present_share_buffer", 0) != 0) return "";
    if (e.dtype(a->inputs[1]) != DType::kFloat32) return "";
    if (mask.empty()) mask = a->inputs[3];
    if (a->inputs[3] != mask) return "";
  }
  // A rank-2 graph input, directly or through one Cast.
  std::string source = mask;
  if (const ir::Node* cast = e.producer(mask)) {
    if (cast->op_type != "Cast" || !cast->domain.empty() || !cast->has_input(0)) return "";
    source = cast->inputs[0];
  }
  if (!e.is_graph_input(source) || e.rank(source) != 2u) return "";
  return mask;
}

class RemovePaddingPass final : public Pass {
 public:
  std::string_view name() const override { return "RemovePadding"; }
  Level level() const override { return Level::kExtended; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    changed = false;
    for (const char* op : {"PackTokens", "UnpackTokens"})
      if (!ctx.supports(graph, op, kOnyxDomain)) return ok_status();
    if (!ctx.supports(graph, "PackedAttention", kMsDomain)) return ok_status();
    auto order = graph.topological_order();
    if (!order.ok()) return ok_status();
    GraphEditor e(graph);
    std::vector<const ir::Node*> attentions;
    for (size_t i : *order)
      if (is_attention(graph.nodes[i])) attentions.push_back(&graph.nodes[i]);
    for (const ir::Node& n : graph.nodes)
      if (n.op_type == "PackTokens" && n.domain == kOnyxDomain) return ok_status();  // already done
    if (attentions.empty()) return ok_status();
    const std::string mask = common_mask(e, attentions);
    if (mask.empty()) return ok_status();

    // The packing point: the first Attention's input, walked back through single-input token-wise producers.
    std::string point = attentions.front()->inputs[0];
    for (const ir::Node* p = e.producer(point); p && p->outputs.size() == 1 && p->has_input(0);
         p = e.producer(point)) {
      if (!token_wise(e, *p, {p->inputs[0]})) break;
      point = p->inputs[0];
    }

    const std::string tag = e.unique_name("remove_padding");
    const std::string offsets = tag + "_token_offset", cu = tag + "_cu_seqlens";
    std::unordered_map<std::string, std::string> packed_name = {{point, tag + "_packed"}};
    std::set<std::string> packed = {point};
    e.add(make_node("PackTokens", kOnyxDomain, {point, mask}, {packed_name[point], offsets, cu}, tag + "_pack"));

    // Forward, in topological order: token-wise nodes and Attentions on packed inputs are rewritten.
    std::set<const ir::Node*> converted;
    int attention_count = 0;
    for (size_t i : *order) {
      const ir::Node& n = graph.nodes[i];
      const bool reads_packed = std::any_of(n.inputs.begin(), n.inputs.end(),
                                            [&](const std::string& v) { return packed.count(v) > 0; });
      if (!reads_packed) continue;
      ir::Node r = n;
      if (is_attention(n)) {
        if (packed.count(n.inputs[0]) == 0 || std::any_of(n.inputs.begin() + 1, n.inputs.end(), [&](const auto& v) {
              return packed.count(v) > 0;
            }))
          continue;
        r = make_node("PackedAttention", kMsDomain,
                      {packed_name[n.inputs[0]], n.inputs[1], n.inputs[2], offsets, cu,
                       n.inputs.size() > 5 ? n.inputs[5] : std::string()},
                      {n.outputs[0]}, n.name.empty() ? std::string() : n.name + "_packed");
        while (!r.inputs.empty() && r.inputs.back().empty()) r.inputs.pop_back();
        for (const char* attr : {"num_heads", "qkv_hidden_sizes", "scale"})
          if (const ir::Attribute* a = n.find_attribute(attr)) r.attributes[attr] = *a;
        ++attention_count;
      } else if (token_wise(e, n, packed)) {
        r.name = n.name.empty() ? std::string() : n.name + "_packed";
        for (auto& in : r.inputs)
          if (packed.count(in)) in = packed_name[in];
        if (r.op_type == "LayerNormalization" || r.op_type == "SimplifiedLayerNormalization")
          r.attributes["axis"] = int_attr(-1);
      } else {
        continue;
      }
      for (auto& out : r.outputs) {
        if (out.empty()) continue;
        const std::string orig = out;
        out = e.unique_name(orig + "_packed");
        packed_name[orig] = out;
        packed.insert(orig);
      }
      e.remove(n);
      e.add(std::move(r));
      converted.insert(&n);
    }

    // Readers left on the padded layout, and graph outputs: UnpackTokens writes the value under its original name.
    int unpacks = 0;
    for (const auto& [orig, name] : packed_name) {
      if (orig == point) continue;  // its producer stays
      bool needed = e.is_graph_output(orig);
      for (const ir::Node* c : e.consumers(orig)) needed |= converted.count(c) == 0;
      if (!needed) continue;
      e.add(make_node("UnpackTokens", kOnyxDomain, {name, offsets}, {orig}, orig + "_unpack"));
      ++unpacks;
    }
    e.ensure_opset(kOnyxDomain, 1);
    e.ensure_opset(kMsDomain, 1);
    e.commit();
    ctx.record("PackTokens");
    ctx.record("PackedAttention", attention_count);
    ctx.record("UnpackTokens", unpacks);
    changed = true;
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_remove_padding_pass() { return std::make_unique<RemovePaddingPass>(); }

}  // namespace onyx::opt
