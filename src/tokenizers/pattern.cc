#include "pattern.h"

#include <re2/re2.h>

namespace onyx::tok::detail {

Pattern::~Pattern() = default;

Result<std::shared_ptr<const Pattern>> Pattern::create(const std::string& pattern, bool is_regex) {
  std::shared_ptr<Pattern> p(new Pattern());
  if (!is_regex) {
    p->kind_ = Kind::kLiteral;
    p->literal_ = pattern;
    return std::shared_ptr<const Pattern>(p);
  }
  if (pattern == kGpt2Pattern) {
    p->kind_ = Kind::kGpt2;
    return std::shared_ptr<const Pattern>(p);
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  p->re_ = std::make_unique<RE2>(pattern, options);
  if (!p->re_->ok()) {
    return not_implemented("regex /" + pattern + "/ is not supported (RE2: " + p->re_->error() +
                           "); onyx runs Split/Replace regexes with RE2, which has no lookaround or backreferences");
  }
  p->kind_ = Kind::kRe2;
  return std::shared_ptr<const Pattern>(p);
}

std::vector<PatternMatch> Pattern::find_matches(std::string_view s) const {
  switch (kind_) {
    case Kind::kLiteral:
      return find_string_matches(s, literal_);
    case Kind::kGpt2:
      return spans_to_matches(gpt2_spans(s), s.size());
    case Kind::kRe2: {
      std::vector<Range> spans;
      re2::StringPiece input(s.data(), s.size());
      re2::StringPiece m;
      size_t pos = 0;
      while (pos <= s.size() && re_->Match(input, pos, s.size(), RE2::UNANCHORED, &m, 1)) {
        size_t start = static_cast<size_t>(m.data() - s.data());
        size_t end = start + m.size();
        if (end == start) {
          // Empty match: skip one char (as Rust's find_iter does) and record nothing visible.
          spans.emplace_back(start, end);
          if (start >= s.size()) break;
          pos = start + utf8_seq_len(static_cast<unsigned char>(s[start]));
          continue;
        }
        spans.emplace_back(start, end);
        pos = end;
      }
      // Drop empty spans: they neither split nor replace anything visible.
      std::vector<Range> nonempty;
      for (const Range& r : spans) {
        if (r.first != r.second) nonempty.push_back(r);
      }
      return spans_to_matches(nonempty, s.size());
    }
  }
  return {};
}

std::vector<Range> gpt2_spans(std::string_view s) {
  std::vector<Range> spans;
  size_t i = 0;
  const size_t n = s.size();
  auto char_at = [&](size_t pos, size_t& next) -> char32_t {
    next = pos;
    return next_char(s, next);
  };
  auto run = [&](size_t pos, auto pred) {
    while (pos < n) {
      size_t next;
      char32_t c = char_at(pos, next);
      if (!pred(c)) break;
      pos = next;
    }
    return pos;
  };
  auto is_l = [](char32_t c) { return is_letter(c); };
  auto is_n = [](char32_t c) { return is_number(c); };
  auto is_other_class = [](char32_t c) { return !is_whitespace(c) && !is_letter(c) && !is_number(c); };
  auto is_s = [](char32_t c) { return is_whitespace(c); };
  while (i < n) {
    size_t end = i;
    // 1. contractions
    if (s[i] == '\'' && i + 1 < n) {
      char a = s[i + 1];
      char b = i + 2 < n ? s[i + 2] : '\0';
      if (a == 's' || a == 't' || a == 'm' || a == 'd') {
        end = i + 2;
      } else if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
        end = i + 3;
      }
    }
    if (end == i) {
      size_t body = s[i] == ' ' ? i + 1 : i;
      // 2-4. ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
      size_t e = run(body, is_l);
      if (e == body) e = run(body, is_n);
      if (e == body) e = run(body, is_other_class);
      if (e > body) end = e;
    }
    if (end == i) {
      // 5. `\s+(?!\S)`: the whitespace run, minus its last char when a non-space follows.
      size_t e = run(i, is_s);
      if (e > i) {
        if (e == n) {
          end = e;
        } else {
          size_t last = e - 1;
          while (last > i && (static_cast<unsigned char>(s[last]) & 0xC0) == 0x80) --last;
          end = last > i ? last : e;  // 6. `\s+` when backing off leaves nothing
        }
      }
    }
    if (end == i) end = i + utf8_seq_len(static_cast<unsigned char>(s[i]));  // unreachable for valid input
    spans.emplace_back(i, end);
    i = end;
  }
  return spans;
}

}  // namespace onyx::tok::detail
