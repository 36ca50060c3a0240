// The task registry: one line per task, filled by a plain function (registry.cc); one factory per task file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "onyx/pipeline.h"
#include "onyx/session.h"

namespace onyx::detail {

using TaskFactory = Result<std::unique_ptr<Pipeline>> (*)(std::string task, ModelFolder model,
                                                          std::unique_ptr<Session> session, PipelineOptions options);

struct TaskEntry {
  std::string name;
  std::vector<std::string> aliases;
  TaskFactory make;
};

// Sorted by name.
const std::vector<TaskEntry>& task_registry();

Result<std::unique_ptr<Pipeline>> make_text_classification(std::string task, ModelFolder model,
                                                           std::unique_ptr<Session> session, PipelineOptions options);
Result<std::unique_ptr<Pipeline>> make_fill_mask(std::string task, ModelFolder model, std::unique_ptr<Session> session,
                                                 PipelineOptions options);
Result<std::unique_ptr<Pipeline>> make_feature_extraction(std::string task, ModelFolder model,
                                                          std::unique_ptr<Session> session, PipelineOptions options);

}  // namespace onyx::detail
