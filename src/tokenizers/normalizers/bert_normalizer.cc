// BertNormalizer: clean text (drop controls, map whitespace to ' '), space out CJK ideographs,
// strip accents (NFD + drop Mn), lowercase.
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

bool is_bert_whitespace(char32_t c) { return c == '\t' || c == '\n' || c == '\r' || is_whitespace(c); }
// Noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) are kept: the Rust library's category tables
// do not list them as "other", though utf8proc gives Cn.
bool is_noncharacter(char32_t c) { return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE; }
bool is_bert_control(char32_t c) {
  return c != '\t' && c != '\n' && c != '\r' && is_other(c) && !is_noncharacter(c);
}

bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

class BertNormalizer final : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese, bool strip_accents, bool lowercase)
      : clean_text_(clean_text), chinese_(chinese), strip_accents_(strip_accents), lowercase_(lowercase) {}

  Status normalize(NormalizedString& s) const override {
    if (clean_text_) {
      s.filter([](char32_t c) { return !(c == 0 || c == 0xFFFD || is_bert_control(c)); });
      s.map([](char32_t c) { return is_bert_whitespace(c) ? U' ' : c; });
    }
    if (chinese_) {
      std::vector<CharChange> dest;
      bool any = false;
      const std::string& str = s.get();
      dest.reserve(str.size());
      for (size_t i = 0; i < str.size();) {
        char32_t c = next_char(str, i);
        if (is_chinese_char(c)) {
          any = true;
          dest.push_back({U' ', 0});
          dest.push_back({c, 1});
          dest.push_back({U' ', 1});
        } else {
          dest.push_back({c, 0});
        }
      }
      if (any) s.transform(dest, 0);
    }
    if (strip_accents_) {
      s.normalize_form(NormForm::kNfd);
      s.filter([](char32_t c) { return !is_mark_nonspacing(c); });
    }
    if (lowercase_) s.lowercase();
    return ok_status();
  }

 private:
  bool clean_text_, chinese_, strip_accents_, lowercase_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_bert_normalizer(const Json& j) {
  bool lowercase = json_bool(j, "lowercase", true);
  // strip_accents: null means "follow lowercase" (as BertNormalizer::new does in the Rust library).
  bool strip = j.contains("strip_accents") && j["strip_accents"].is_boolean() ? j["strip_accents"].get<bool>() : lowercase;
  return std::unique_ptr<Normalizer>(new BertNormalizer(json_bool(j, "clean_text", true),
                                                        json_bool(j, "handle_chinese_chars", true), strip, lowercase));
}

}  // namespace onyx::tok::detail
