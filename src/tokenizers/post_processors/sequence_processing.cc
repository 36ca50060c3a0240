// Sequence post-processor: runs its processors in order on the list of encodings.
#include "post_processors.h"

namespace onyx::tok::detail {
namespace {

class SequenceProcessing final : public PostProcessor {
 public:
  explicit SequenceProcessing(std::vector<std::unique_ptr<PostProcessor>> items) : items_(std::move(items)) {}
  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const auto& p : items_) n += p->added_tokens(is_pair);
    return n;
  }
  Status process_encodings(std::vector<Encoding>& encs, bool add_special_tokens) const override {
    for (const auto& p : items_) ONYX_RETURN_IF_ERROR(p->process_encodings(encs, add_special_tokens));
    return ok_status();
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> items_;
};

}  // namespace

Result<std::unique_ptr<PostProcessor>> make_sequence_processing(const Json& j) {
  if (!j.contains("processors") || !j["processors"].is_array()) {
    return invalid_model("Sequence post-processor has no \"processors\" array");
  }
  std::vector<std::unique_ptr<PostProcessor>> items;
  for (const auto& item : j["processors"]) {
    ONYX_ASSIGN_OR_RETURN(auto p, make_post_processor(item));
    items.push_back(std::move(p));
  }
  return std::unique_ptr<PostProcessor>(new SequenceProcessing(std::move(items)));
}

}  // namespace onyx::tok::detail
