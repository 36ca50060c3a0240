// Punctuation pre-tokenizer: split on each punctuation char with the configured behavior.
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

class Punctuation final : public PreTokenizer {
 public:
  explicit Punctuation(SplitBehavior behavior) : behavior_(behavior) {}
  Status pre_tokenize(PreTokenizedString& s) const override {
    return s.split([this](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      out = n.split(find_char_matches(n.get(), is_bert_punctuation), behavior_);
      return ok_status();
    });
  }

 private:
  SplitBehavior behavior_;
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_punctuation_pre_tokenizer(const Json& j) {
  ONYX_ASSIGN_OR_RETURN(auto behavior, parse_split_behavior(json_string(j, "behavior", "Isolated")));
  return std::unique_ptr<PreTokenizer>(new Punctuation(behavior));
}

}  // namespace onyx::tok::detail
