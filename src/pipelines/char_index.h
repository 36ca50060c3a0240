// Character (Unicode code point) offsets -> byte offsets, for the tasks that report or slice by the character
// offsets that transformers uses (Python str indices; tok::Encoding offsets with OffsetType::kChar).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace onyx::detail {

// Byte offset of each code point of `s` (valid UTF-8), then s.size(): starts[i] is where character i begins,
// starts.size() - 1 is the number of characters.
inline std::vector<size_t> char_starts(std::string_view s) {
  std::vector<size_t> starts;
  starts.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  starts.push_back(s.size());
  return starts;
}

// Characters [begin, end) of `s` (clamped to its length), given char_starts(s).
inline std::string char_slice(std::string_view s, const std::vector<size_t>& starts, size_t begin, size_t end) {
  const size_t n = starts.size() - 1;
  begin = std::min(begin, n);
  end = std::max(begin, std::min(end, n));
  return std::string(s.substr(starts[begin], starts[end] - starts[begin]));
}

}  // namespace onyx::detail
