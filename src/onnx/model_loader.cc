#include "src/onnx/model_loader.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <unordered_set>

#include "src/onnx/tensor_proto.h"

namespace onyx::onnx_io {

namespace {

// Highest versions ONNX's checker (Debian's libonnx 1.12) knows; newer models skip the checker.
constexpr int64_t kCheckerMaxOpset = 17;
constexpr int64_t kCheckerMaxIrVersion = 8;

std::string normalize_domain(const std::string& d) { return d == "ai.onnx" ? "" : d; }

Result<ValueInfo> value_info_from_proto(const onnx::ValueInfoProto& vi, const std::string& what) {
  ValueInfo info;
  info.name = vi.name();
  if (!vi.has_type()) return info;  // untyped (allowed for intermediates)
  if (!vi.type().has_tensor_type())
    return not_implemented(what + " '" + vi.name() + "' is not a tensor (sequence/map/optional types are not supported)");
  const auto& tt = vi.type().tensor_type();
  info.dtype = static_cast<DType>(tt.elem_type());
  if (tt.has_shape()) {
    info.has_shape = true;
    for (const auto& d : tt.shape().dim()) {
      Dim dim;
      if (d.has_dim_value()) dim.value = d.dim_value();
      else if (d.has_dim_param()) dim.symbol = d.dim_param();
      info.shape.push_back(dim);
    }
  }
  return info;
}

Result<ir::Attribute> attribute_from_proto(const onnx::AttributeProto& a, const std::string& base_dir,
                                           const std::string& what) {
  ir::Attribute out;
  using A = onnx::AttributeProto;
  switch (a.type()) {
    case A::FLOAT: out.kind = ir::Attribute::Kind::kFloat; out.f = a.f(); break;
    case A::INT: out.kind = ir::Attribute::Kind::kInt; out.i = a.i(); break;
    case A::STRING: out.kind = ir::Attribute::Kind::kString; out.s = a.s(); break;
    case A::FLOATS: out.kind = ir::Attribute::Kind::kFloats; out.floats.assign(a.floats().begin(), a.floats().end()); break;
    case A::INTS: out.kind = ir::Attribute::Kind::kInts; out.ints.assign(a.ints().begin(), a.ints().end()); break;
    case A::STRINGS: out.kind = ir::Attribute::Kind::kStrings; out.strings.assign(a.strings().begin(), a.strings().end()); break;
    case A::TENSOR: {
      out.kind = ir::Attribute::Kind::kTensor;
      ONYX_ASSIGN_OR_RETURN(out.t, tensor_from_proto(a.t(), base_dir, what + " attribute '" + a.name() + "'"));
      break;
    }
    case A::GRAPH: out.kind = ir::Attribute::Kind::kGraph; break;
    case A::GRAPHS: out.kind = ir::Attribute::Kind::kGraphs; break;
    case A::TENSORS: out.kind = ir::Attribute::Kind::kTensors; break;
    default: out.kind = ir::Attribute::Kind::kOther; break;
  }
  if (!a.ref_attr_name().empty())
    return not_implemented(what + " attribute '" + a.name() + "' references a function attribute (not supported)");
  return out;
}

int64_t onnx_opset(const onnx::ModelProto& model) {
  int64_t max_opset = 0;
  for (const auto& op : model.opset_import())
    if (normalize_domain(op.domain()).empty()) max_opset = std::max<int64_t>(max_opset, op.version());
  return max_opset;
}

bool checker_knows(const onnx::ModelProto& model) {
  return onnx_opset(model) <= kCheckerMaxOpset && model.ir_version() <= kCheckerMaxIrVersion;
}

// ONNX Runtime registers a few contrib ops in the ONNX domain (its fusions emit them there, so optimized models use
// them): LayerNormalization before opset 17, SimplifiedLayerNormalization. ONNX's checker does not know them.
bool is_ort_onnx_domain_contrib_op(const onnx::NodeProto& n, int64_t opset) {
  if (!normalize_domain(n.domain()).empty()) return false;
  return n.op_type() == "SimplifiedLayerNormalization" || (n.op_type() == "LayerNormalization" && opset < 17);
}

// Adds ONNX's inferred types/shapes of intermediate values to the graph's value_info (passes read them). Best
// effort: models the inference does not understand keep what they declare.
void infer_shapes(onnx::ModelProto& model) {
  if (!checker_knows(model)) return;
  try {
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception&) {
  }
}

Status run_checker(const onnx::ModelProto& model, const std::string& path_for_checker, const std::string& display) {
  if (!checker_knows(model)) return ok_status();
  const int64_t opset = onnx_opset(model);
  bool has_contrib = false;
  for (const auto& n : model.graph().node()) has_contrib |= is_ort_onnx_domain_contrib_op(n, opset);
  try {
    if (has_contrib) {
      if (!path_for_checker.empty()) return ok_status();  // external data: the checker needs the file as it is
      onnx::ModelProto copy = model;  // check them as the com.microsoft ops they are
      bool imports_ms = false;
      for (const auto& op : copy.opset_import()) imports_ms |= op.domain() == "com.microsoft";
      if (!imports_ms) {
        auto* op = copy.add_opset_import();
        op->set_domain("com.microsoft");
        op->set_version(1);
      }
      for (auto& n : *copy.mutable_graph()->mutable_node())
        if (is_ort_onnx_domain_contrib_op(n, opset)) n.set_domain("com.microsoft");
      onnx::checker::check_model(copy);
    } else if (!path_for_checker.empty()) {
      onnx::checker::check_model(path_for_checker);
    } else {
      onnx::checker::check_model(model);
    }
  } catch (const std::exception& e) {
    return invalid_model("'" + display + "' failed ONNX's checker: " + e.what() +
                         " (set SessionOptions::run_onnx_checker = false / --no-check to load it anyway)");
  }
  return ok_status();
}

bool has_external_data(const onnx::ModelProto& model) {
  for (const auto& init : model.graph().initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL) return true;
  return false;
}

Result<ir::Graph> graph_from_model(const onnx::ModelProto& model, const std::string& base_dir,
                                   const std::string& display) {
  ir::Graph g;
  g.ir_version = model.ir_version();
  g.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
  for (const auto& op : model.opset_import()) g.opsets[normalize_domain(op.domain())] = op.version();
  if (g.opsets.empty()) g.opsets[""] = 1;  // IR < 3 models predate opset_import: opset 1 is implied
  const auto& gp = model.graph();
  g.name = gp.name();
  if (gp.sparse_initializer_size() > 0)
    return not_implemented("'" + display + "' has sparse initializers, which onyx does not support");
  std::unordered_set<std::string> local_functions;
  for (const auto& f : model.functions()) local_functions.insert(normalize_domain(f.domain()) + "::" + f.name());

  for (const auto& init : gp.initializer()) {
    if (init.name().empty()) return invalid_model("'" + display + "' has an initializer without a name");
    ONYX_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(init, base_dir, "initializer '" + init.name() + "'"));
    g.initializers[init.name()] = std::move(t);
  }
  for (const auto& in : gp.input()) {
    if (g.initializers.count(in.name())) continue;  // IR < 4 lists initializers as inputs: treat as constants
    ONYX_ASSIGN_OR_RETURN(ValueInfo vi, value_info_from_proto(in, "graph input"));
    g.inputs.push_back(std::move(vi));
  }
  for (const auto& out : gp.output()) {
    ONYX_ASSIGN_OR_RETURN(ValueInfo vi, value_info_from_proto(out, "graph output"));
    g.outputs.push_back(std::move(vi));
  }
  for (const auto& v : gp.value_info()) {
    auto vi = value_info_from_proto(v, "value");
    if (vi.ok()) g.value_info[v.name()] = std::move(vi).value();
  }
  g.nodes.reserve(gp.node_size());
  for (const auto& np : gp.node()) {
    ir::Node n;
    n.name = np.name();
    n.op_type = np.op_type();
    n.domain = normalize_domain(np.domain());
    n.inputs.assign(np.input().begin(), np.input().end());
    n.outputs.assign(np.output().begin(), np.output().end());
    if (local_functions.count(n.domain + "::" + n.op_type))
      return not_implemented("'" + display + "': " + n.describe() +
                             " calls a model-local function, which onyx does not support");
    if (!g.opsets.count(n.domain))
      return invalid_model("'" + display + "': " + n.describe() + " uses domain '" + n.domain +
                           "' but the model does not import an opset for it");
    for (const auto& a : np.attribute()) {
      ONYX_ASSIGN_OR_RETURN(ir::Attribute attr, attribute_from_proto(a, base_dir, n.describe()));
      n.attributes[a.name()] = std::move(attr);
    }
    g.nodes.push_back(std::move(n));
  }
  return g;
}

Result<ir::Graph> load_impl(std::string_view bytes, const std::string& base_dir, const LoadOptions& options,
                            const std::string& display, const std::string& path_for_checker) {
  if (bytes.empty()) return invalid_model("'" + display + "' is empty (0 bytes): not an ONNX model");
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream stream(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                static_cast<int>(std::min<size_t>(bytes.size(), INT_MAX)));
  stream.SetTotalBytesLimit(INT_MAX);
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return invalid_model("'" + display + "' is not a valid ONNX model: protobuf parsing failed (the file is truncated, "
                         "corrupt, or not an .onnx file)");
  if (!model.has_graph() || model.ir_version() <= 0)
    return invalid_model("'" + display + "' is not an ONNX model (no graph or no ir_version)");
  infer_shapes(model);
  // Our own conversion first: its errors (missing external data, bad initializer) are the more specific ones.
  auto graph = graph_from_model(model, base_dir, display);
  if (graph.ok() && options.run_onnx_checker) {
    // The checker resolves external data relative to the model's folder only when given the path.
    const bool can_check = !has_external_data(model) || !path_for_checker.empty();
    if (can_check) ONYX_RETURN_IF_ERROR(run_checker(model, has_external_data(model) ? path_for_checker : "", display));
  }
  return graph;
}

}  // namespace

Result<ir::Graph> load_model_file(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found("model file '" + path + "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    return invalid_argument("'" + path + "' is a directory; pass the .onnx file inside it");
  std::ifstream f(path, std::ios::binary);
  if (!f) return io_error("cannot open model file '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  return load_impl(bytes, base_dir.empty() ? "." : base_dir, options, path, path);
}

Result<ir::Graph> load_model_bytes(std::string_view bytes, const std::string& base_dir, const LoadOptions& options,
                                   const std::string& display_name) {
  return load_impl(bytes, base_dir, options, display_name, "");
}

}  // namespace onyx::onnx_io
