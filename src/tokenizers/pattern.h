// pattern.h: what Split, Replace and the ByteLevel pre-tokenizer split on: a literal string, a
// regex run by RE2, or a hand-written matcher for the GPT-2 pattern whose `\s+(?!\S)` lookahead
// RE2 cannot express.
// Thread safety: immutable after create(); find_matches is const and re-entrant.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "normalized_string.h"
#include "onyx/status.h"

namespace re2 {
class RE2;
}

namespace onyx::tok::detail {

// The GPT-2 split regex used by the ByteLevel pre-tokenizer.
inline constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class Pattern {
 public:
  static Result<std::shared_ptr<const Pattern>> create(const std::string& pattern, bool is_regex);
  ~Pattern();
  // Matches and non-matches covering all of `s` (one {0,0,false} for an empty string).
  std::vector<PatternMatch> find_matches(std::string_view s) const;

 private:
  enum class Kind { kLiteral, kGpt2, kRe2 };
  Pattern() = default;
  Kind kind_ = Kind::kLiteral;
  std::string literal_;
  std::unique_ptr<re2::RE2> re_;
};

// Spans of the GPT-2 pattern in s, left to right (they cover all of s).
std::vector<Range> gpt2_spans(std::string_view s);

}  // namespace onyx::tok::detail
