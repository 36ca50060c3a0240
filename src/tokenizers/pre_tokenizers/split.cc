// Split pre-tokenizer: split on a string or regex pattern (optionally inverted) with a behavior.
#include "../pattern.h"
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

class SplitPreTokenizer final : public PreTokenizer {
 public:
  SplitPreTokenizer(std::shared_ptr<const Pattern> pattern, SplitBehavior behavior, bool invert)
      : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}
  Status pre_tokenize(PreTokenizedString& s) const override {
    return s.split([this](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      auto matches = pattern_->find_matches(n.get());
      if (invert_) invert_matches(matches);
      out = n.split(std::move(matches), behavior_);
      return ok_status();
    });
  }

 private:
  std::shared_ptr<const Pattern> pattern_;
  SplitBehavior behavior_;
  bool invert_;
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_split_pre_tokenizer(const Json& j) {
  std::string pattern;
  bool is_regex = false;
  ONYX_RETURN_IF_ERROR(json_pattern(j, pattern, is_regex).with_context("Split pre-tokenizer"));
  ONYX_ASSIGN_OR_RETURN(auto compiled, Pattern::create(pattern, is_regex));
  ONYX_ASSIGN_OR_RETURN(auto behavior, parse_split_behavior(json_string(j, "behavior", "Isolated")));
  return std::unique_ptr<PreTokenizer>(new SplitPreTokenizer(std::move(compiled), behavior, json_bool(j, "invert", false)));
}

}  // namespace onyx::tok::detail
