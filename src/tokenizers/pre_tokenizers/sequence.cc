// Sequence pre-tokenizer: runs its pre-tokenizers in order.
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

class SequencePreTokenizer final : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> items) : items_(std::move(items)) {}
  Status pre_tokenize(PreTokenizedString& s) const override {
    for (const auto& p : items_) ONYX_RETURN_IF_ERROR(p->pre_tokenize(s));
    return ok_status();
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> items_;
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_sequence_pre_tokenizer(const Json& j) {
  if (!j.contains("pretokenizers") || !j["pretokenizers"].is_array()) {
    return invalid_model("Sequence pre-tokenizer has no \"pretokenizers\" array");
  }
  std::vector<std::unique_ptr<PreTokenizer>> items;
  for (const auto& item : j["pretokenizers"]) {
    ONYX_ASSIGN_OR_RETURN(auto p, make_pre_tokenizer(item));
    items.push_back(std::move(p));
  }
  return std::unique_ptr<PreTokenizer>(new SequencePreTokenizer(std::move(items)));
}

}  // namespace onyx::tok::detail
