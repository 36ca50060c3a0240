// Helpers for the contrib kernel tests (tests/kernels/contrib_*_test.cc): com.microsoft nodes and float access.
#pragma once

#include <string>
#include <vector>

#include "onyx/tensor.h"
#include "src/ir/graph.h"
#include "tests/kernels/kernel_test_util.h"

namespace onyx::test::contrib {

inline ir::Node ms_node(const std::string& op, size_t num_inputs, size_t num_outputs = 1) {
  ir::Node n = make_node(op, num_inputs, num_outputs);
  n.domain = "com.microsoft";
  return n;
}

// Runs a com.microsoft node (opset 1).
inline Result<std::vector<Tensor>> run_ms(const ir::Node& node, const std::vector<Tensor>& inputs,
                                          size_t num_outputs = 1) {
  return run_node(node, inputs, 1, num_outputs);
}

inline std::vector<float> to_vec(const Tensor& t) {
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}
inline Tensor from_vec(Shape shape, const std::vector<float>& v) { return Tensor::from_vector<float>(shape, v); }

}  // namespace onyx::test::contrib
