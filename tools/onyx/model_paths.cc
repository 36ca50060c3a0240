// IN / OUT handling of `onyx optimize` and `onyx quantize` (see model_paths.h).
#include "tools/onyx/model_paths.h"

namespace onyx::cli {

namespace fs = std::filesystem;

Result<ModelPaths> resolve_model_paths(const std::string& in, const std::string& out) {
  ModelPaths p;
  std::error_code ec;
  if (!fs::exists(in, ec))
    return not_found("input '" + in + "' does not exist (expected an .onnx file or a model folder)");
  p.folder = fs::is_directory(in, ec);
  p.in_model = in;
  p.out_model = out;
  if (p.folder) {
    p.in_model.clear();
    for (const char* rel : {"model.onnx", "onnx/model.onnx"})
      if (fs::is_regular_file(fs::path(in) / rel, ec)) {
        p.in_model = fs::path(in) / rel;
        break;
      }
    if (p.in_model.empty())
      return not_found("model folder '" + in + "' has no model.onnx (looked for model.onnx and onnx/model.onnx)");
    if (fs::exists(out, ec) && !fs::is_directory(out, ec))
      return invalid_argument("IN is a folder, so OUT must be a folder; '" + out + "' is a file");
    p.out_model = fs::path(out) / fs::relative(p.in_model, in);
  } else if (fs::is_directory(out, ec)) {
    p.out_model = fs::path(out) / p.in_model.filename();
  }
  if (fs::exists(p.out_model, ec) && fs::equivalent(p.out_model, p.in_model, ec))
    return invalid_argument("OUT would overwrite IN ('" + p.in_model.string() + "'); choose another output path");
  return p;
}

// Copies the folder `from` into `to` except the input model and its external data (replaced by the output).
Status copy_companion_files(const fs::path& from, const fs::path& to, const fs::path& in_model) {
  std::error_code ec;
  const std::string data_name = in_model.filename().string() + ".data";
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    if (fs::equivalent(it->path(), in_model, ec) || it->path().filename() == data_name) continue;
    const fs::path dst = to / fs::relative(it->path(), from);
    fs::create_directories(dst.parent_path(), ec);
    if (!fs::copy_file(it->path(), dst, fs::copy_options::overwrite_existing, ec) || ec)
      return io_error("cannot copy '" + it->path().string() + "' to '" + dst.string() + "': " + ec.message());
  }
  if (ec) return io_error("cannot read folder '" + from.string() + "': " + ec.message());
  return ok_status();
}

}  // namespace onyx::cli
