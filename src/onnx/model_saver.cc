#include "src/onnx/model_saver.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "src/onnx/tensor_proto.h"

namespace onyx::onnx_io {

namespace {

void value_info_to_proto(const ValueInfo& v, onnx::ValueInfoProto* p) {
  p->set_name(v.name);
  if (v.dtype == DType::kUndefined) return;
  auto* tt = p->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(static_cast<int>(v.dtype));
  if (!v.has_shape) return;
  auto* shape = tt->mutable_shape();
  for (const Dim& d : v.shape) {
    auto* dim = shape->add_dim();
    if (d.is_fixed()) dim->set_dim_value(d.value);
    else if (!d.symbol.empty()) dim->set_dim_param(d.symbol);
  }
}

Status attribute_to_proto(const std::string& name, const ir::Attribute& a, const ir::Node& node,
                          onnx::AttributeProto* p) {
  using A = onnx::AttributeProto;
  p->set_name(name);
  switch (a.kind) {
    case ir::Attribute::Kind::kFloat: p->set_type(A::FLOAT); p->set_f(a.f); break;
    case ir::Attribute::Kind::kInt: p->set_type(A::INT); p->set_i(a.i); break;
    case ir::Attribute::Kind::kString: p->set_type(A::STRING); p->set_s(a.s); break;
    case ir::Attribute::Kind::kTensor: p->set_type(A::TENSOR); tensor_to_proto(a.t, "", p->mutable_t()); break;
    case ir::Attribute::Kind::kFloats:
      p->set_type(A::FLOATS);
      for (float f : a.floats) p->add_floats(f);
      break;
    case ir::Attribute::Kind::kInts:
      p->set_type(A::INTS);
      for (int64_t i : a.ints) p->add_ints(i);
      break;
    case ir::Attribute::Kind::kStrings:
      p->set_type(A::STRINGS);
      for (const auto& s : a.strings) p->add_strings(s);
      break;
    default:
      return not_implemented(node.describe() + ": attribute '" + name + "' of kind " +
                             ir::attribute_kind_name(a.kind) + " cannot be saved (subgraphs are not supported)");
  }
  return ok_status();
}

Result<onnx::ModelProto> to_model_proto(const ir::Graph& graph, const SaveOptions& options) {
  ONYX_ASSIGN_OR_RETURN(std::vector<size_t> order, graph.topological_order());
  onnx::ModelProto model;
  model.set_ir_version(graph.ir_version > 0 ? graph.ir_version : 8);
  model.set_producer_name(options.producer_name);
  for (const auto& [domain, version] : graph.opsets) {
    auto* op = model.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  auto* gp = model.mutable_graph();
  gp->set_name(graph.name.empty() ? "onyx" : graph.name);
  for (const auto& v : graph.inputs) value_info_to_proto(v, gp->add_input());
  for (const auto& v : graph.outputs) value_info_to_proto(v, gp->add_output());
  for (size_t i : order) {
    const ir::Node& n = graph.nodes[i];
    auto* np = gp->add_node();
    np->set_name(n.name);
    np->set_op_type(n.op_type);
    np->set_domain(n.domain);
    for (const auto& in : n.inputs) np->add_input(in);
    for (const auto& out : n.outputs) np->add_output(out);
    for (const auto& [name, a] : n.attributes) ONYX_RETURN_IF_ERROR(attribute_to_proto(name, a, n, np->add_attribute()));
  }
  // Initializers in name order (deterministic files).
  std::map<std::string, const Tensor*> sorted;
  for (const auto& [name, t] : graph.initializers) sorted[name] = &t;
  for (const auto& [name, t] : sorted) tensor_to_proto(*t, name, gp->add_initializer());
  return model;
}

}  // namespace

Result<std::string> save_model_bytes(const ir::Graph& graph, const SaveOptions& options) {
  ONYX_ASSIGN_OR_RETURN(onnx::ModelProto model, to_model_proto(graph, options));
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return invalid_model("the model is too large to serialize inline (over 2 GiB); save it to a file");
  return bytes;
}

Status save_model_file(const ir::Graph& graph, const std::string& path, const SaveOptions& options) {
  ONYX_ASSIGN_OR_RETURN(onnx::ModelProto model, to_model_proto(graph, options));
  size_t total = 0;
  for (const auto& init : model.graph().initializer()) total += init.raw_data().size();
  if (total > options.external_data_total_bytes) {
    const std::string data_name = std::filesystem::path(path).filename().string() + ".data";
    const auto data_path = std::filesystem::path(path).parent_path() / data_name;
    std::ofstream data(data_path, std::ios::binary | std::ios::trunc);
    if (!data) return io_error("cannot write external data file '" + data_path.string() + "'");
    size_t offset = 0;
    for (auto& init : *model.mutable_graph()->mutable_initializer()) {
      const size_t n = init.raw_data().size();
      if (n < options.external_data_min_bytes) continue;
      data.write(init.raw_data().data(), static_cast<std::streamsize>(n));
      init.clear_raw_data();
      init.set_data_location(onnx::TensorProto::EXTERNAL);
      auto add = [&](const std::string& k, const std::string& v) {
        auto* e = init.add_external_data();
        e->set_key(k);
        e->set_value(v);
      };
      add("location", data_name);
      add("offset", std::to_string(offset));
      add("length", std::to_string(n));
      offset += n;
    }
    if (!data) return io_error("writing external data file '" + data_path.string() + "' failed");
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return io_error("cannot write model file '" + path + "'");
  if (!model.SerializeToOstream(&f)) return io_error("writing model file '" + path + "' failed");
  return ok_status();
}

}  // namespace onyx::onnx_io
