#include "normalized_string.h"

#include <utf8proc.h>

#include <algorithm>

namespace onyx::tok::detail {

NormalizedString::NormalizedString(std::string_view original) : original_(original), normalized_(original) {
  alignments_.reserve(original.size());
  for (size_t i = 0; i < original.size();) {
    size_t start = i;
    i += utf8_seq_len(static_cast<unsigned char>(original[i]));
    for (size_t k = start; k < i; ++k) alignments_.emplace_back(start, i);
  }
}

std::optional<Range> NormalizedString::normalized_to_original(Range r) const {
  if (r.first == r.second) return r;
  if (r.first > r.second) return std::nullopt;
  if (normalized_.empty() && r == Range{0, 0}) return Range{0, original_.size()};
  if (r.second > alignments_.size()) return std::nullopt;
  return Range{alignments_[r.first].first, alignments_[r.second - 1].second};
}

std::optional<Range> NormalizedString::original_to_normalized(Range r) const {
  if (r.first == r.second) return r;
  if (r.first > r.second) return std::nullopt;
  if (original_.empty() && r == Range{0, 0}) return Range{0, normalized_.size()};
  std::optional<size_t> start, end;
  for (size_t i = 0; i < alignments_.size(); ++i) {
    const Range& a = alignments_[i];
    if (r.second < a.second) break;
    if (!start && r.first <= a.first && a.first != a.second) start = i;
    end = i + 1;
  }
  if (start && end) return Range{*start, *end};
  if (start) return Range{*start, *start};
  if (end) return Range{*end, *end};
  return std::nullopt;
}

void NormalizedString::transform(const std::vector<CharChange>& dest, size_t initial_offset) {
  auto r = original_to_normalized({0, original_.size()});
  if (!r) return;
  transform_range(*r, dest, initial_offset);
}

void NormalizedString::transform_range(Range r, const std::vector<CharChange>& dest, size_t initial_offset) {
  // Old chars of the range, consumed front to back (by byte length).
  size_t old_pos = r.first;
  auto next_old = [&]() -> size_t {
    if (old_pos >= r.second) return 0;
    size_t len = utf8_seq_len(static_cast<unsigned char>(normalized_[old_pos]));
    old_pos += len;
    return len;
  };
  size_t initial_removed = 0;
  for (size_t k = 0; k < initial_offset; ++k) initial_removed += next_old();

  size_t offset = initial_removed + r.first;
  std::string new_normalized;
  std::vector<Range> new_alignments;
  new_normalized.reserve(r.second - r.first);
  new_alignments.reserve(r.second - r.first);
  for (const CharChange& cc : dest) {
    Range align;
    if (cc.change > 0) {
      align = offset < 1 ? Range{0, 0} : alignments_[std::min(offset, alignments_.size()) - 1];
    } else {
      align = offset < alignments_.size() ? alignments_[offset] : (alignments_.empty() ? Range{0, 0} : alignments_.back());
    }
    size_t replaced = cc.change > 0 ? 0 : next_old();
    size_t removed = 0;
    for (int64_t k = 0; k < -cc.change; ++k) removed += next_old();
    offset += replaced + removed;
    size_t before = new_normalized.size();
    append_utf8(new_normalized, cc.c);
    new_alignments.insert(new_alignments.end(), new_normalized.size() - before, align);
  }
  alignments_.erase(alignments_.begin() + static_cast<ptrdiff_t>(r.first),
                    alignments_.begin() + static_cast<ptrdiff_t>(r.second));
  alignments_.insert(alignments_.begin() + static_cast<ptrdiff_t>(r.first), new_alignments.begin(),
                     new_alignments.end());
  normalized_.replace(r.first, r.second - r.first, new_normalized);
}

static bool is_char_boundary(const std::string& s, size_t i) {
  return i == 0 || i == s.size() || (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80);
}

std::optional<NormalizedString> NormalizedString::slice(Range nr) const {
  if (nr.first > nr.second || nr.second > normalized_.size() || !is_char_boundary(normalized_, nr.first) ||
      !is_char_boundary(normalized_, nr.second)) {
    return std::nullopt;
  }
  auto orig = normalized_to_original(nr);
  if (!orig) return std::nullopt;
  NormalizedString out;
  size_t n_shift = orig->first;
  if (orig->first <= orig->second && orig->second <= original_.size()) {
    out.original_ = original_.substr(orig->first, orig->second - orig->first);
  }
  out.normalized_ = normalized_.substr(nr.first, nr.second - nr.first);
  out.alignments_.reserve(nr.second - nr.first);
  for (size_t i = nr.first; i < nr.second; ++i) {
    out.alignments_.emplace_back(alignments_[i].first - n_shift, alignments_[i].second - n_shift);
  }
  out.original_shift_ = original_shift_ + orig->first;
  return out;
}

void NormalizedString::lowercase() {
  std::vector<CharChange> dest;
  dest.reserve(normalized_.size());
  std::u32string buf;
  for (size_t i = 0; i < normalized_.size();) {
    buf.clear();
    to_lowercase(next_char(normalized_, i), buf);
    for (size_t k = 0; k < buf.size(); ++k) dest.push_back({buf[k], k > 0 ? 1 : 0});
  }
  transform(dest, 0);
}

void NormalizedString::uppercase() {
  std::vector<CharChange> dest;
  std::u32string buf;
  for (size_t i = 0; i < normalized_.size();) {
    buf.clear();
    to_uppercase(next_char(normalized_, i), buf);
    for (size_t k = 0; k < buf.size(); ++k) dest.push_back({buf[k], k > 0 ? 1 : 0});
  }
  transform(dest, 0);
}

static int combining_class(char32_t c) {
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}

// Canonical composition of two chars, if any (via utf8proc on a two-char buffer).
static std::optional<char32_t> compose_pair(char32_t a, char32_t b) {
  utf8proc_int32_t buf[2] = {static_cast<utf8proc_int32_t>(a), static_cast<utf8proc_int32_t>(b)};
  utf8proc_ssize_t n = utf8proc_normalize_utf32(buf, 2, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  if (n == 1) return static_cast<char32_t>(buf[0]);
  return std::nullopt;
}

void NormalizedString::normalize_form(NormForm form) {
  bool compat = form == NormForm::kNfkd || form == NormForm::kNfkc;
  bool compose = form == NormForm::kNfc || form == NormForm::kNfkc;
  // 1. Decompose char by char: the first char of a decomposition replaces the old one, the rest are new.
  std::vector<CharChange> dec;
  dec.reserve(normalized_.size());
  utf8proc_int32_t buf[32];
  auto options = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  for (size_t i = 0; i < normalized_.size();) {
    char32_t c = next_char(normalized_, i);
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, 32, options, &last);
    if (n <= 0 || n > 32) {
      dec.push_back({c, 0});
      continue;
    }
    for (utf8proc_ssize_t k = 0; k < n; ++k) dec.push_back({static_cast<char32_t>(buf[k]), k > 0 ? 1 : 0});
  }
  // 2. Canonical ordering: stable sort of each run of non-starters by combining class.
  for (size_t i = 0; i < dec.size();) {
    if (combining_class(dec[i].c) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < dec.size() && combining_class(dec[j].c) != 0) ++j;
    std::stable_sort(dec.begin() + static_cast<ptrdiff_t>(i), dec.begin() + static_cast<ptrdiff_t>(j),
                     [](const CharChange& a, const CharChange& b) { return combining_class(a.c) < combining_class(b.c); });
    i = j;
  }
  if (!compose) {
    transform(dec, 0);
    return;
  }
  // 3. Canonical composition; an absorbed char folds its change into its starter's, minus one.
  std::vector<CharChange> out;
  out.reserve(dec.size());
  std::optional<size_t> starter;
  int last_ccc = -1;
  for (const CharChange& cc : dec) {
    int ccc = combining_class(cc.c);
    if (starter) {
      bool blocked = last_ccc != -1 && (last_ccc == 0 || last_ccc >= ccc);
      if (!blocked) {
        if (auto comp = compose_pair(out[*starter].c, cc.c)) {
          out[*starter].c = *comp;
          out[*starter].change += cc.change - 1;
          continue;
        }
      }
    }
    if (ccc == 0) {
      starter = out.size();
      last_ccc = -1;
    } else {
      last_ccc = ccc;
    }
    out.push_back(cc);
  }
  transform(out, 0);
}

void NormalizedString::prepend(std::string_view s) {
  if (normalized_.empty()) return;
  size_t i = 0;
  char32_t next = next_char(normalized_, i);
  std::vector<CharChange> dest;
  size_t k = 0;
  for (size_t j = 0; j < s.size(); ++k) dest.push_back({next_char(s, j), k == 0 ? 0 : 1});
  dest.push_back({next, 1});
  transform_range({0, i}, dest, 0);
}

void NormalizedString::append(std::string_view s) {
  if (normalized_.empty()) return;
  size_t b = normalized_.size() - 1;
  while (b > 0 && (static_cast<unsigned char>(normalized_[b]) & 0xC0) == 0x80) --b;
  size_t i = b;
  char32_t prev = next_char(normalized_, i);
  std::vector<CharChange> dest{{prev, 0}};
  for (size_t j = 0; j < s.size();) dest.push_back({next_char(s, j), 1});
  transform_range({b, normalized_.size()}, dest, 0);
}

// One pass with the result of tokenizers' replace (a transform_range per match, which is
// quadratic on long texts with many matches): the content of a match takes the alignment of the
// match's last byte, or for an empty match that of the byte before it ((0, 0) at the start).
void NormalizedString::replace(const std::vector<PatternMatch>& matches, std::string_view content) {
  if (std::none_of(matches.begin(), matches.end(), [](const PatternMatch& m) { return m.is_match; })) return;
  std::string out;
  std::vector<Range> aligns;
  out.reserve(normalized_.size());
  aligns.reserve(normalized_.size());
  size_t pos = 0;
  for (const PatternMatch& m : matches) {
    if (!m.is_match) continue;
    out.append(normalized_, pos, m.start - pos);
    aligns.insert(aligns.end(), alignments_.begin() + static_cast<ptrdiff_t>(pos),
                  alignments_.begin() + static_cast<ptrdiff_t>(m.start));
    Range align = m.end > m.start ? alignments_[m.end - 1] : (aligns.empty() ? Range{0, 0} : aligns.back());
    out.append(content);
    aligns.insert(aligns.end(), content.size(), align);
    pos = m.end;
  }
  out.append(normalized_, pos, std::string::npos);
  aligns.insert(aligns.end(), alignments_.begin() + static_cast<ptrdiff_t>(pos), alignments_.end());
  normalized_ = std::move(out);
  alignments_ = std::move(aligns);
}

void NormalizedString::strip(bool left, bool right) {
  std::vector<char32_t> chars;
  for (size_t i = 0; i < normalized_.size();) chars.push_back(next_char(normalized_, i));
  size_t leading = 0;
  size_t trailing = 0;
  if (left) {
    while (leading < chars.size() && is_whitespace(chars[leading])) ++leading;
  }
  if (right) {
    while (trailing < chars.size() && is_whitespace(chars[chars.size() - 1 - trailing])) ++trailing;
  }
  if (leading == 0 && trailing == 0) return;
  // Note: `len` in the Rust code is the byte length, used as a char index (kept for parity).
  size_t len = normalized_.size();
  std::vector<CharChange> dest;
  for (size_t i = 0; i < chars.size(); ++i) {
    if (i < leading || i + trailing >= len) continue;
    if (i + trailing + 1 == len) {
      dest.push_back({chars[i], -static_cast<int64_t>(trailing)});
    } else {
      dest.push_back({chars[i], 0});
    }
  }
  transform(dest, leading);
}

std::vector<NormalizedString> NormalizedString::split(std::vector<PatternMatch> matches, SplitBehavior behavior) const {
  std::vector<PatternMatch> splits;
  switch (behavior) {
    case SplitBehavior::kIsolated:
      for (auto& m : matches) m.is_match = false;
      splits = std::move(matches);
      break;
    case SplitBehavior::kRemoved:
      splits = std::move(matches);
      break;
    case SplitBehavior::kContiguous: {
      bool prev = false;
      for (const auto& m : matches) {
        if (m.is_match == prev && !splits.empty()) {
          splits.back().end = m.end;
        } else {
          splits.push_back({m.start, m.end, false});
        }
        prev = m.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithPrevious: {
      bool prev = false;
      for (const auto& m : matches) {
        if (m.is_match && !prev && !splits.empty()) {
          splits.back().end = m.end;
        } else {
          splits.push_back({m.start, m.end, false});
        }
        prev = m.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool prev = false;
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        if (it->is_match && !prev && !splits.empty()) {
          splits.back().start = it->start;
        } else {
          splits.push_back({it->start, it->end, false});
        }
        prev = it->is_match;
      }
      std::reverse(splits.begin(), splits.end());
      break;
    }
  }
  std::vector<NormalizedString> out;
  out.reserve(splits.size());
  for (const auto& s : splits) {
    if (s.is_match) continue;
    if (auto piece = slice({s.start, s.end})) out.push_back(std::move(*piece));
  }
  return out;
}

std::vector<PatternMatch> find_string_matches(std::string_view s, std::string_view needle) {
  std::vector<Range> spans;
  if (!needle.empty()) {
    for (size_t pos = s.find(needle); pos != std::string_view::npos; pos = s.find(needle, pos + needle.size())) {
      spans.emplace_back(pos, pos + needle.size());
    }
  }
  return spans_to_matches(spans, s.size());
}

std::vector<PatternMatch> spans_to_matches(const std::vector<Range>& spans, size_t n) {
  std::vector<PatternMatch> out;
  if (n == 0) {
    out.push_back({0, 0, false});
    return out;
  }
  size_t prev = 0;
  for (const Range& r : spans) {
    if (prev != r.first) out.push_back({prev, r.first, false});
    out.push_back({r.first, r.second, true});
    prev = r.second;
  }
  if (prev != n) out.push_back({prev, n, false});
  return out;
}

void invert_matches(std::vector<PatternMatch>& matches) {
  for (auto& m : matches) m.is_match = !m.is_match;
}

}  // namespace onyx::tok::detail
