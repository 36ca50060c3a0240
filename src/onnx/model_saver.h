// ir::Graph -> ONNX file (what `onyx optimize` and `onyx quantize` write).
#pragma once

#include <string>

#include "onyx/status.h"
#include "src/ir/graph.h"

namespace onyx::onnx_io {

struct SaveOptions {
  // Initializers of at least this many bytes go to one external data file "<model file name>.data" beside the
  // model when the model's initializers total more than external_data_total_bytes (protobuf's 2 GiB limit).
  size_t external_data_min_bytes = 1024;
  size_t external_data_total_bytes = size_t{1800} << 20;
  std::string producer_name = "onyx";
};

// Nodes are written in topological order. Errors: a cycle or dangling value, subgraph attributes (not supported),
// or the file not writable.
Status save_model_file(const ir::Graph& graph, const std::string& path, const SaveOptions& options = {});
// The serialized ModelProto (all initializers inline).
Result<std::string> save_model_bytes(const ir::Graph& graph, const SaveOptions& options = {});

}  // namespace onyx::onnx_io
