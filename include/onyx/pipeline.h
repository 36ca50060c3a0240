// onyx/pipeline.h: Hugging Face-style pipelines (tokenize -> run the model -> post-process -> JSON).
//
//   auto p = onyx::Pipeline::create("sentiment-analysis", "models/distilbert-sst2-tiny");
//   if (!p.ok()) { print(p.status().to_string()); }
//   auto out = (*p)->run({"I love this movie"});   // Result<std::vector<nlohmann::json>>
//   // out[0] == [{"label": "POSITIVE", "score": 0.99}]   (the same shape as transformers' pipeline output)
//
// A model folder has the layout that Hugging Face `save_pretrained` / Optimum's ONNX export write:
// `model.onnx` (or `onnx/model.onnx`), `config.json`, and tokenizer files (tokenizer.json, or legacy
// vocab files; see docs/tokenizers.md). See docs/pipelines.md for the tasks and their parameters.
//
// Thread safety: a Pipeline is immutable after create(); run() may be called from many threads at once.
// Errors: every function returns Status/Result; nothing throws.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "onyx/session.h"
#include "onyx/status.h"
#include "onyx/tokenizer.h"

namespace onyx {

class Session;

// Warnings (e.g. "input 3 truncated from 900 to 128 tokens") go here; default: "onyx: warning: ..." on stderr.
using WarningSink = std::function<void(const std::string& message)>;
// Called after each batch with (inputs done, inputs total). Runs on the calling thread.
using ProgressSink = std::function<void(size_t done, size_t total)>;

struct PipelineOptions {
  // The .onnx file to load; empty: `model.onnx`, else `onnx/model.onnx` inside the folder.
  std::string model_file;
  // Threads inside one model run (0 = all cores).
  int threads = 0;
  // Graph optimization level (SessionOptions::optimization_level: 0-4, 99 = all exact = 2).
  int optimization_level = 99;
  // Arithmetic of the weight GEMMs (SessionOptions::precision): fp32, bf16 on CPUs with AVX512-BF16, or int8
  // (dynamic INT8: int8 weights quantized at session creation, uint8 activations per run).
  SessionOptions::Precision precision = SessionOptions::Precision::kFp32;
  // Inputs per model run. Inputs are grouped by length before batching; outputs keep the input order.
  size_t batch_size = 8;
  // Token limit per input (special tokens included); none: the model's maximum (tokenizer_config.json
  // model_max_length, capped by config.json max_position_embeddings). Longer inputs are truncated with a warning.
  std::optional<size_t> max_length;
  WarningSink on_warning;
  ProgressSink on_progress;
};

// A loaded model folder: the pieces every task needs.
struct ModelFolder {
  std::string dir;
  std::string onnx_path;                   // the model file that was found
  std::shared_ptr<nlohmann::json> config;  // config.json, parsed
  tok::Tokenizer tokenizer;                // no truncation/padding set
  size_t max_length = 512;                 // tokens, special tokens included
  std::vector<std::string> id2label;       // from config.json; empty when it has none

  // Label of class `i`: id2label[i] when present, else "LABEL_i" (as transformers names them).
  std::string label(size_t i) const;
  // Loads `dir`. Errors name the missing file (NotFound) or the malformed one (InvalidModel).
  static Result<ModelFolder> load(const std::string& dir, const std::string& model_file = "");
};

class Pipeline {
 public:
  // `task`: a name or alias listed by tasks() ("sentiment-analysis" = "text-classification").
  // Unknown task: InvalidArgument listing the known tasks.
  static Result<std::unique_ptr<Pipeline>> create(const std::string& task, const std::string& model_dir,
                                                  const PipelineOptions& options = {});
  // Known task names (aliases included), sorted.
  static std::vector<std::string> tasks();
  // The canonical name of `task` (aliases resolved), or none when unknown.
  static std::optional<std::string> canonical_task(const std::string& task);
  // The model folder used when none is given: for text-classification / sentiment-analysis the embedded
  // default model, $ONYX_DEFAULT_MODEL if set, else <onyx source tree>/models/distilbert-sst2-tiny.
  // None for tasks without a default model.
  static std::optional<std::string> default_model(const std::string& task);

  virtual ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  const std::string& task() const { return task_; }
  const ModelFolder& model() const { return model_; }
  const Session& session() const { return *session_; }
  const PipelineOptions& options() const { return options_; }

  // Runs the task on `inputs` (strings for text tasks; objects for tasks taking several fields, e.g.
  // {"question": ..., "context": ...}). `params` are the task's call parameters as in transformers
  // (e.g. {"top_k": 2, "function_to_apply": "sigmoid"}). Returns one JSON value per input.
  virtual Result<std::vector<nlohmann::json>> run(const std::vector<nlohmann::json>& inputs,
                                                  const nlohmann::json& params) const = 0;
  Result<std::vector<nlohmann::json>> run(const std::vector<std::string>& texts) const;

 protected:
  Pipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session, PipelineOptions options);
  void warn(const std::string& message) const;

  std::string task_;
  ModelFolder model_;
  std::unique_ptr<Session> session_;
  PipelineOptions options_;
};

// Text classification, typed: one list of (label, score) per text, best first.
struct LabelScore {
  std::string label;
  float score = 0;
};
enum class ClassificationFunction { kDefault, kSoftmax, kSigmoid, kNone };
struct ClassifyOptions {
  // Labels per text, best first; none: all labels.
  std::optional<size_t> top_k = 1;
  // kDefault chooses as transformers does: problem_type multi_label_classification or a single label ->
  // sigmoid; otherwise softmax.
  ClassificationFunction function = ClassificationFunction::kDefault;
};
// `pipeline` must be a text-classification pipeline.
Result<std::vector<std::vector<LabelScore>>> classify(const Pipeline& pipeline, std::span<const std::string> texts,
                                                      const ClassifyOptions& options = {});

}  // namespace onyx
