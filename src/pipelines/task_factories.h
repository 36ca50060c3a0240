// Factories of the token-classification, question-answering and zero-shot-classification tasks (one file each),
// listed in registry.cc.
#pragma once

#include "src/pipelines/registry.h"

namespace onyx::detail {

Result<std::unique_ptr<Pipeline>> make_token_classification(std::string task, ModelFolder model,
                                                            std::unique_ptr<Session> session, PipelineOptions options);
Result<std::unique_ptr<Pipeline>> make_question_answering(std::string task, ModelFolder model,
                                                          std::unique_ptr<Session> session, PipelineOptions options);
Result<std::unique_ptr<Pipeline>> make_zero_shot_classification(std::string task, ModelFolder model,
                                                                std::unique_ptr<Session> session,
                                                                PipelineOptions options);

}  // namespace onyx::detail
