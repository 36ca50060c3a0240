// EliminateTranspose: merges consecutive Transposes and removes identity permutations (ONNX Runtime's
// TransposeOptimizer, its simplest cases).
//
//   x -> Transpose(p1) -> Transpose(p2) -> y   =>   x -> Transpose(p) -> y,  p[i] = p1[p2[i]]
//                                                   (the first Transpose stays while something else reads it)
//   x -> Transpose(perm = 0, 1, ..., n-1) -> y  =>   x -> (readers of y)
//
// A missing perm reverses the dims; it is resolved from the rank of the input (or of the other perm), else the
// Transpose is left alone.
#include "src/opt/passes/basic_rewrites.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

bool is_transpose(const ir::Node* node) {
  return node && node->domain.empty() && node->op_type == "Transpose" && node->has_input(0);
}

// The node's permutation; `rank_hint` (-1: unknown) resolves a missing perm attribute.
std::optional<std::vector<int64_t>> perm_of(const GraphEditor& editor, const ir::Node& node, int64_t rank_hint = -1) {
  if (node.has_attribute("perm")) return node.attr_ints("perm");
  int64_t rank = rank_hint;
  if (auto r = editor.rank(node.inputs[0])) rank = static_cast<int64_t>(*r);
  if (rank < 0) return std::nullopt;
  std::vector<int64_t> p;
  for (int64_t i = rank - 1; i >= 0; --i) p.push_back(i);
  return p;
}

bool is_identity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

bool is_identity_transpose(const GraphEditor& editor, const ir::Node& node) {
  if (!is_transpose(&node)) return false;
  auto p = perm_of(editor, node);
  return p && is_identity(*p);
}

class EliminateTransposePass final : public Pass {
 public:
  std::string_view name() const override { return "EliminateTranspose"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    int rewrites = 0;
    GraphEditor editor(graph);
    // Batch 1 (re-creates nodes): Transpose(Transpose(x)) -> one Transpose of x.
    for (const ir::Node& node : graph.nodes) {
      if (!is_transpose(&node)) continue;
      const ir::Node* first = editor.producer(node.inputs[0]);
      if (!is_transpose(first)) continue;
      auto p1 = perm_of(editor, *first, node.has_attribute("perm") ? static_cast<int64_t>(node.attr_ints("perm").size()) : -1);
      if (!p1) continue;
      auto p2 = perm_of(editor, node, static_cast<int64_t>(p1->size()));
      if (!p2 || p1->size() != p2->size()) continue;
      std::vector<int64_t> perm;
      bool valid = true;
      for (int64_t i : *p2) {
        if (i < 0 || i >= static_cast<int64_t>(p1->size())) valid = false;
        else perm.push_back((*p1)[static_cast<size_t>(i)]);
      }
      if (!valid) continue;
      ir::Node merged = node;
      merged.inputs = {first->inputs[0]};
      merged.attributes["perm"] = ints_attr(perm);
      editor.remove(node);
      editor.add(std::move(merged));
      ++rewrites;
    }
    if (rewrites) editor.commit();
    // Batch 2 (renames) and 3 (re-creates producers): identity permutations.
    rewrites += basic::bypass_all(editor, [&](const ir::Node& node) { return is_identity_transpose(editor, node); });
    changed = rewrites > 0;
    if (changed) ctx.count(name(), rewrites);
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_transpose_pass() { return std::make_unique<EliminateTransposePass>(); }

}  // namespace onyx::opt
