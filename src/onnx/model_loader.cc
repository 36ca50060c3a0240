#include "src/onnx/model_loader.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <map>
#include <unordered_set>

#include "src/onnx/tensor_proto.h"
#include "src/onnx/wire_scan.h"

namespace onnx::checker {
// Exported by libonnx but missing from its checker.h (1.12): check_model(path) uses it to set the folder external
// data is resolved in. Calling it directly checks the model we parsed instead of reading the file a second time.
void check_model(const ModelProto& model, CheckerContext& ctx);
}  // namespace onnx::checker

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
                                           const std::string& what, const DetachedRawData* detached) {
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
      ONYX_ASSIGN_OR_RETURN(out.t,
                            tensor_from_proto(a.t(), base_dir, what + " attribute '" + a.name() + "'", detached));
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

void check_model(const onnx::ModelProto& model, const std::string& model_dir) {
  onnx::checker::CheckerContext ctx;
  ctx.set_model_dir(model_dir);
  onnx::checker::check_model(model, ctx);
}

Status run_checker(const onnx::ModelProto& model, const std::string& model_dir, const std::string& display) {
  if (!checker_knows(model)) return ok_status();
  const int64_t opset = onnx_opset(model);
  bool has_contrib = false;
  for (const auto& n : model.graph().node()) has_contrib |= is_ort_onnx_domain_contrib_op(n, opset);
  try {
    if (has_contrib) {
      onnx::ModelProto copy = model;  // check them as the com.microsoft ops they are (cheap: no weights in it)
      bool imports_ms = false;
      for (const auto& op : copy.opset_import()) imports_ms |= op.domain() == "com.microsoft";
      if (!imports_ms) {
        auto* op = copy.add_opset_import();
        op->set_domain("com.microsoft");
        op->set_version(1);
      }
      for (auto& n : *copy.mutable_graph()->mutable_node())
        if (is_ort_onnx_domain_contrib_op(n, opset)) n.set_domain("com.microsoft");
      check_model(copy, model_dir);
    } else {
      check_model(model, model_dir);
    }
  } catch (const std::exception& e) {
    return invalid_model("'" + display + "' failed ONNX's checker: " + e.what() +
                         " (set SessionOptions::run_onnx_checker = false / --no-check to load it anyway)");
  }
  return ok_status();
}

// The raw_data fields the wire scan left out, by where their TensorProto is in the parsed model.
struct DetachedIndex {
  std::vector<DetachedRawData> initializers;                // parallel to graph.initializer (range.size 0: none)
  std::map<std::pair<int, int>, DetachedRawData> attributes;  // (node, attribute) -> raw_data of attribute.t

  const DetachedRawData* initializer(int i) const {
    return i < static_cast<int>(initializers.size()) && initializers[i].read ? &initializers[i] : nullptr;
  }
  const DetachedRawData* attribute(int node, int index) const {
    auto it = attributes.find({node, index});
    return it == attributes.end() ? nullptr : &it->second;
  }
};

Result<ir::Graph> graph_from_model(const onnx::ModelProto& model, const std::string& base_dir,
                                   const std::string& display, const DetachedIndex& detached) {
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

  for (int i = 0; i < gp.initializer_size(); ++i) {
    const auto& init = gp.initializer(i);
    if (init.name().empty()) return invalid_model("'" + display + "' has an initializer without a name");
    ONYX_ASSIGN_OR_RETURN(Tensor t, tensor_from_proto(init, base_dir, "initializer '" + init.name() + "'",
                                                      detached.initializer(i)));
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
  for (int node_index = 0; node_index < gp.node_size(); ++node_index) {
    const auto& np = gp.node(node_index);
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
    for (int k = 0; k < np.attribute_size(); ++k) {
      const auto& a = np.attribute(k);
      ONYX_ASSIGN_OR_RETURN(ir::Attribute attr,
                            attribute_from_proto(a, base_dir, n.describe(), detached.attribute(node_index, k)));
      n.attributes[a.name()] = std::move(attr);
    }
    g.nodes.push_back(std::move(n));
  }
  return g;
}

// The bytes of a serialized model and how to read ranges of them again once the protobuf is parsed.
struct ModelSource {
  std::span<const uint8_t> bytes;
  ReadSource read;
  std::function<void()> release_bytes;  // `bytes` is not used after this (optional)
};

// Gives the TensorProtos whose raw_data was left out a one-byte stand-in: ONNX's checker wants exactly one data
// field and never reads raw_data's contents (onnx/checker.cc check_tensor), and graph_from_model has already checked
// the real size.
void stand_in_detached(onnx::ModelProto& model, const std::vector<DetachedTensor>& detached) {
  auto* graph = model.mutable_graph();
  for (const auto& d : detached) {
    onnx::TensorProto* t = d.node < 0 ? graph->mutable_initializer(d.index)
                                      : graph->mutable_node(d.node)->mutable_attribute(d.index)->mutable_t();
    t->set_raw_data(std::string(1, '\0'));
  }
}

Result<ir::Graph> load_impl(ModelSource source, const std::string& base_dir, const LoadOptions& options,
                            const std::string& display) {
  const std::span<const uint8_t> bytes = source.bytes;
  if (bytes.empty()) return invalid_model("'" + display + "' is empty (0 bytes): not an ONNX model");
  // Parse the model without its large raw_data fields (read into the Tensors below), or as it is when there are none
  // or the scan does not handle its form.
  std::optional<StrippedModel> stripped = strip_raw_data(bytes, kDetachMinBytes);
  if (stripped && stripped->detached.empty()) stripped.reset();
  std::vector<DetachedTensor> detached;
  onnx::ModelProto model;
  {
    const std::span<const uint8_t> wire =
        stripped ? std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(stripped->bytes.data()),
                                            stripped->bytes.size())
                 : bytes;
    google::protobuf::io::CodedInputStream stream(wire.data(), static_cast<int>(std::min<size_t>(wire.size(), INT_MAX)));
    stream.SetTotalBytesLimit(INT_MAX);
    if (wire.size() > INT_MAX || !model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
      return invalid_model("'" + display + "' is not a valid ONNX model: protobuf parsing failed (the file is "
                           "truncated, corrupt, or not an .onnx file)");
    if (stripped) detached = std::move(stripped->detached);
    stripped.reset();
    if (source.release_bytes) source.release_bytes();
  }
  if (!model.has_graph() || model.ir_version() <= 0)
    return invalid_model("'" + display + "' is not an ONNX model (no graph or no ir_version)");
  DetachedIndex index;
  index.initializers.resize(model.graph().initializer_size());
  for (const auto& d : detached) {
    const DetachedRawData raw{d.raw, &source.read};
    const auto& g = model.graph();
    if (d.node < 0 && d.index < g.initializer_size()) index.initializers[d.index] = raw;
    else if (d.node >= 0 && d.node < g.node_size() && d.index < g.node(d.node).attribute_size())
      index.attributes[{d.node, d.index}] = raw;
    else
      return internal_error("'" + display + "': the wire scan and protobuf disagree on the model's layout");
  }
  infer_shapes(model);
  // Our own conversion first: its errors (missing external data, bad initializer) are the more specific ones.
  auto graph = graph_from_model(model, base_dir, display, index);
  if (graph.ok() && options.run_onnx_checker) {
    stand_in_detached(model, detached);
    ONYX_RETURN_IF_ERROR(run_checker(model, base_dir, display));
  }
  return graph;
}

// A model file mapped read-only for the scan and the parse, then unmapped: its weights are read with pread straight
// into their Tensors, so neither a std::string of the file nor the mapping's pages stay resident next to them.
class ModelFile {
 public:
  ModelFile() = default;
  ModelFile(const ModelFile&) = delete;
  ModelFile& operator=(const ModelFile&) = delete;
  ~ModelFile() {
    unmap();
    if (fd_ >= 0) ::close(fd_);
  }

  Status open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return io_error("cannot open model file '" + path + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
      return io_error("cannot read model file '" + path + "': not a regular file");
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) return ok_status();
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED) return io_error("cannot map model file '" + path + "': " + std::strerror(errno));
    map_ = p;
    return ok_status();
  }

  std::span<const uint8_t> bytes() const { return {static_cast<const uint8_t*>(map_), map_ ? size_ : 0}; }
  void unmap() {
    if (map_) ::munmap(map_, size_);
    map_ = nullptr;
  }
  Status read(SourceRange range, void* dst) const {
    if (range.offset > size_ || range.size > size_ - range.offset)
      return invalid_model("model data range is outside the file");
    auto* out = static_cast<char*>(dst);
    uint64_t done = 0;
    while (done < range.size) {
      const ssize_t got = ::pread(fd_, out + done, range.size - done, static_cast<off_t>(range.offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return io_error(std::string("reading the model file failed: ") + (got < 0 ? std::strerror(errno) : "unexpected end of file"));
      done += static_cast<uint64_t>(got);
    }
    return ok_status();
  }

 private:
  int fd_ = -1;
  void* map_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

Result<ir::Graph> load_model_file(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found("model file '" + path + "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    return invalid_argument("'" + path + "' is a directory; pass the .onnx file inside it");
  ModelFile file;
  ONYX_RETURN_IF_ERROR(file.open(path));
  ModelSource source{file.bytes(), [&file](SourceRange r, void* dst) { return file.read(r, dst); },
                     [&file] { file.unmap(); }};
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  return load_impl(std::move(source), base_dir.empty() ? "." : base_dir, options, path);
}

Result<ir::Graph> load_model_bytes(std::string_view bytes, const std::string& base_dir, const LoadOptions& options,
                                   const std::string& display_name) {
  const std::span<const uint8_t> span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ModelSource source{span, [span](SourceRange r, void* dst) {
                       if (r.offset > span.size() || r.size > span.size() - r.offset)
                         return invalid_model("model data range is outside the buffer");
                       std::memcpy(dst, span.data() + r.offset, r.size);
                       return ok_status();
                     }, nullptr};
  return load_impl(std::move(source), base_dir, options, display_name);
}

}  // namespace onyx::onnx_io
