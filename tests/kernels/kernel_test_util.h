// Helpers for kernel tests: run one node through its CPU kernel, compare tensors.
#pragma once

#include <string>
#include <utility>
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

// numpy.matmul's shapes, for reference implementations: A [..., M, K] (a 1-D A is [1, K]) times B [..., K, N] (a 1-D
// B is [K, 1]), batch dims broadcast.
struct MatMulBroadcast {
  Shape a, b;  // A's and B's shapes with the 1-D cases made 2-D
  int64_t m = 0, k = 0, n = 0;
  Shape batch;  // the broadcast batch dims
  Shape out;    // the output shape (without the dims a 1-D A or B drops)
  // The A and B matrices (indices over their own batch dims, broadcast dims at 0) that output matrix `bi` reads.
  std::pair<int64_t, int64_t> matrices(int64_t bi) const;
};
MatMulBroadcast matmul_broadcast(const Shape& a, const Shape& b);

}  // namespace onyx::test
