// Whitespace (`\w+|[^\w\s]+`, everything else removed) and WhitespaceSplit (split on whitespace).
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

// Spans of `\w+|[^\w\s]+` in s.
std::vector<Range> word_spans(std::string_view s) {
  std::vector<Range> spans;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    char32_t c = next_char(s, i);
    if (is_whitespace(c) && !is_word_char(c)) continue;
    bool word = is_word_char(c);
    size_t end = i;
    while (end < s.size()) {
      size_t k = end;
      char32_t d = next_char(s, k);
      bool ok = word ? is_word_char(d) : (!is_word_char(d) && !is_whitespace(d));
      if (!ok) break;
      end = k;
    }
    spans.emplace_back(start, end);
    i = end;
  }
  return spans;
}

class Whitespace final : public PreTokenizer {
 public:
  Status pre_tokenize(PreTokenizedString& s) const override {
    return s.split([](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      auto matches = spans_to_matches(word_spans(n.get()), n.size());
      invert_matches(matches);
      out = n.split(std::move(matches), SplitBehavior::kRemoved);
      return ok_status();
    });
  }
};

class WhitespaceSplit final : public PreTokenizer {
 public:
  Status pre_tokenize(PreTokenizedString& s) const override {
    return s.split([](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      out = n.split(find_char_matches(n.get(), is_whitespace), SplitBehavior::kRemoved);
      return ok_status();
    });
  }
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_whitespace_pre_tokenizer() {
  return std::unique_ptr<PreTokenizer>(new Whitespace());
}
Result<std::unique_ptr<PreTokenizer>> make_whitespace_split_pre_tokenizer() {
  return std::unique_ptr<PreTokenizer>(new WhitespaceSplit());
}

}  // namespace onyx::tok::detail
