// onyx::ir: the in-memory graph the loader produces, passes rewrite and the runtime plans from.
// Values are referred to by name (as in ONNX); an empty input name is an omitted optional input.
// Ownership: a Graph owns its nodes and initializer tensors. Not thread-safe to mutate; immutable
// graphs may be read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "onyx/session.h"
#include "onyx/status.h"
#include "onyx/tensor.h"

namespace onyx::ir {

struct Attribute {
  enum class Kind { kFloat, kInt, kString, kTensor, kGraph, kFloats, kInts, kStrings, kTensors, kGraphs, kOther };
  Kind kind = Kind::kOther;
  float f = 0;
  int64_t i = 0;
  std::string s;
  Tensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
};

const char* attribute_kind_name(Attribute::Kind kind);

inline constexpr const char* kOnnxDomain = "";  // "ai.onnx" is normalised to ""
inline constexpr const char* kMsDomain = "com.microsoft";

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" for ai.onnx
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attributes;

  const Attribute* find_attribute(const std::string& attr_name) const;
  bool has_attribute(const std::string& attr_name) const { return find_attribute(attr_name) != nullptr; }
  // Typed getters with defaults (the default is returned when the attribute is absent).
  int64_t attr_int(const std::string& attr_name, int64_t default_value) const;
  float attr_float(const std::string& attr_name, float default_value) const;
  std::string attr_string(const std::string& attr_name, const std::string& default_value) const;
  std::vector<int64_t> attr_ints(const std::string& attr_name, const std::vector<int64_t>& default_value = {}) const;
  std::vector<float> attr_floats(const std::string& attr_name, const std::vector<float>& default_value = {}) const;
  // Number of inputs that are present (trailing omitted inputs not counted).
  size_t num_inputs() const { return inputs.size(); }
  bool has_input(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
  // "node 'Add_12' (Add)": how errors name a node.
  std::string describe() const;
  bool has_subgraph() const;
};

class Graph {
 public:
  std::string name;
  std::vector<Node> nodes;
  std::vector<ValueInfo> inputs;   // graph inputs that are not initializers
  std::vector<ValueInfo> outputs;
  std::map<std::string, ValueInfo> value_info;  // declared intermediate types/shapes (informational)
  std::unordered_map<std::string, Tensor> initializers;
  std::map<std::string, int64_t> opsets;  // domain ("" = ai.onnx) -> version
  int64_t ir_version = 0;
  std::string producer;

  // Opset version the model imports for `domain` (0 if not imported).
  int64_t opset(const std::string& domain) const;
  // Node indices in an order where every node comes after the producers of its inputs.
  // Errors name the value that has no producer (missing initializer / input) or a cycle.
  Result<std::vector<size_t>> topological_order() const;
};

}  // namespace onyx::ir
