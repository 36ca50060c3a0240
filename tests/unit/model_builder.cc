#include "tests/unit/model_builder.h"

#include <filesystem>
#include <fstream>
#include <random>

#include "src/onnx/tensor_proto.h"

namespace onyx::test {

namespace {
void set_type(onnx::ValueInfoProto* vi, const std::string& name, DType dtype, const std::vector<int64_t>& dims,
              const std::vector<std::string>& symbols) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(static_cast<int>(dtype));
  auto* shape = tt->mutable_shape();
  for (size_t i = 0; i < dims.size(); ++i) {
    auto* d = shape->add_dim();
    if (dims[i] >= 0) d->set_dim_value(dims[i]);
    else if (i < symbols.size() && !symbols[i].empty()) d->set_dim_param(symbols[i]);
  }
}
}  // namespace

ModelBuilder::ModelBuilder(int64_t opset) {
  model_.set_ir_version(8);
  model_.set_producer_name("onyx-tests");
  auto* op = model_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  model_.mutable_graph()->set_name("test");
}

ModelBuilder& ModelBuilder::input(const std::string& name, DType dtype, const std::vector<int64_t>& dims,
                                  const std::vector<std::string>& symbols) {
  set_type(model_.mutable_graph()->add_input(), name, dtype, dims, symbols);
  return *this;
}

ModelBuilder& ModelBuilder::output(const std::string& name, DType dtype, const std::vector<int64_t>& dims,
                                   const std::vector<std::string>& symbols) {
  set_type(model_.mutable_graph()->add_output(), name, dtype, dims, symbols);
  return *this;
}

onnx::NodeProto& ModelBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                    const std::vector<std::string>& outputs, const std::string& domain) {
  auto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_domain(domain);
  n->set_name(op + "_" + std::to_string(model_.graph().node_size()));
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return *n;
}

ModelBuilder& ModelBuilder::initializer(const std::string& name, const Tensor& value) {
  onnx_io::tensor_to_proto(value, name, model_.mutable_graph()->add_initializer());
  return *this;
}

ModelBuilder& ModelBuilder::external_initializer(const std::string& name, const Tensor& value, const std::string& dir,
                                                 const std::string& location) {
  auto* t = model_.mutable_graph()->add_initializer();
  onnx_io::tensor_to_proto(value, name, t);
  std::ofstream f(std::filesystem::path(dir) / location, std::ios::binary);
  f.write(t->raw_data().data(), static_cast<std::streamsize>(t->raw_data().size()));
  t->clear_raw_data();
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = t->add_external_data();
  kv->set_key("location");
  kv->set_value(location);
  return *this;
}

ModelBuilder& ModelBuilder::opset(const std::string& domain, int64_t version) {
  auto* op = model_.add_opset_import();
  op->set_domain(domain);
  op->set_version(version);
  return *this;
}

std::string ModelBuilder::bytes() const { return model_.SerializeAsString(); }

std::string ModelBuilder::save(const std::string& path) const {
  std::ofstream f(path, std::ios::binary);
  const std::string b = bytes();
  f.write(b.data(), static_cast<std::streamsize>(b.size()));
  return path;
}

std::string temp_dir(const std::string& tag) {
  static std::mt19937_64 rng(std::random_device{}());
  auto dir = std::filesystem::temp_directory_path() / ("onyx_test_" + tag + "_" + std::to_string(rng()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

onnx::NodeProto& set_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
  return n;
}

onnx::NodeProto& set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
  return n;
}

onnx::NodeProto& set_float(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
  return n;
}

onnx::NodeProto& constant_node(ModelBuilder& m, const std::string& output, const Tensor& value) {
  auto& n = m.node("Constant", {}, {output});
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  onnx_io::tensor_to_proto(value, "", a->mutable_t());
  return n;
}

}  // namespace onyx::test
