// BertPreTokenizer: split on whitespace (removed), then isolate each punctuation char.
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

class BertPreTokenizer final : public PreTokenizer {
 public:
  Status pre_tokenize(PreTokenizedString& s) const override {
    ONYX_RETURN_IF_ERROR(s.split([](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      out = n.split(find_char_matches(n.get(), is_whitespace), SplitBehavior::kRemoved);
      return ok_status();
    }));
    return s.split([](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      out = n.split(find_char_matches(n.get(), is_bert_punctuation), SplitBehavior::kIsolated);
      return ok_status();
    });
  }
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_bert_pre_tokenizer() {
  return std::unique_ptr<PreTokenizer>(new BertPreTokenizer());
}

}  // namespace onyx::tok::detail
