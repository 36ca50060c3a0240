// Replace normalizer: replaces every match of a string or regex pattern by `content`.
#include "../pattern.h"
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

class Replace final : public Normalizer {
 public:
  Replace(std::shared_ptr<const Pattern> pattern, std::string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}
  Status normalize(NormalizedString& s) const override {
    s.replace(pattern_->find_matches(s.get()), content_);
    return ok_status();
  }

 private:
  std::shared_ptr<const Pattern> pattern_;
  std::string content_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_replace_normalizer(const Json& j) {
  std::string pattern;
  bool is_regex = false;
  ONYX_RETURN_IF_ERROR(json_pattern(j, pattern, is_regex).with_context("Replace normalizer"));
  ONYX_ASSIGN_OR_RETURN(auto compiled, Pattern::create(pattern, is_regex));
  return std::unique_ptr<Normalizer>(new Replace(std::move(compiled), json_string(j, "content")));
}

}  // namespace onyx::tok::detail
