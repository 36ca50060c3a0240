// Digits pre-tokenizer: isolate digits, each one alone or as contiguous runs.
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

class Digits final : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}
  Status pre_tokenize(PreTokenizedString& s) const override {
    return s.split([this](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      out = n.split(find_char_matches(n.get(), is_numeric),
                    individual_ ? SplitBehavior::kIsolated : SplitBehavior::kContiguous);
      return ok_status();
    });
  }

 private:
  bool individual_;
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_digits_pre_tokenizer(const Json& j) {
  return std::unique_ptr<PreTokenizer>(new Digits(json_bool(j, "individual_digits", false)));
}

}  // namespace onyx::tok::detail
