// Small tensor helpers for the O1 pass tests (attribute setters and constant_node: tests/unit/model_builder.h).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "src/onnx/tensor_proto.h"
#include "tests/unit/model_builder.h"

namespace onyx::test {

inline Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }
inline Tensor floats(Shape shape, std::vector<float> v) { return Tensor::from_vector<float>(std::move(shape), v); }

}  // namespace onyx::test
