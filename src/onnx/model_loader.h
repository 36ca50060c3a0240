// ONNX ModelProto (file or bytes) -> ir::Graph, with validation and clear errors.
#pragma once

#include <string>
#include <string_view>

#include "onyx/status.h"
#include "src/ir/graph.h"

namespace onyx::onnx_io {

struct LoadOptions {
  bool run_onnx_checker = true;
};

// Errors name the file and say what is wrong: missing, empty, truncated/not ONNX, bad initializer, missing
// external data, unsupported dtype or value type.
Result<ir::Graph> load_model_file(const std::string& path, const LoadOptions& options = {});
Result<ir::Graph> load_model_bytes(std::string_view bytes, const std::string& base_dir,
                                   const LoadOptions& options = {}, const std::string& display_name = "<memory>");

}  // namespace onyx::onnx_io
