// Helpers for the math kernel tests (tests/kernels/math_*_test.cc): attributes and tensor-to-vector reads.
#pragma once

#include <string>
#include <vector>

#include "onyx/tensor.h"
#include "src/ir/graph.h"

namespace onyx::test::math {

inline void set_int(ir::Node& n, const std::string& name, int64_t v) {
  n.attributes[name].kind = ir::Attribute::Kind::kInt;
  n.attributes[name].i = v;
}
inline void set_float(ir::Node& n, const std::string& name, float v) {
  n.attributes[name].kind = ir::Attribute::Kind::kFloat;
  n.attributes[name].f = v;
}
inline void set_ints(ir::Node& n, const std::string& name, std::vector<int64_t> v) {
  n.attributes[name].kind = ir::Attribute::Kind::kInts;
  n.attributes[name].ints = std::move(v);
}
inline void set_string(ir::Node& n, const std::string& name, std::string v) {
  n.attributes[name].kind = ir::Attribute::Kind::kString;
  n.attributes[name].s = std::move(v);
}

// Row-major strides of `shape` (elements).
inline std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

// Multi-index of flat position `flat` in `shape`.
inline std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    idx[i] = shape[i] ? flat % shape[i] : 0;
    flat = shape[i] ? flat / shape[i] : 0;
  }
  return idx;
}

}  // namespace onyx::test::math
