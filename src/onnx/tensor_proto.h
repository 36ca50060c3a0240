// TensorProto <-> onyx::Tensor: every storage form (raw_data, typed fields, external data files).
#pragma once

#include <string>

#include "onyx/status.h"
#include "onyx/tensor.h"

namespace onnx {
class TensorProto;
}

namespace onyx::onnx_io {

// `base_dir` resolves external data locations; `what` names the tensor in errors ("initializer 'w'").
Result<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir, const std::string& what);
// Reads a serialized TensorProto file (as in ONNX's test_data_set_N/input_0.pb).
Result<Tensor> read_tensor_proto_file(const std::string& path, std::string* name = nullptr);
// Writes `tensor` into `proto` with raw_data storage.
void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto);

}  // namespace onyx::onnx_io
