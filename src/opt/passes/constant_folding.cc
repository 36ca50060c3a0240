// ConstantFolding: evaluates what is known before any input arrives and stores it as initializers (ONNX Runtime's
// ConstantFolding transformer).
//
//   Constant(value)                 ->  initializer
//
//   init_a   init_b
//      \      /
//      op (CPU kernel)              ->  initializer(s) op(init_a, init_b), each output <= kMaxElements
//
//   x [2, 7, 32] (static)
//      |
//    Shape                          ->  initializer [2, 7, 32]   (Size -> initializer 448)
//
//   x [batch, seq, 32]                   (only the selected dims must be static: the chains exports build
//      |                                  Reshape shapes from)
//    Shape --- Gather(indices = 2)  ->  initializer 32
//          \-- Slice(starts = [2])  ->  initializer [32]
//
// Shapes come from the graph inputs' declared dims and the ONNX-inferred value infos the loader keeps. Not folded:
// nodes with subgraphs, random ops, DequantizeLinear (a QDQ weight must stay int8 for FuseQdqMatMul /
// FuseQdqAttention, and small: ONNX Runtime excludes it too), nodes without inputs other than Constant, ops without a
// CPU kernel, nodes whose kernel fails, outputs over kMaxElements elements (ConstantOfShape / Expand blow-ups) and
// nodes that produce a graph output (the output must stay produced by a node).
#include <algorithm>
#include <unordered_map>

#include "src/ep/cpu/registry.h"
#include "src/opt/passes/basic_rewrites.h"
#include "src/opt/passes/passes.h"

namespace onyx::opt {

namespace {

constexpr int64_t kMaxElements = int64_t{1} << 24;

class HeapAllocator final : public cpu::OutputAllocator {
 public:
  Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
};

// The value of a Constant node (value / value_float(s) / value_int(s)); nullopt for sparse or string values.
std::optional<Tensor> constant_node_value(const ir::Node& node) {
  for (const auto& [name, a] : node.attributes) {
    if (name == "value" && a.kind == ir::Attribute::Kind::kTensor) return a.t;
    if (name == "value_float" && a.kind == ir::Attribute::Kind::kFloat) return Tensor::from_vector<float>({}, {a.f});
    if (name == "value_int" && a.kind == ir::Attribute::Kind::kInt) return Tensor::from_vector<int64_t>({}, {a.i});
    if (name == "value_floats" && a.kind == ir::Attribute::Kind::kFloats)
      return Tensor::from_vector<float>({static_cast<int64_t>(a.floats.size())}, a.floats);
    if (name == "value_ints" && a.kind == ir::Attribute::Kind::kInts)
      return Tensor::from_vector<int64_t>({static_cast<int64_t>(a.ints.size())}, a.ints);
  }
  return std::nullopt;
}

// Python-style 1-D slice [start:end:step] of the indices 0..n-1, clamped as ONNX Slice does.
std::vector<int64_t> slice_indices(int64_t n, int64_t start, int64_t end, int64_t step) {
  std::vector<int64_t> out;
  if (step == 0 || n <= 0) return out;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    for (int64_t i = start; i < end; i += step) out.push_back(i);
  } else {
    start = std::clamp<int64_t>(start, 0, n - 1);
    end = std::clamp<int64_t>(end, -1, n - 1);
    for (int64_t i = start; i > end; i += step) out.push_back(i);
  }
  return out;
}

class Folder {
 public:
  explicit Folder(GraphEditor& editor) : editor_(editor) {}

  int run() {
    const ir::Graph& graph = editor_.graph();
    std::vector<size_t> order;
    if (auto o = graph.topological_order(); o.ok()) order = std::move(o).value();
    else
      for (size_t i = 0; i < graph.nodes.size(); ++i) order.push_back(i);
    int folded = 0;
    for (size_t i : order) folded += fold(graph.nodes[i]) ? 1 : 0;
    return folded;
  }

 private:
  // An initializer, including the values folded so far in this run.
  const Tensor* known(const std::string& value) const {
    const auto& inits = editor_.graph().initializers;
    auto it = inits.find(value);
    return it == inits.end() ? nullptr : &it->second;
  }

  bool produces_graph_output(const ir::Node& node) const {
    for (const auto& o : node.outputs)
      if (!o.empty() && editor_.is_graph_output(o)) return true;
    return false;
  }

  // Stores the folded outputs as initializers under the same names and removes the node.
  void replace(const ir::Node& node, std::vector<Tensor> values) {
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i].empty()) continue;
      editor_.graph().initializers[node.outputs[i]] = values[i];
    }
    editor_.remove(node);
  }

  bool fold(const ir::Node& node) {
    if (node.has_subgraph() || basic::is_nondeterministic(node) || node.outputs.empty()) return false;
    if (produces_graph_output(node)) return false;
    const bool onnx_domain = node.domain.empty();
    if (onnx_domain && node.op_type == "Constant") {
      std::optional<Tensor> v = constant_node_value(node);
      if (!v || v->dtype() == DType::kString || node.outputs.size() != 1) return false;
      replace(node, {*v});
      return true;
    }
    if (onnx_domain && node.op_type == "DequantizeLinear") return false;
    if (onnx_domain && node.op_type == "Shape" && node.has_input(0) && !known(node.inputs[0])) return fold_shape(node);
    if (onnx_domain && node.op_type == "Size" && node.has_input(0) && !known(node.inputs[0])) return fold_size(node);
    if (onnx_domain && (node.op_type == "Gather" || node.op_type == "Slice") && fold_shape_part(node)) return true;
    return evaluate(node);
  }

  // Dims Shape(x) lists (start/end attributes applied); -1 for a dim that is not static.
  std::optional<std::vector<int64_t>> shape_output(const ir::Node& shape) const {
    if (!shape.has_input(0)) return std::nullopt;
    auto dims = basic::known_dims(editor_, shape.inputs[0]);
    if (!dims) return std::nullopt;
    const int64_t rank = static_cast<int64_t>(dims->size());
    auto norm = [rank](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
    const int64_t start = norm(shape.attr_int("start", 0));
    const int64_t end = norm(shape.attr_int("end", rank));
    if (end <= start) return std::vector<int64_t>{};
    return std::vector<int64_t>(dims->begin() + start, dims->begin() + end);
  }

  bool fold_shape(const ir::Node& node) {
    auto dims = shape_output(node);
    if (!dims) return false;
    for (int64_t d : *dims)
      if (d < 0) return false;
    replace(node, {Tensor::from_vector<int64_t>({static_cast<int64_t>(dims->size())}, *dims)});
    return true;
  }

  bool fold_size(const ir::Node& node) {
    auto dims = node.has_input(0) ? basic::known_dims(editor_, node.inputs[0]) : std::nullopt;
    if (!dims) return false;
    int64_t n = 1;
    for (int64_t d : *dims) {
      if (d < 0) return false;
      n *= d;
    }
    replace(node, {Tensor::from_vector<int64_t>({}, {n})});
    return true;
  }

  // Gather / Slice of a Shape whose selected dims are static.
  bool fold_shape_part(const ir::Node& node) {
    const ir::Node* shape = editor_.parent(node, 0, "Shape");
    if (!shape || !shape->domain.empty() || known(node.inputs[0])) return false;
    auto dims = shape_output(*shape);
    if (!dims) return false;
    const int64_t n = static_cast<int64_t>(dims->size());
    std::vector<int64_t> picked;
    Shape out_shape;
    if (node.op_type == "Gather") {
      if (node.attr_int("axis", 0) != 0 && node.attr_int("axis", 0) != -1) return false;
      const Tensor* indices = node.has_input(1) ? editor_.constant(node.inputs[1]) : nullptr;
      auto idx = indices ? editor_.int_values(node.inputs[1]) : std::nullopt;
      if (!idx) return false;
      for (int64_t i : *idx) {
        if (i < 0) i += n;
        if (i < 0 || i >= n) return false;
        picked.push_back(i);
      }
      out_shape = indices->shape();
    } else {
      std::vector<int64_t> starts, ends, axes{0}, steps{1};
      if (editor_.graph().opset("") < 10) {
        starts = node.attr_ints("starts");
        ends = node.attr_ints("ends");
        axes = node.attr_ints("axes", {0});
      } else {
        auto s = node.has_input(1) ? editor_.int_values(node.inputs[1]) : std::nullopt;
        auto e = node.has_input(2) ? editor_.int_values(node.inputs[2]) : std::nullopt;
        if (!s || !e) return false;
        starts = *s;
        ends = *e;
        if (node.has_input(3)) {
          auto a = editor_.int_values(node.inputs[3]);
          if (!a) return false;
          axes = *a;
        }
        if (node.has_input(4)) {
          auto st = editor_.int_values(node.inputs[4]);
          if (!st) return false;
          steps = *st;
        }
      }
      if (starts.size() != 1 || ends.size() != 1 || axes.size() != 1 || steps.size() != 1) return false;
      if (axes[0] != 0 && axes[0] != -1) return false;
      picked = slice_indices(n, starts[0], ends[0], steps[0]);
      if (steps[0] == 0) return false;
      out_shape = {static_cast<int64_t>(picked.size())};
    }
    std::vector<int64_t> values;
    for (int64_t i : picked) {
      if ((*dims)[static_cast<size_t>(i)] < 0) return false;
      values.push_back((*dims)[static_cast<size_t>(i)]);
    }
    replace(node, {Tensor::from_vector<int64_t>(out_shape, values)});
    return true;
  }

  // Runs the node's CPU kernel on its constant inputs.
  bool evaluate(const ir::Node& node) {
    bool any_input = false;
    std::unordered_map<std::string, Tensor> inputs;
    std::vector<const Tensor*> in_ptrs;
    for (const auto& in : node.inputs) {
      if (in.empty()) {
        in_ptrs.push_back(nullptr);
        continue;
      }
      const Tensor* t = known(in);
      if (!t) return false;
      inputs[in] = *t;
      in_ptrs.push_back(t);
      any_input = true;
    }
    if (!any_input) return false;
    const int64_t opset = std::max<int64_t>(editor_.graph().opset(node.domain), 1);
    const cpu::KernelDef* def = cpu::find_cpu_kernel(node.op_type, node.domain, opset);
    if (!def) return false;
    auto kernel = def->create(cpu::KernelInfo{node, opset, &inputs});
    if (!kernel.ok()) return false;
    std::vector<Tensor> outputs(node.outputs.size());
    HeapAllocator allocator;
    cpu::KernelContext kctx(node, in_ptrs, outputs, allocator);
    if (!(*kernel)->compute(kctx).ok()) return false;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (node.outputs[i].empty()) continue;
      if (!outputs[i].defined() || outputs[i].numel() > kMaxElements) return false;
    }
    replace(node, std::move(outputs));
    return true;
  }

  GraphEditor& editor_;
};

class ConstantFoldingPass final : public Pass {
 public:
  std::string_view name() const override { return "ConstantFolding"; }
  Level level() const override { return Level::kBasic; }
  Status run(ir::Graph& graph, PassContext& ctx, bool& changed) const override {
    GraphEditor editor(graph);
    const int folded = Folder(editor).run();
    changed = folded > 0;
    if (changed) {
      ctx.count(name(), folded);
      editor.commit();
    }
    return ok_status();
  }
};

}  // namespace

std::unique_ptr<Pass> make_constant_folding_pass() { return std::make_unique<ConstantFoldingPass>(); }

}  // namespace onyx::opt
