// The task registry: one sorted line per task (name, aliases, factory).
#include "src/pipelines/registry.h"
#include "src/pipelines/task_factories.h"

#include <mutex>

namespace onyx::detail {

namespace {
void fill(std::vector<TaskEntry>& r) {
  r.push_back({"feature-extraction", {}, &make_feature_extraction});
  r.push_back({"fill-mask", {}, &make_fill_mask});
  r.push_back({"sentence-embedding", {}, &make_feature_extraction});
  r.push_back({"question-answering", {}, &make_question_answering});
  r.push_back({"text-classification", {"sentiment-analysis"}, &make_text_classification});
  r.push_back({"token-classification", {"ner"}, &make_token_classification});
  r.push_back({"zero-shot-classification", {}, &make_zero_shot_classification});
}
}  // namespace

const std::vector<TaskEntry>& task_registry() {
  static std::vector<TaskEntry> registry;
  static std::once_flag once;
  std::call_once(once, [] { fill(registry); });
  return registry;
}

}  // namespace onyx::detail
