// IN / OUT handling shared by the commands that rewrite a model (`onyx optimize`, `onyx quantize`): IN is an .onnx
// file or a model folder; for a folder, OUT is a folder that gets every other file and the rewritten model at IN's
// relative path.
#pragma once

#include <filesystem>
#include <string>

#include "onyx/status.h"

namespace onyx::cli {

struct ModelPaths {
  bool folder = false;               // IN is a model folder
  std::filesystem::path in_model;    // the model file read
  std::filesystem::path out_model;   // the model file written
};

// For a folder IN: its model.onnx, then onnx/model.onnx (ModelFolder's order). Errors: IN missing, a folder without a
// model, a folder IN with a file OUT, OUT that would overwrite IN.
Result<ModelPaths> resolve_model_paths(const std::string& in, const std::string& out);

// Copies the folder `from` into `to` except the input model and its external data (replaced by the output).
Status copy_companion_files(const std::filesystem::path& from, const std::filesystem::path& to,
                            const std::filesystem::path& in_model);

}  // namespace onyx::cli
