// `onyx pipeline TASK [--model DIR] [TEXT ... | --file FILE | --jsonl FILE]`: run a Hugging Face-style pipeline and
// print its output as JSON, in transformers' format:
//   onyx pipeline sentiment-analysis "I love it"            -> [{"label":"POSITIVE","score":0.99}]
//   onyx pipeline sentiment-analysis "a" "b"                -> [{...},{...}]           (one per text)
//   onyx pipeline sentiment-analysis --top-k 2 "a"          -> [{...},{...}]           (best first)
//   onyx pipeline sentiment-analysis --top-k 2 "a" "b"      -> [[{...},{...}],[...]]
// --file: one text per line; --jsonl: one JSON input per line (a string, or an object such as
// {"text": ..., "text_pair": ...}); both print one JSON array with one result per line and draw a progress bar
// on stderr. Without --model, sentiment-analysis uses the embedded default model (see Pipeline::default_model).
#include "onyx/pipeline.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "tools/onyx/commands.h"
#include "tools/onyx/progress.h"

namespace onyx::cli {
namespace {

using Json = nlohmann::json;

struct PipelineCliOptions {
  std::string task;
  std::string model;
  std::string model_file;
  std::vector<std::string> texts;
  std::string file;
  std::string jsonl;
  size_t batch_size = 8;
  int top_k = 0;  // 0: not given
  bool all_labels = false;
  std::string function_to_apply;
  std::string pooling;
  std::string normalize;
  std::string params;
  std::string aggregation_strategy;  // token-classification
  std::string question, context;     // question-answering
  size_t max_answer_len = 0, doc_stride = 0;
  bool handle_impossible_answer = false;
  std::string candidate_labels, hypothesis_template;  // zero-shot-classification
  bool multi_label = false;
  size_t max_length = 0;
  int threads = 0;
  int level = 99;
  SessionOptions::Precision precision = SessionOptions::Precision::kFp32;
  bool quiet = false;
  bool pretty = false;
};

Result<std::vector<Json>> read_inputs(const PipelineCliOptions& o) {
  std::vector<Json> inputs;
  const std::string& path = o.file.empty() ? o.jsonl : o.file;
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open input file '" + path + "'");
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!o.file.empty()) {
      inputs.emplace_back(std::move(line));
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Json j = Json::parse(line, nullptr, false);
    if (j.is_discarded())
      return invalid_argument(path + ":" + std::to_string(line_no) +
                              ": not a JSON value (expected a string or an object)");
    inputs.push_back(std::move(j));
  }
  return inputs;
}

int run_pipeline(const PipelineCliOptions& o) {
  if (!Pipeline::canonical_task(o.task)) {
    std::string known;
    for (const auto& t : Pipeline::tasks()) known += (known.empty() ? "" : ", ") + t;
    return fail("unknown task '" + o.task + "'; known tasks: " + known);
  }
  const bool qa = !o.question.empty() || !o.context.empty();
  if (qa && (o.question.empty() || o.context.empty())) return fail("give both --question Q and --context C");
  const int sources = (!o.texts.empty()) + (!o.file.empty()) + (!o.jsonl.empty()) + qa;
  if (sources != 1)
    return fail("give the inputs as TEXT arguments, or --file FILE, or --jsonl FILE, or --question Q --context C "
                "(exactly one)");
  std::string model = o.model;
  if (model.empty()) {
    auto d = Pipeline::default_model(o.task);
    if (!d) return fail("task '" + o.task + "' has no default model; pass --model DIR");
    model = *d;
  }
  Json params = Json::object();
  if (!o.params.empty()) {
    params = Json::parse(o.params, nullptr, false);
    if (params.is_discarded() || !params.is_object()) return fail("--params must be a JSON object, got " + o.params);
  }
  if (o.top_k > 0) params["top_k"] = o.top_k;
  if (o.all_labels) params["top_k"] = nullptr;
  if (!o.function_to_apply.empty()) params["function_to_apply"] = o.function_to_apply;
  if (!o.pooling.empty()) params["pooling"] = o.pooling;
  if (!o.normalize.empty()) params["normalize"] = o.normalize == "true" || o.normalize == "1";
  if (!o.aggregation_strategy.empty()) params["aggregation_strategy"] = o.aggregation_strategy;
  if (o.max_answer_len > 0) params["max_answer_len"] = o.max_answer_len;
  if (o.doc_stride > 0) params["doc_stride"] = o.doc_stride;
  if (o.handle_impossible_answer) params["handle_impossible_answer"] = true;
  if (!o.candidate_labels.empty()) params["candidate_labels"] = o.candidate_labels;
  if (!o.hypothesis_template.empty()) params["hypothesis_template"] = o.hypothesis_template;
  if (o.multi_label) params["multi_label"] = true;

  std::vector<Json> inputs;
  const bool from_file = o.texts.empty() && !qa;
  if (qa) {
    inputs.push_back({{"question", o.question}, {"context", o.context}});
  } else if (from_file) {
    auto r = read_inputs(o);
    if (!r.ok()) return fail(r.status().to_string());
    inputs = std::move(r).value();
  } else {
    inputs.assign(o.texts.begin(), o.texts.end());
  }
  auto bar = std::make_shared<ProgressBar>(from_file && !o.quiet, "inputs");
  PipelineOptions options;
  options.model_file = o.model_file;
  options.threads = o.threads;
  options.optimization_level = o.level;
  options.precision = o.precision;
  options.batch_size = o.batch_size;
  if (o.max_length > 0) options.max_length = o.max_length;
  options.on_progress = [bar](size_t done, size_t total) { bar->update(done, total); };
  auto pipeline = Pipeline::create(o.task, model, options);
  if (!pipeline.ok()) return fail(pipeline.status().to_string());
  auto results = (*pipeline)->run(inputs, params);
  if (!results.ok()) return fail(results.status().to_string());
  Json out;
  if (!from_file && results->size() == 1) {
    // A single text: transformers returns [result] when the result is one dict, else the result itself.
    out = results->front().is_object() ? Json::array({results->front()}) : results->front();
  } else {
    out = Json(std::move(results).value());
  }
  std::cout << out.dump(o.pretty ? 2 : -1) << "\n";
  return 0;
}

}  // namespace

void add_pipeline_command(CLI::App& app) {
  auto o = std::make_shared<PipelineCliOptions>();
  std::string tasks;
  for (const auto& t : Pipeline::tasks()) tasks += (tasks.empty() ? "" : ", ") + t;
  CLI::App* cmd = app.add_subcommand(
      "pipeline", "Run a Hugging Face-style pipeline on texts and print JSON (tasks: " + tasks + ")");
  cmd->add_option("task", o->task, "task name: " + tasks)->required();
  cmd->add_option("texts", o->texts, "texts to process");
  cmd->add_option("--model", o->model,
                  "model folder (model.onnx or onnx/model.onnx, config.json, tokenizer files); default for "
                  "sentiment-analysis: the embedded models/distilbert-sst2-tiny ($ONYX_DEFAULT_MODEL overrides)");
  cmd->add_option("--model-file", o->model_file,
                  "the .onnx file to use inside the folder (e.g. onnx/model_quantized.onnx)");
  cmd->add_option("--file", o->file, "read inputs from FILE, one text per line");
  cmd->add_option("--jsonl", o->jsonl, "read inputs from FILE, one JSON value per line (string or object)");
  cmd->add_option("--batch-size", o->batch_size, "inputs per model run (default 8)")->check(CLI::PositiveNumber);
  cmd->add_option("--top-k", o->top_k, "text-classification: return the K best labels per input")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--all-labels", o->all_labels, "text-classification: return every label (top_k=None)");
  cmd->add_option("--function-to-apply", o->function_to_apply, "text-classification: softmax | sigmoid | none")
      ->check(CLI::IsMember({"softmax", "sigmoid", "none"}));
  cmd->add_option("--pooling", o->pooling, "feature-extraction: none | mean | cls")
      ->check(CLI::IsMember({"none", "mean", "cls"}));
  cmd->add_option("--normalize", o->normalize, "feature-extraction: true | false (L2-normalize the vectors)")
      ->check(CLI::IsMember({"true", "false"}));
  cmd->add_option("--aggregation-strategy", o->aggregation_strategy,
                  "token-classification: none | simple | first | average | max");
  cmd->add_option("--question", o->question, "question-answering: the question (with --context)");
  cmd->add_option("--context", o->context, "question-answering: the context to answer from");
  cmd->add_option("--max-answer-len", o->max_answer_len, "question-answering: longest answer in tokens (15)");
  cmd->add_option("--doc-stride", o->doc_stride, "question-answering: overlap of long-context windows, in tokens");
  cmd->add_flag("--handle-impossible-answer", o->handle_impossible_answer,
                "question-answering: allow the empty answer");
  cmd->add_option("--candidate-labels", o->candidate_labels, "zero-shot-classification: labels, comma-separated");
  cmd->add_option("--hypothesis-template", o->hypothesis_template,
                  "zero-shot-classification: hypothesis with {} for the label (\"This example is {}.\")");
  cmd->add_flag("--multi-label", o->multi_label, "zero-shot-classification: score each label independently");
  cmd->add_option("--params", o->params, "task parameters as a JSON object, e.g. '{\"top_k\": 2}'");
  cmd->add_option("--max-length", o->max_length, "truncate inputs to N tokens (default: the model's maximum)");
  cmd->add_option("--threads", o->threads, "threads per model run (0 = all cores)");
  cmd->add_option("-O,--level", o->level,
                  "graph optimization level: 0 none, 1 basic, 2 extended (fusions), 3 + approximate gelu, 4 + bf16; "
                  "99 = all exact (= 2)")
      ->capture_default_str();
  add_precision_option(cmd, o->precision);
  cmd->add_flag("--quiet,-q", o->quiet, "no progress bar");
  cmd->add_flag("--pretty", o->pretty, "indent the JSON output");
  cmd->callback([o]() {
    int rc = run_pipeline(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
