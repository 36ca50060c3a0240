// Metaspace pre-tokenizer: ' ' -> replacement (U+2581), optional prefix, split before each replacement.
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

class Metaspace final : public PreTokenizer {
 public:
  Metaspace(char32_t replacement, PrependScheme scheme, bool split)
      : replacement_(replacement), scheme_(scheme), split_(split) {
    append_utf8(str_rep_, replacement);
  }

  Status pre_tokenize(PreTokenizedString& s) const override {
    return s.split([this](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      n.replace(find_string_matches(n.get(), " "), str_rep_);
      bool starts = n.get().compare(0, str_rep_.size(), str_rep_) == 0;
      if (scheme_ == PrependScheme::kAlways && !starts) n.prepend(str_rep_);
      if (scheme_ == PrependScheme::kFirst && !starts && n.offsets_original().first == 0) n.prepend(str_rep_);
      if (split_) {
        out = n.split(find_string_matches(n.get(), str_rep_), SplitBehavior::kMergedWithNext);
      } else {
        out.push_back(std::move(n));
      }
      return ok_status();
    });
  }

 private:
  char32_t replacement_;
  std::string str_rep_;
  PrependScheme scheme_;
  bool split_;
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_metaspace_pre_tokenizer(const Json& j) {
  std::string rep = json_string(j, "replacement", "\xE2\x96\x81");
  if (rep.empty() || count_chars(rep) != 1) return invalid_model("Metaspace replacement must be one char");
  size_t i = 0;
  char32_t c = next_char(rep, i);
  return std::unique_ptr<PreTokenizer>(new Metaspace(c, parse_prepend_scheme(j), json_bool(j, "split", true)));
}

}  // namespace onyx::tok::detail
