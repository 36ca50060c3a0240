// text-classification / sentiment-analysis (see text_classification.cc).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "onyx/pipeline.h"

namespace onyx::detail {

class TextClassificationPipeline : public Pipeline {
 public:
  TextClassificationPipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session,
                             PipelineOptions options)
      : Pipeline(std::move(task), std::move(model), std::move(session), std::move(options)) {}

  // Inputs: "text" or {"text": ..., "text_pair": ...}. Params: top_k (int or null), function_to_apply
  // ("softmax" | "sigmoid" | "none"). Without top_k: {"label", "score"} per input (transformers' legacy
  // output); with top_k: a list of them, best first (null: all labels).
  Result<std::vector<nlohmann::json>> run(const std::vector<nlohmann::json>& inputs,
                                          const nlohmann::json& params) const override;
  using Pipeline::run;

  // Scores per text, best first, at most top_k (none: all). `pairs` empty or one per text.
  Result<std::vector<std::vector<LabelScore>>> classify(std::span<const std::string> texts,
                                                        std::span<const std::string> pairs,
                                                        ClassificationFunction function,
                                                        std::optional<size_t> top_k) const;

  // The function transformers applies by default for this model's config.
  ClassificationFunction default_function(size_t num_outputs) const;
};

}  // namespace onyx::detail
