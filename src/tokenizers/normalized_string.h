// normalized_string.h: a string being normalized, with the alignment of every normalized byte
// to a byte range of the original string (a port of tokenizers' NormalizedString, so that offsets
// come out exactly as in the Rust library).
// Thread safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "unicode.h"

namespace onyx::tok::detail {

using Range = std::pair<size_t, size_t>;  // [first, second) in bytes

// One char of a transformed string with its change: 0 replaces the next old char, +N is a new
// char (aligned like the previous one), -N replaces the next old char and removes N more.
struct CharChange {
  char32_t c;
  int64_t change;
};

// A split of a string: [start, end) and whether it is a match of the pattern.
struct PatternMatch {
  size_t start;
  size_t end;
  bool is_match;
};

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

class NormalizedString {
 public:
  NormalizedString() = default;
  explicit NormalizedString(std::string_view original);

  const std::string& get() const { return normalized_; }
  const std::string& original() const { return original_; }
  size_t original_shift() const { return original_shift_; }
  bool empty() const { return normalized_.empty(); }
  size_t size() const { return normalized_.size(); }
  // (original_shift, original_shift + original length)
  Range offsets_original() const { return {original_shift_, original_shift_ + original_.size()}; }

  // Normalized byte range -> original byte range (relative to this original()); none if out of range.
  std::optional<Range> normalized_to_original(Range r) const;
  // Original byte range -> normalized byte range.
  std::optional<Range> original_to_normalized(Range r) const;

  // Replaces normalized bytes [r.first, r.second) by `dest` (see CharChange); `initial_offset` old
  // chars at the start of the range are removed.
  void transform_range(Range r, const std::vector<CharChange>& dest, size_t initial_offset);
  // transform_range over Range::Original(..) as the Rust library does.
  void transform(const std::vector<CharChange>& dest, size_t initial_offset);

  // Slice by a normalized byte range on char boundaries; none if not on boundaries.
  std::optional<NormalizedString> slice(Range normalized_range) const;

  void lowercase();
  void uppercase();
  void normalize_form(NormForm form);
  template <typename Keep>
  void filter(Keep keep);
  template <typename Map>
  void map(Map f);
  void prepend(std::string_view s);
  void append(std::string_view s);
  // Replaces every match by `content`.
  void replace(const std::vector<PatternMatch>& matches, std::string_view content);
  void strip(bool left, bool right);

  // Splits per the pattern matches (which cover the whole string) and the delimiter behavior.
  std::vector<NormalizedString> split(std::vector<PatternMatch> matches, SplitBehavior behavior) const;

 private:
  std::string original_;
  std::string normalized_;
  std::vector<Range> alignments_;  // one per normalized byte
  size_t original_shift_ = 0;
};

template <typename Keep>
void NormalizedString::filter(Keep keep) {
  // Walk backwards so a kept char carries the count of removed chars that follow it.
  std::vector<CharChange> rev;
  rev.reserve(normalized_.size());
  int64_t removed = 0;
  size_t i = normalized_.size();
  while (i > 0) {
    size_t start = i - 1;
    while (start > 0 && (static_cast<unsigned char>(normalized_[start]) & 0xC0) == 0x80) --start;
    size_t k = start;
    char32_t c = next_char(normalized_, k);
    if (keep(c)) {
      rev.push_back({c, -removed});
      removed = 0;
    } else {
      ++removed;
    }
    i = start;
  }
  std::vector<CharChange> dest(rev.rbegin(), rev.rend());
  transform(dest, static_cast<size_t>(removed));
}

template <typename Map>
void NormalizedString::map(Map f) {
  std::vector<CharChange> dest;
  dest.reserve(normalized_.size());
  for (size_t i = 0; i < normalized_.size();) dest.push_back({f(next_char(normalized_, i)), 0});
  transform(dest, 0);
}

// Pattern helpers: matches of single chars for which pred(c) holds.
template <typename Pred>
std::vector<PatternMatch> find_char_matches(std::string_view s, Pred pred) {
  std::vector<PatternMatch> out;
  if (s.empty()) {
    out.push_back({0, 0, false});
    return out;
  }
  size_t last = 0;
  for (size_t i = 0; i < s.size();) {
    size_t b = i;
    char32_t c = next_char(s, i);
    if (pred(c)) {
      if (last < b) out.push_back({last, b, false});
      out.push_back({b, i, true});
      last = i;
    }
  }
  if (last < s.size()) out.push_back({last, s.size(), false});
  return out;
}

// Matches of a literal string (non-overlapping, left to right).
std::vector<PatternMatch> find_string_matches(std::string_view s, std::string_view needle);
// Turns (start, end) match spans into matches covering the whole of a string of length n.
std::vector<PatternMatch> spans_to_matches(const std::vector<Range>& spans, size_t n);
void invert_matches(std::vector<PatternMatch>& matches);

}  // namespace onyx::tok::detail
