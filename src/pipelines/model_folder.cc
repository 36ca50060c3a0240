// ModelFolder::load: a Hugging Face / Optimum model folder -> ONNX path, config.json, tokenizer, limits, labels.
//
//   DIR/model.onnx | DIR/onnx/model.onnx     the model (first one found; PipelineOptions::model_file overrides)
//   DIR/config.json                          id2label, problem_type, max_position_embeddings, ...
//   DIR/tokenizer.json | vocab.txt | ...     via tok::Tokenizer::from_directory
//   DIR/tokenizer_config.json (optional)     model_max_length
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "onyx/pipeline.h"

namespace onyx {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

Result<Json> read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return invalid_model(path.string() + " is not a JSON object; re-save the model folder with save_pretrained");
  return j;
}

// Positive integer under `key`, if present and plausible (transformers writes 1e30 for "no limit").
std::optional<size_t> size_field(const Json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return std::nullopt;
  const double v = j[key].get<double>();
  if (v < 1 || v > 1e7) return std::nullopt;
  return static_cast<size_t>(v);
}

// The tokenizer files onyx can load (see tok::Tokenizer::from_directory).
bool has_tokenizer_files(const fs::path& dir) {
  return is_file(dir / "tokenizer.json") || is_file(dir / "vocab.txt") ||
         (is_file(dir / "vocab.json") && is_file(dir / "merges.txt")) ||
         (is_file(dir / "encoder.json") && is_file(dir / "vocab.bpe"));
}

Result<std::vector<std::string>> read_id2label(const Json& config, const std::string& where) {
  std::vector<std::string> labels;
  if (!config.contains("id2label")) return labels;
  const Json& m = config["id2label"];
  if (!m.is_object()) return invalid_model(where + ": id2label must be an object {\"0\": \"LABEL\", ...}");
  for (const auto& [key, value] : m.items()) {
    char* end = nullptr;
    const long id = std::strtol(key.c_str(), &end, 10);
    if (end == key.c_str() || *end != '\0' || id < 0 || id > 1000000)
      return invalid_model(where + ": id2label key '" + key + "' is not a class index");
    if (!value.is_string()) return invalid_model(where + ": id2label[" + key + "] is not a string");
    if (labels.size() <= static_cast<size_t>(id)) labels.resize(id + 1);
    labels[id] = value.get<std::string>();
  }
  return labels;
}

}  // namespace

std::string ModelFolder::label(size_t i) const {
  if (i < id2label.size() && !id2label[i].empty()) return id2label[i];
  return "LABEL_" + std::to_string(i);
}

Result<ModelFolder> ModelFolder::load(const std::string& dir_name, const std::string& model_file) {
  const fs::path dir(dir_name);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return not_found("model folder '" + dir_name + "' does not exist (expected a folder with model.onnx or " +
                     "onnx/model.onnx, config.json and tokenizer files)");
  fs::path onnx;
  if (!model_file.empty()) {
    onnx = fs::path(model_file).is_absolute() || is_file(model_file) ? fs::path(model_file) : dir / model_file;
    if (!is_file(onnx)) return not_found("model file '" + onnx.string() + "' does not exist");
  } else if (is_file(dir / "model.onnx")) {
    onnx = dir / "model.onnx";
  } else if (is_file(dir / "onnx" / "model.onnx")) {
    onnx = dir / "onnx" / "model.onnx";
  } else {
    return not_found("model folder '" + dir_name + "' has no model.onnx (looked for " + (dir / "model.onnx").string() +
                     " and " + (dir / "onnx" / "model.onnx").string() + "; export one with optimum-cli export onnx)");
  }
  const fs::path config_path = dir / "config.json";
  if (!is_file(config_path))
    return not_found("model folder '" + dir_name + "' has no config.json (missing " + config_path.string() +
                     "; it is written by save_pretrained / optimum-cli export onnx)");
  ONYX_ASSIGN_OR_RETURN(Json config, read_json(config_path));
  if (!has_tokenizer_files(dir))
    return not_found("model folder '" + dir_name + "' has no tokenizer (missing " + (dir / "tokenizer.json").string() +
                     ", and no legacy vocab.txt / vocab.json+merges.txt either; save the tokenizer with "
                     "tokenizer.save_pretrained)");
  auto tokenizer = tok::Tokenizer::from_directory(dir_name);
  if (!tokenizer.ok()) return tokenizer.status().with_context("tokenizer of '" + dir_name + "'");
  tok::Tokenizer t = std::move(tokenizer).value();
  // The folder's own limits replace whatever tokenizer.json stored; the pipeline sets them per call.
  ONYX_RETURN_IF_ERROR(t.set_truncation(std::nullopt));
  t.set_padding(std::nullopt);

  // Token limit: tokenizer_config.json model_max_length, capped by the position table of the model.
  std::optional<size_t> max_length;
  if (is_file(dir / "tokenizer_config.json")) {
    ONYX_ASSIGN_OR_RETURN(Json tc, read_json(dir / "tokenizer_config.json"));
    max_length = size_field(tc, "model_max_length");
  }
  std::optional<size_t> positions = size_field(config, "max_position_embeddings");
  if (!positions) positions = size_field(config, "n_positions");
  if (positions) {
    // RoBERTa-style position ids start at padding_idx + 1: two fewer usable positions.
    const std::string type = config.value("model_type", "");
    if (type == "roberta" || type == "xlm-roberta" || type == "camembert" || type == "mpnet") {
      *positions = *positions > 2 ? *positions - 2 : *positions;
    }
    max_length = max_length ? std::min(*max_length, *positions) : *positions;
  }
  ONYX_ASSIGN_OR_RETURN(std::vector<std::string> labels, read_id2label(config, config_path.string()));
  return ModelFolder{dir_name,
                     onnx.string(),
                     std::make_shared<Json>(std::move(config)),
                     std::move(t),
                     max_length.value_or(512),
                     std::move(labels)};
}

}  // namespace onyx
