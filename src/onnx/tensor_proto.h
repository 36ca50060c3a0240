// TensorProto <-> onyx::Tensor: every storage form (raw_data, typed fields, external data files).
#pragma once

#include <functional>
#include <string>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/onnx/wire_scan.h"

namespace onnx {
class TensorProto;
}

namespace onyx::onnx_io {

// Copies bytes `range` of the model's source (its file or buffer) into dst, which holds range.size bytes.
using ReadSource = std::function<Status(SourceRange range, void* dst)>;

// A raw_data field the loader left out of the parsed TensorProto (wire_scan.h) and how to read it.
struct DetachedRawData {
  SourceRange range;
  const ReadSource* read = nullptr;
};

// `base_dir` resolves external data locations; `what` names the tensor in errors ("initializer 'w'"). With `detached`,
// the tensor's raw_data is read from the model's source straight into the new Tensor (the proto has none).
Result<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir, const std::string& what,
                                 const DetachedRawData* detached = nullptr);
// Reads a serialized TensorProto file (as in ONNX's test_data_set_N/input_0.pb).
Result<Tensor> read_tensor_proto_file(const std::string& path, std::string* name = nullptr);
// Writes `tensor` into `proto` with raw_data storage.
void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto);

}  // namespace onyx::onnx_io
