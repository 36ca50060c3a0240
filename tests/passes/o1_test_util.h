// Small ModelBuilder helpers for the O1 pass tests: attributes and Constant nodes.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "src/onnx/tensor_proto.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {

inline onnx::NodeProto& set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
  return n;
}

inline onnx::NodeProto& set_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
  return n;
}

inline onnx::NodeProto& set_float(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
  return n;
}

// Constant node writing `output` with tensor `value`.
inline onnx::NodeProto& constant_node(ModelBuilder& m, const std::string& output, const Tensor& value) {
  auto& n = m.node("Constant", {}, {output});
  auto* a = n.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  onnx_io::tensor_to_proto(value, "", a->mutable_t());
  return n;
}

inline Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }
inline Tensor floats(Shape shape, std::vector<float> v) { return Tensor::from_vector<float>(std::move(shape), v); }

}  // namespace onyx::test
