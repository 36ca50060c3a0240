// Builds small ONNX models in code for tests (bad-input cases, session behaviour).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "onyx/tensor.h"

namespace onyx::test {

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 17);
  // Graph input/output with dims: >= 0 fixed, -1 symbolic named by `symbols[i]` (or unknown if empty).
  ModelBuilder& input(const std::string& name, DType dtype, const std::vector<int64_t>& dims,
                      const std::vector<std::string>& symbols = {});
  ModelBuilder& output(const std::string& name, DType dtype, const std::vector<int64_t>& dims,
                       const std::vector<std::string>& symbols = {});
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& domain = "");
  ModelBuilder& initializer(const std::string& name, const Tensor& value);
  // Stores `value` in an external data file `location` (relative to `dir`) at offset 0.
  ModelBuilder& external_initializer(const std::string& name, const Tensor& value, const std::string& dir,
                                     const std::string& location);
  ModelBuilder& opset(const std::string& domain, int64_t version);
  onnx::ModelProto& proto() { return model_; }
  std::string bytes() const;
  // Writes the model to `path` and returns the path.
  std::string save(const std::string& path) const;

 private:
  onnx::ModelProto model_;
};

// Attribute setters for nodes made with ModelBuilder::node (return the node for chaining).
onnx::NodeProto& set_int(onnx::NodeProto& n, const std::string& name, int64_t v);
onnx::NodeProto& set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
onnx::NodeProto& set_float(onnx::NodeProto& n, const std::string& name, float v);
// A Constant node writing `output` with tensor `value`.
onnx::NodeProto& constant_node(ModelBuilder& m, const std::string& output, const Tensor& value);

// A fresh empty directory under the system temp dir.
std::string temp_dir(const std::string& tag);

}  // namespace onyx::test
