// text-classification (alias sentiment-analysis), as transformers' TextClassificationPipeline:
//   texts -> tokenizer (truncated to the model's max) -> logits [batch, num_labels] -> function -> sort -> top_k
// function_to_apply by default: problem_type multi_label_classification or num_labels == 1 -> sigmoid;
// problem_type single_label_classification or num_labels > 1 -> softmax; config function_to_apply; else none.
// Scores are computed in float32 as numpy does in transformers.
#include "src/pipelines/text_classification.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "onyx/session.h"
#include "src/pipelines/registry.h"
#include "src/pipelines/text_batch.h"

namespace onyx::detail {
namespace {

using Json = nlohmann::json;

void apply_function(ClassificationFunction f, std::span<float> row) {
  if (f == ClassificationFunction::kSigmoid) {
    for (float& v : row) v = 1.0f / (1.0f + std::exp(-v));
  } else if (f == ClassificationFunction::kSoftmax) {
    const float max = *std::max_element(row.begin(), row.end());
    float sum = 0;
    for (float& v : row) sum += (v = std::exp(v - max));
    for (float& v : row) v /= sum;
  }
}

Result<ClassificationFunction> parse_function(const Json& v) {
  if (v.is_null()) return ClassificationFunction::kDefault;
  std::string s = v.is_string() ? v.get<std::string>() : "";
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "softmax") return ClassificationFunction::kSoftmax;
  if (s == "sigmoid") return ClassificationFunction::kSigmoid;
  if (s == "none") return ClassificationFunction::kNone;
  return invalid_argument("function_to_apply must be \"softmax\", \"sigmoid\" or \"none\", got " + v.dump());
}

}  // namespace

ClassificationFunction TextClassificationPipeline::default_function(size_t num_outputs) const {
  const Json& cfg = *model_.config;
  const std::string problem =
      cfg.contains("problem_type") && cfg["problem_type"].is_string() ? cfg["problem_type"].get<std::string>() : "";
  const size_t num_labels = model_.id2label.empty() ? num_outputs : model_.id2label.size();
  if (problem == "multi_label_classification" || num_labels == 1) return ClassificationFunction::kSigmoid;
  if (problem == "single_label_classification" || num_labels > 1) return ClassificationFunction::kSoftmax;
  if (cfg.contains("function_to_apply")) {
    auto f = parse_function(cfg["function_to_apply"]);
    if (f.ok() && *f != ClassificationFunction::kDefault) return *f;
  }
  return ClassificationFunction::kNone;
}

Result<std::vector<std::vector<LabelScore>>> TextClassificationPipeline::classify(std::span<const std::string> texts,
                                                                                  std::span<const std::string> pairs,
                                                                                  ClassificationFunction function,
                                                                                  std::optional<size_t> top_k) const {
  const size_t max_length = options_.max_length.value_or(model_.max_length);
  ONYX_ASSIGN_OR_RETURN(std::vector<tok::Encoding> encodings,
                        encode_texts(model_, max_length, texts, pairs, [this](const std::string& m) { warn(m); }));
  std::vector<std::vector<LabelScore>> results(texts.size());
  auto on_batch = [&](std::span<const size_t> rows, const NamedTensors& outputs) -> Status {
    const Tensor& logits = output_or_first(outputs, "logits");
    if (logits.dtype() != DType::kFloat32 || logits.rank() != 2 || logits.dim(0) != static_cast<int64_t>(rows.size()))
      return invalid_model("text-classification expects float32 logits [batch, num_labels], got " +
                           dtype_name(logits.dtype()) + " " + shape_to_string(logits.shape()));
    const size_t n = static_cast<size_t>(logits.dim(1));
    const ClassificationFunction f = function == ClassificationFunction::kDefault ? default_function(n) : function;
    for (size_t r = 0; r < rows.size(); ++r) {
      std::vector<float> row(logits.data<float>() + r * n, logits.data<float>() + (r + 1) * n);
      apply_function(f, row);
      std::vector<LabelScore>& out = results[rows[r]];
      for (size_t i = 0; i < n; ++i) out.push_back({model_.label(i), row[i]});
      std::stable_sort(out.begin(), out.end(),
                       [](const LabelScore& a, const LabelScore& b) { return a.score > b.score; });
      if (top_k && out.size() > *top_k) out.resize(*top_k);
    }
    return ok_status();
  };
  ONYX_RETURN_IF_ERROR(run_batches(*session_, model_, encodings, options_.batch_size, options_.on_progress, on_batch));
  return results;
}

Result<std::vector<Json>> TextClassificationPipeline::run(const std::vector<Json>& inputs, const Json& params) const {
  if (!params.is_null() && !params.is_object()) return invalid_argument("parameters must be a JSON object");
  std::optional<size_t> top_k = 1;
  bool has_top_k = false;
  ONYX_RETURN_IF_ERROR(param_size(params, "top_k", top_k, has_top_k));
  ClassificationFunction function = ClassificationFunction::kDefault;
  if (params.is_object() && params.contains("function_to_apply")) {
    ONYX_ASSIGN_OR_RETURN(function, parse_function(params["function_to_apply"]));
  }
  std::vector<std::string> texts, pairs;
  bool any_pair = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Json& in = inputs[i];
    if (in.is_string()) {
      texts.push_back(in.get<std::string>());
      pairs.emplace_back();
    } else if (in.is_object() && in.contains("text") && in["text"].is_string()) {
      texts.push_back(in["text"].get<std::string>());
      pairs.push_back(in.contains("text_pair") && in["text_pair"].is_string() ? in["text_pair"].get<std::string>()
                                                                              : "");
      any_pair = any_pair || in.contains("text_pair");
    } else {
      return invalid_argument("input " + std::to_string(i) +
                              ": text-classification takes a string or {\"text\": ..., \"text_pair\": ...}, got " +
                              in.dump().substr(0, 80));
    }
  }
  if (!any_pair) pairs.clear();
  ONYX_ASSIGN_OR_RETURN(auto scores, classify(texts, pairs, function, top_k));
  std::vector<Json> out;
  out.reserve(scores.size());
  for (const auto& list : scores) {
    Json items = Json::array();
    for (const auto& ls : list) items.push_back({{"label", ls.label}, {"score", static_cast<double>(ls.score)}});
    out.push_back(has_top_k ? items : items.at(0));
  }
  return out;
}

Result<std::unique_ptr<Pipeline>> make_text_classification(std::string task, ModelFolder model,
                                                           std::unique_ptr<Session> session, PipelineOptions options) {
  return std::unique_ptr<Pipeline>(
      new TextClassificationPipeline(std::move(task), std::move(model), std::move(session), std::move(options)));
}

}  // namespace onyx::detail

namespace onyx {

Result<std::vector<std::vector<LabelScore>>> classify(const Pipeline& pipeline, std::span<const std::string> texts,
                                                      const ClassifyOptions& options) {
  const auto* p = dynamic_cast<const detail::TextClassificationPipeline*>(&pipeline);
  if (p == nullptr)
    return invalid_argument("classify() needs a text-classification pipeline, got '" + pipeline.task() + "'");
  return p->classify(texts, {}, options.function, options.top_k);
}

}  // namespace onyx
