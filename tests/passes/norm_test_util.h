// ModelBuilder helpers for the normalization fusion tests (tests/passes/norm_*_test.cc): attributes, constants, and
// the output comparison that needs the fused op's CPU kernel.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "src/ep/cpu/registry.h"
#include "src/onnx/tensor_proto.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test::norm_test {

inline Tensor scalar(float v) { return Tensor::from_vector<float>({}, {v}); }
inline Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }

// Whether the CPU EP has a kernel for `op` (outputs of a fused graph can only be compared once it does).
inline bool cpu_has(const std::string& op, const std::string& domain, int64_t opset) {
  return cpu::find_cpu_kernel(op, domain, opset) != nullptr;
}

// Fuses with only `pass` for the CPU EP and compares outputs with the unoptimized model (1e-5), when the CPU EP
// implements `op`; returns false (and compares nothing) when it does not yet.
inline bool expect_same_on_cpu(const std::string& bytes, const std::string& pass, const std::string& op,
                               const std::string& domain, int64_t opset, const NamedTensors& inputs, int expected) {
  if (!cpu_has(op, domain, opset)) return false;
  PassResult r = run_passes(bytes, {pass}, opt::Level::kReducedPrecision, /*any_ep=*/false);
  EXPECT_EQ(count_ops(r.graph, op), expected);
  expect_same_outputs(bytes, r, inputs, 1e-5);
  return true;
}

}  // namespace onyx::test::norm_test
