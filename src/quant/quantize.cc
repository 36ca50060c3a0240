// quant::quantize: the INT8 graph rewrite (see quantize.h for the op mapping per mode and format).
//
// QOperator, dynamic:
//   x ─► MatMul(W) [─► Add(b)] ─► y          =>   x ─► DynamicQuantizeMatMul(W_q, s_w, zp_w, b) ─► y
//   x ─► Gemm(W, C) ─► y                      =>   x ─► DynamicQuantizeMatMul(W_q, s_w, zp_w, beta*C) ─► y
//   x ─► Attention(W, b, mask, past) ─► y     =>   x ─► DynamicQuantizeLinear ─► (x_q, s_x, zp_x)
//                                                  ─► QAttention(x_q, W_q, b, s_x, s_w, mask, zp_x, zp_w, past) ─► y
// QOperator, static (s_x, zp_x from calibration):
//   x ─► MatMul / Gemm ─► y                   =>   x ─► QuantizeLinear(s_x, zp_x) ─► x_q
//                                                  ─► MatMulIntegerToFloat(x_q, W_q, s_x, s_w, zp_x, zp_w, b) ─► y
//   x ─► Attention ─► y                       =>   x ─► QuantizeLinear ─► QAttention(...) ─► y
// QDQ (both modes; the original op stays, reading dequantized copies):
//   x ─► Op(W) ─► y   =>   x ─► QuantizeLinear (static) | DynamicQuantizeLinear (dynamic) ─► DequantizeLinear ─┐
//                          W_q ─► DequantizeLinear(s_w, zp_w, axis) ───────────────────────────────────────────┴► Op
//
// W_q: int8, symmetric (zp_w = 0), per output column or per tensor, by cpu::quantize_weights_symmetric; stored
// [K, N] for the QOperator ops (a Gemm's transB weight and alpha are folded in), in W's own layout for QDQ.
// One quantizer (and, for QDQ, one DequantizeLinear) per activation tensor, shared by all quantized readers; one
// quantized copy per weight, shared likewise.
#include "src/quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "src/ep/cpu/gemm/qgemm.h"
#include "src/opt/graph_editor.h"
#include "src/quant/calibration.h"

namespace onyx::quant {

namespace {

using opt::GraphEditor;
using opt::make_node;

// Ops that only appear in quantized graphs (ONNX and com.microsoft).
bool is_quantized_op(const ir::Node& n) {
  static const std::set<std::string> kOps = {"QuantizeLinear",
                                             "DequantizeLinear",
                                             "DynamicQuantizeLinear",
                                             "MatMulInteger",
                                             "ConvInteger",
                                             "QGemm",
                                             "DynamicQuantizeMatMul",
                                             "MatMulIntegerToFloat",
                                             "QAttention",
                                             "DynamicQuantizeLSTM",
                                             "QEmbedLayerNormalization"};
  return kOps.count(n.op_type) > 0 || n.op_type.rfind("QLinear", 0) == 0;
}

enum class Kind { kMatMul, kGemm, kAttention };

// A node that will be quantized, with what the rewrite needs.
struct Target {
  const ir::Node* node = nullptr;
  Kind kind = Kind::kMatMul;
  std::string activation;  // input 0
  std::string weight;      // input 1 (a constant)
  const Tensor* w = nullptr;
  bool transposed = false;  // W stored [N, K] (Gemm transB = 1)
  int64_t k = 0, n = 0;
  float alpha = 1.0f;                          // Gemm; folded into W_q for QOperator
  std::string bias;                            // QOperator bias input: existing constant, or filled from new_bias
  std::optional<std::vector<float>> new_bias;  // a bias that must be made (Gemm beta * C broadcast to [N])
  const ir::Node* bias_add = nullptr;          // MatMul + Add(bias) folded into the QOperator op
};

bool fp32_or_unknown(DType d) { return d == DType::kFloat32 || d == DType::kUndefined; }

std::string describe_shape(const Tensor& t) { return dtype_name(t.dtype()) + " " + shape_to_string(t.shape()); }

// The constant fp32 2-D weight at input 1, or a reason why not.
const Tensor* weight_of(const GraphEditor& editor, const ir::Node& node, std::string& why) {
  const Tensor* w = node.has_input(1) ? editor.constant(node.inputs[1]) : nullptr;
  if (!w) {
    why = "weight (input 1) is not a constant";
    return nullptr;
  }
  if (w->dtype() != DType::kFloat32 || w->rank() != 2) {
    why = "weight is " + describe_shape(*w) + ", not a float32 2-D tensor";
    return nullptr;
  }
  return w;
}

// A constant fp32 bias that broadcasts to [n] (for a MatMul's Add: exactly [n]); nullptr otherwise.
const Tensor* row_bias(const GraphEditor& editor, const std::string& name, int64_t n, bool allow_broadcast) {
  const Tensor* b = editor.constant(name);
  if (!b || b->dtype() != DType::kFloat32) return nullptr;
  if (b->rank() == 1 && b->dim(0) == n) return b;
  if (!allow_broadcast) return nullptr;
  if (b->numel() == 1 && b->rank() <= 2) return b;
  if (b->rank() == 2 && b->dim(0) == 1 && b->dim(1) == n) return b;
  return nullptr;
}

// Checks `node` and fills `t`; returns an empty string when it can be quantized, else why not.
std::string match_target(const GraphEditor& editor, const ir::Node& node, QuantFormat format, Target& t) {
  t.node = &node;
  std::string why;
  if (!node.has_input(0)) return "input 0 is missing";
  t.activation = node.inputs[0];
  if (editor.constant(t.activation)) return "input 0 is a constant (fold it first: -O1 or higher)";
  if (!fp32_or_unknown(editor.dtype(t.activation)))
    return "input 0 is " + dtype_name(editor.dtype(t.activation)) + ", not float32";
  t.w = weight_of(editor, node, why);
  if (!t.w) return why;
  t.weight = node.inputs[1];
  if (t.kind == Kind::kMatMul) {
    if (editor.rank(t.activation) == std::optional<size_t>(1)) return "input 0 is 1-D";
    t.k = t.w->dim(0);
    t.n = t.w->dim(1);
    // A bias Add after the MatMul becomes the QOperator op's bias input.
    if (format == QuantFormat::kQOperator && !editor.is_graph_output(node.outputs[0])) {
      const ir::Node* add = editor.only_child(node, "Add");
      if (add && add->domain.empty() && add->inputs.size() == 2 && !editor.is_removed(*add)) {
        const int other = GraphEditor::other_input(*add, node.outputs[0]);
        if (other >= 0 && row_bias(editor, add->inputs[other], t.n, /*allow_broadcast=*/false)) {
          t.bias_add = add;
          t.bias = add->inputs[other];
        }
      }
    }
    return {};
  }
  if (t.kind == Kind::kGemm) {
    if (node.attr_int("transA", 0) != 0) return "transA = 1 is not supported";
    t.transposed = node.attr_int("transB", 0) != 0;
    t.k = t.w->dim(t.transposed ? 1 : 0);
    t.n = t.w->dim(t.transposed ? 0 : 1);
    t.alpha = node.attr_float("alpha", 1.0f);
    const float beta = node.attr_float("beta", 1.0f);
    if (node.has_input(2)) {
      const Tensor* c = row_bias(editor, node.inputs[2], t.n, /*allow_broadcast=*/true);
      if (!c) return "C is not a constant float32 [N] bias (N = " + std::to_string(t.n) + ")";
      if (beta == 1.0f && c->rank() == 1) {
        t.bias = node.inputs[2];
      } else {
        std::vector<float> b(t.n);
        for (int64_t j = 0; j < t.n; ++j) b[j] = beta * c->data<float>()[c->numel() == 1 ? 0 : j];
        t.new_bias = std::move(b);
      }
    }
    return {};
  }
  // com.microsoft Attention: input, weights [K, 3H], bias [3H], mask_index, past.
  t.k = t.w->dim(0);
  t.n = t.w->dim(1);
  for (size_t i = 5; i < node.inputs.size(); ++i)
    if (node.has_input(i))
      return "input " + std::to_string(i) + " (attention_bias / past_sequence_length) has no QAttention equivalent";
  const auto sizes = node.attr_ints("qkv_hidden_sizes");
  if (!sizes.empty() && !std::all_of(sizes.begin(), sizes.end(), [&](int64_t s) { return s == sizes[0]; }))
    return "qkv_hidden_sizes with different Q/K/V sizes has no QAttention equivalent";
  if (node.has_attribute("rotary_embedding_dim")) return "rotary_embedding_dim has no QAttention equivalent";
  if (node.has_input(2)) {
    const Tensor* b = editor.constant(node.inputs[2]);
    if (!b || b->dtype() != DType::kFloat32 || b->rank() != 1 || b->dim(0) != t.n)
      return "bias (input 2) is not a constant float32 [" + std::to_string(t.n) + "]";
    t.bias = node.inputs[2];
  } else {
    t.new_bias = std::vector<float>(t.n, 0.0f);  // QAttention requires a bias
  }
  return {};
}

struct QuantizedWeight {
  std::string q, scale, zero_point;
  int64_t axis = -1;  // QDQ per-channel: the axis of the output channels in W's layout
};

struct QuantizedActivation {
  std::string q, scale, zero_point;  // uint8 value and its parameters
  std::string dq;                    // QDQ: the dequantized fp32 value
};

class Rewriter {
 public:
  Rewriter(ir::Graph& graph, const QuantizeOptions& options, QuantizeReport& report,
           const std::map<std::string, ActivationRange>& ranges)
      : editor_(graph), options_(options), report_(report), ranges_(ranges) {}

  GraphEditor& editor() { return editor_; }

  // QOperator: [K, N] int8 with alpha folded in; QDQ: W's own layout.
  QuantizedWeight weight(const Target& t) {
    const bool qoperator = options_.format == QuantFormat::kQOperator;
    const float alpha = qoperator ? t.alpha : 1.0f;
    std::ostringstream key;
    key << t.weight << '|' << qoperator << '|' << t.transposed << '|' << alpha;
    if (auto it = weights_.find(key.str()); it != weights_.end()) return it->second;

    const int64_t k = t.k, n = t.n, ns = options_.per_channel ? n : 1;
    const float* w = t.w->data<float>();
    std::vector<float> scaled;
    if (alpha != 1.0f) {
      scaled.assign(w, w + k * n);
      for (float& v : scaled) v *= alpha;
      w = scaled.data();
    }
    Tensor q = Tensor::empty(DType::kInt8, t.w->shape());
    Tensor scales = Tensor::empty(DType::kFloat32, options_.per_channel ? Shape{n} : Shape{});
    cpu::quantize_weights_symmetric(w, k, n, t.transposed, options_.per_channel, q.data<int8_t>(),
                                    scales.data<float>());
    QuantizedWeight r;
    if (qoperator && t.transposed) {  // the QOperator ops read B as [K, N]
      Tensor kn = Tensor::empty(DType::kInt8, {k, n});
      const int8_t* src = q.data<int8_t>();
      int8_t* dst = kn.data<int8_t>();
      for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < k; ++i) dst[i * n + j] = src[j * k + i];
      q = kn;
    }
    if (!qoperator && options_.per_channel) r.axis = t.transposed ? 0 : 1;
    Tensor zp = Tensor::empty(DType::kInt8, scales.shape());
    std::fill_n(zp.data<int8_t>(), ns, int8_t{0});
    r.q = editor_.add_initializer(t.weight + "_quantized", q);
    r.scale = editor_.add_initializer(t.weight + "_scale", scales);
    r.zero_point = editor_.add_initializer(t.weight + "_zero_point", zp);
    weights_[key.str()] = r;
    return r;
  }

  // The uint8 form of activation `x` (and for QDQ its dequantized copy), made once per tensor.
  Result<QuantizedActivation> activation(const std::string& x) {
    if (auto it = activations_.find(x); it != activations_.end()) return it->second;
    QuantizedActivation a;
    a.q = editor_.unique_name(x + "_quantized");
    if (options_.mode == QuantMode::kDynamic) {
      a.scale = editor_.unique_name(x + "_scale");
      a.zero_point = editor_.unique_name(x + "_zero_point");
      editor_.add(make_node("DynamicQuantizeLinear", ir::kOnnxDomain, {x}, {a.q, a.scale, a.zero_point},
                            editor_.unique_name(x + "_DynamicQuantizeLinear")));
      ++report_.created["DynamicQuantizeLinear"];
    } else {
      auto it = ranges_.find(x);
      if (it == ranges_.end()) return internal_error("no calibration range for tensor '" + x + "'");
      const cpu::QuantParams p = activation_params(it->second);
      a.scale = editor_.add_initializer(x + "_scale", Tensor::from_vector<float>({}, {p.scale}));
      a.zero_point = editor_.add_initializer(x + "_zero_point", Tensor::from_vector<uint8_t>({}, {p.zero_point}));
      editor_.add(make_node("QuantizeLinear", ir::kOnnxDomain, {x, a.scale, a.zero_point}, {a.q},
                            editor_.unique_name(x + "_QuantizeLinear")));
      ++report_.created["QuantizeLinear"];
    }
    if (options_.format == QuantFormat::kQdq) {
      a.dq = editor_.unique_name(x + "_dequantized");
      editor_.add(make_node("DequantizeLinear", ir::kOnnxDomain, {a.q, a.scale, a.zero_point}, {a.dq},
                            editor_.unique_name(x + "_DequantizeLinear")));
      ++report_.created["DequantizeLinear"];
    }
    activations_[x] = a;
    return a;
  }

  std::string bias(const Target& t) {
    if (t.new_bias)
      return editor_.add_initializer(t.node->name.empty() ? "bias" : t.node->name + "_bias",
                                     Tensor::from_vector<float>({t.n}, *t.new_bias));
    return t.bias;
  }

  Status rewrite(const Target& t) {
    const ir::Node& node = *t.node;
    const QuantizedWeight w = weight(t);
    if (options_.format == QuantFormat::kQdq) {
      ONYX_ASSIGN_OR_RETURN(QuantizedActivation a, activation(t.activation));
      ir::Node dq = make_node("DequantizeLinear", ir::kOnnxDomain, {w.q, w.scale, w.zero_point},
                              {editor_.unique_name(t.weight + "_dequantized")},
                              editor_.unique_name(t.weight + "_DequantizeLinear"));
      if (w.axis >= 0) dq.attributes["axis"] = opt::int_attr(w.axis);
      const std::string w_dq = dq.outputs[0];
      editor_.add(std::move(dq));
      ++report_.created["DequantizeLinear"];
      // The original node stays (name, place, attributes); its inputs are patched after commit().
      patches_.push_back({static_cast<size_t>(&node - editor_.graph().nodes.data()), {{0, a.dq}, {1, w_dq}}});
      return ok_status();
    }
    const std::string name = node.name.empty() ? std::string() : node.name + "_quant";
    if (t.kind == Kind::kAttention) {
      ONYX_ASSIGN_OR_RETURN(QuantizedActivation a, activation(t.activation));
      const std::string mask = node.has_input(3) ? node.inputs[3] : std::string();
      std::vector<std::string> inputs = {a.q, w.q, bias(t), a.scale, w.scale, mask, a.zero_point, w.zero_point};
      if (node.has_input(4)) inputs.push_back(node.inputs[4]);
      ir::Node q = make_node("QAttention", ir::kMsDomain, std::move(inputs), node.outputs, name);
      for (const char* attr :
           {"num_heads", "unidirectional", "mask_filter_value", "scale", "do_rotary", "past_present_share_buffer"})
        if (const ir::Attribute* v = node.find_attribute(attr)) q.attributes[attr] = *v;
      editor_.remove(node);
      editor_.add(std::move(q));
      ++report_.created["QAttention"];
      return ok_status();
    }
    std::vector<std::string> outputs = t.bias_add ? t.bias_add->outputs : node.outputs;
    const std::string b = bias(t);
    ir::Node q;
    if (options_.mode == QuantMode::kDynamic) {
      std::vector<std::string> inputs = {t.activation, w.q, w.scale, w.zero_point};
      if (!b.empty()) inputs.push_back(b);
      q = make_node("DynamicQuantizeMatMul", ir::kMsDomain, std::move(inputs), std::move(outputs), name);
    } else {
      ONYX_ASSIGN_OR_RETURN(QuantizedActivation a, activation(t.activation));
      std::vector<std::string> inputs = {a.q, w.q, a.scale, w.scale, a.zero_point, w.zero_point};
      if (!b.empty()) inputs.push_back(b);
      q = make_node("MatMulIntegerToFloat", ir::kMsDomain, std::move(inputs), std::move(outputs), name);
    }
    ++report_.created[q.op_type];
    editor_.remove(node);
    if (t.bias_add) editor_.remove(*t.bias_add);
    editor_.add(std::move(q));
    return ok_status();
  }

  // Applies the edits and the QDQ input patches; drops Constant nodes nobody reads any more.
  void commit() {
    editor_.commit();
    ir::Graph& g = editor_.graph();
    // QDQ removes no node, so the patched nodes keep their indices (commit() appends the new ones).
    for (const Patch& p : patches_)
      for (const auto& [i, v] : p.inputs) g.nodes[p.node].inputs[i] = v;
    GraphEditor cleanup(g);
    for (const ir::Node& n : g.nodes)
      if (n.op_type == "Constant" && n.domain.empty() && n.outputs.size() == 1 &&
          cleanup.consumers(n.outputs[0]).empty() && !cleanup.is_graph_output(n.outputs[0]))
        cleanup.remove(n);
    cleanup.commit();
  }

 private:
  struct Patch {
    size_t node;  // index in graph.nodes
    std::vector<std::pair<size_t, std::string>> inputs;
  };
  GraphEditor editor_;
  const QuantizeOptions& options_;
  QuantizeReport& report_;
  const std::map<std::string, ActivationRange>& ranges_;
  std::map<std::string, QuantizedWeight> weights_;
  std::map<std::string, QuantizedActivation> activations_;
  std::vector<Patch> patches_;
};

const char* mode_name(QuantMode m) { return m == QuantMode::kDynamic ? "dynamic" : "static"; }

}  // namespace

Result<QuantizeReport> quantize(ir::Graph& graph, const QuantizeOptions& options) {
  for (const ir::Node& n : graph.nodes)
    if (is_quantized_op(n))
      return failed_precondition("the graph is already quantized (" + n.describe() +
                                 "); quantize the fp32 model instead");
  if (options.mode == QuantMode::kStatic && options.calibration_feeds.empty())
    return invalid_argument(
        "static quantization needs calibration data (QuantizeOptions::calibration_feeds is empty; "
        "`onyx quantize` takes it from --calib-data FILE), or use --mode dynamic");
  std::set<std::string> names;
  for (const ir::Node& n : graph.nodes) names.insert(n.name);
  for (const std::string& e : options.exclude_nodes)
    if (!names.count(e))
      return invalid_argument("cannot exclude node '" + e +
                              "': the graph has no node of that name (names are those of the graph being quantized, "
                              "after optimization; `onyx quantize -O 0` keeps the file's own node names)");

  QuantizeReport report;
  const std::set<std::string> excluded(options.exclude_nodes.begin(), options.exclude_nodes.end());
  std::vector<Target> targets;
  {
    GraphEditor editor(graph);
    for (const ir::Node& n : graph.nodes) {
      Target t;
      if (n.domain.empty() && n.op_type == "MatMul") {
        t.kind = Kind::kMatMul;
      } else if (n.domain.empty() && n.op_type == "Gemm") {
        t.kind = Kind::kGemm;
      } else if (n.domain == ir::kMsDomain && n.op_type == "Attention") {
        t.kind = Kind::kAttention;
      } else {
        continue;
      }
      if (excluded.count(n.name)) {
        report.excluded.push_back(n.name);
        continue;
      }
      const std::string why = match_target(editor, n, options.format, t);
      if (!why.empty()) {
        report.skipped.push_back(n.describe() + ": " + why + " (left fp32)");
        continue;
      }
      targets.push_back(std::move(t));
    }
  }
  if (targets.empty()) return report;

  // Opset requirements of the ops about to be written.
  const int64_t onnx_opset = graph.opset(ir::kOnnxDomain);
  const bool needs_dql =
      options.mode == QuantMode::kDynamic &&
      (options.format == QuantFormat::kQdq ||
       std::any_of(targets.begin(), targets.end(), [](const Target& t) { return t.kind == Kind::kAttention; }));
  if (needs_dql && onnx_opset < 11)
    return failed_precondition(
        "dynamic quantization writes DynamicQuantizeLinear, which needs ai.onnx opset >= 11; "
        "the model imports opset " +
        std::to_string(onnx_opset) + " (re-export it at a newer opset)");
  if (options.format == QuantFormat::kQdq && options.per_channel && onnx_opset < 13)
    return failed_precondition(
        "per-channel QDQ writes DequantizeLinear with an axis, which needs ai.onnx opset >= 13; "
        "the model imports opset " +
        std::to_string(onnx_opset) + " (use --per-tensor, or re-export the model at a newer opset)");
  if (options.mode == QuantMode::kStatic && onnx_opset < 10)
    return failed_precondition("static quantization writes QuantizeLinear, which needs ai.onnx opset >= 10");

  std::map<std::string, ActivationRange> ranges;
  if (options.mode == QuantMode::kStatic) {
    std::vector<std::string> tensors;
    for (const Target& t : targets)
      if (std::find(tensors.begin(), tensors.end(), t.activation) == tensors.end()) tensors.push_back(t.activation);
    ONYX_ASSIGN_OR_RETURN(ranges, calibrate(graph, tensors, options));
    report.calibration_batches = options.calibration_feeds.size();
  }

  Rewriter rewriter(graph, options, report, ranges);
  for (const Target& t : targets) {
    Status s = rewriter.rewrite(t);
    if (!s.ok()) return s.with_context(std::string(mode_name(options.mode)) + " quantization of " + t.node->describe());
    ++report.quantized[t.node->op_type];
  }
  if (options.format == QuantFormat::kQOperator) rewriter.editor().ensure_opset(ir::kMsDomain, 1);
  rewriter.commit();
  return report;
}

}  // namespace onyx::quant
