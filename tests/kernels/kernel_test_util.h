// Helpers for kernel tests: run one node through its CPU kernel, compare tensors.
#pragma once

#include <string>
#include <vector>

#include "onyx/tensor.h"
#include "src/ir/graph.h"

namespace onyx::test {

// Builds a node `op` (domain ""), creates its CPU kernel at `opset` and computes it on `inputs`
// (an undefined Tensor = omitted optional input). Returns the outputs or the error.
Result<std::vector<Tensor>> run_node(const ir::Node& node, const std::vector<Tensor>& inputs, int64_t opset = 17,
                                     size_t num_outputs = 1);
ir::Node make_node(const std::string& op, size_t num_inputs, size_t num_outputs = 1);
// Max |a - b| over all elements (as double); +inf when shapes or dtypes differ.
double max_abs_diff(const Tensor& a, const Tensor& b);
Tensor random_tensor(DType dtype, Shape shape, unsigned seed, double lo = -1.0, double hi = 1.0);

}  // namespace onyx::test
