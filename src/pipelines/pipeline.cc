// Pipeline: task lookup, model folder + session loading, warnings.
#include "onyx/pipeline.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "onyx/session.h"
#include "src/pipelines/registry.h"

namespace onyx {

Pipeline::Pipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session, PipelineOptions options)
    : task_(std::move(task)), model_(std::move(model)), session_(std::move(session)), options_(std::move(options)) {}

Pipeline::~Pipeline() = default;

void Pipeline::warn(const std::string& message) const {
  if (options_.on_warning)
    options_.on_warning(message);
  else
    std::fprintf(stderr, "onyx: warning: %s\n", message.c_str());
}

Result<std::vector<nlohmann::json>> Pipeline::run(const std::vector<std::string>& texts) const {
  std::vector<nlohmann::json> inputs(texts.begin(), texts.end());
  return run(inputs, nlohmann::json::object());
}

std::vector<std::string> Pipeline::tasks() {
  std::vector<std::string> names;
  for (const auto& e : detail::task_registry()) {
    names.push_back(e.name);
    names.insert(names.end(), e.aliases.begin(), e.aliases.end());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> Pipeline::canonical_task(const std::string& task) {
  for (const auto& e : detail::task_registry()) {
    if (e.name == task || std::find(e.aliases.begin(), e.aliases.end(), task) != e.aliases.end()) return e.name;
  }
  return std::nullopt;
}

std::optional<std::string> Pipeline::default_model(const std::string& task) {
  if (canonical_task(task) != "text-classification") return std::nullopt;
  if (const char* env = std::getenv("ONYX_DEFAULT_MODEL"); env != nullptr && *env != '\0') return std::string(env);
#ifdef ONYX_PIPELINES_SOURCE_DIR
  return std::string(ONYX_PIPELINES_SOURCE_DIR) + "/models/distilbert-sst2-tiny";
#else
  return std::string("models/distilbert-sst2-tiny");
#endif
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(const std::string& task, const std::string& model_dir,
                                                   const PipelineOptions& options) {
  const detail::TaskEntry* entry = nullptr;
  for (const auto& e : detail::task_registry()) {
    if (e.name == task || std::find(e.aliases.begin(), e.aliases.end(), task) != e.aliases.end()) entry = &e;
  }
  if (entry == nullptr) {
    std::string known;
    for (const auto& name : tasks()) known += (known.empty() ? "" : ", ") + name;
    return invalid_argument("unknown task '" + task + "'; known tasks: " + known);
  }
  ONYX_ASSIGN_OR_RETURN(ModelFolder model, ModelFolder::load(model_dir, options.model_file));
  SessionOptions so;
  so.threads = options.threads;
  so.optimization_level = options.optimization_level;
  so.precision = options.precision;
  // The tasks read only unmasked positions (token vectors up to each input's length, mean pooling over the mask,
  // token 0 of right-padded batches, logits of real tokens): padding is not computed (SessionOptions::remove_padding).
  so.remove_padding = true;
  auto session = Session::create(model.onnx_path, so);
  if (!session.ok()) return session.status().with_context(model.onnx_path);
  return entry->make(entry->name, std::move(model), std::move(session).value(), options);
}

}  // namespace onyx
