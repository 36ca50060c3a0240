// Precompiled normalizer: SentencePiece's compiled normalization rules ("precompiled_charsmap":
// base64 of [u32 trie size][Darts double-array trie][NUL-separated replacement strings]),
// applied per extended grapheme cluster exactly as tokenizers' Precompiled does.
#include <utf8proc.h>

#include <cstring>

#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

bool base64_decode(std::string_view in, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    int v = value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

class Precompiled final : public Normalizer {
 public:
  static Result<std::unique_ptr<Normalizer>> create(std::string_view b64) {
    auto p = std::make_unique<Precompiled>();
    std::string bytes;
    if (!base64_decode(b64, bytes) || bytes.size() < 4) {
      return invalid_model("Precompiled normalizer: precompiled_charsmap is not valid base64 of a charsmap");
    }
    uint32_t trie_size = 0;
    std::memcpy(&trie_size, bytes.data(), 4);
    if (trie_size % 4 != 0 || 4 + static_cast<size_t>(trie_size) > bytes.size()) {
      return invalid_model("Precompiled normalizer: charsmap trie size is out of bounds");
    }
    p->trie_.resize(trie_size / 4);
    std::memcpy(p->trie_.data(), bytes.data() + 4, trie_size);
    p->normalized_ = bytes.substr(4 + trie_size);
    return std::unique_ptr<Normalizer>(std::move(p));
  }

  Status normalize(NormalizedString& s) const override {
    const std::string& str = s.get();
    std::vector<CharChange> dest;
    dest.reserve(str.size());
    bool modified = false;
    // As tokenizers' precompiled.rs `replace`: every new char replaces an old one (0), then the last
    // `diff` new chars become insertions (1) if the replacement is longer, or the last pushed change
    // (possibly one of an earlier grapheme) absorbs the removed chars if it is shorter.
    auto emit = [&](std::string_view norm, size_t old_count) {
      modified = true;
      size_t first_new = dest.size();
      for (size_t i = 0; i < norm.size();) dest.push_back({next_char(norm, i), 0});
      const auto diff = static_cast<int64_t>(dest.size() - first_new) - static_cast<int64_t>(old_count);
      if (diff > 0) {
        for (size_t k = dest.size() - static_cast<size_t>(diff); k < dest.size(); ++k) dest[k].change = 1;
      } else if (diff < 0 && !dest.empty()) {
        dest.back().change += diff;
      }
    };
    size_t pos = 0;
    while (pos < str.size()) {
      size_t end = next_grapheme_end(str, pos);
      std::string_view grapheme(str.data() + pos, end - pos);
      std::string_view norm;
      if (grapheme.size() < 6 && transform(grapheme, norm)) {
        emit(norm, count_chars(grapheme));
      } else {
        for (size_t i = 0; i < grapheme.size();) {
          size_t b = i;
          char32_t c = next_char(grapheme, i);
          if (transform(grapheme.substr(b, i - b), norm)) {
            emit(norm, 1);
          } else {
            dest.push_back({c, 0});
          }
        }
      }
      pos = end;
    }
    if (modified) s.transform(dest, 0);
    return ok_status();
  }

 private:
  static size_t next_grapheme_end(const std::string& s, size_t pos) {
    size_t i = pos;
    utf8proc_int32_t state = 0;
    char32_t prev = next_char(s, i);
    while (i < s.size()) {
      size_t k = i;
      char32_t c = next_char(s, k);
      if (utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev), static_cast<utf8proc_int32_t>(c),
                                           &state)) {
        break;
      }
      prev = c;
      i = k;
    }
    return i;
  }

  // Darts-clone common prefix search; the first (shortest) hit gives the replacement.
  bool transform(std::string_view chunk, std::string_view& out) const {
    auto has_leaf = [](uint32_t u) { return ((u >> 8) & 1) == 1; };
    auto value = [](uint32_t u) { return u & ((1u << 31) - 1); };
    auto label = [](uint32_t u) { return u & ((1u << 31) | 0xFF); };
    auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
    if (trie_.empty()) return false;
    size_t node = 0;
    uint32_t unit = trie_[node];
    node ^= offset(unit);
    for (char ch : chunk) {
      auto c = static_cast<unsigned char>(ch);
      if (c == 0) break;
      node ^= c;
      if (node >= trie_.size()) return false;
      unit = trie_[node];
      if (label(unit) != c) return false;
      node ^= offset(unit);
      if (has_leaf(unit)) {
        if (node >= trie_.size()) return false;
        size_t index = value(trie_[node]);
        if (index >= normalized_.size()) return false;
        size_t stop = normalized_.find('\0', index);
        if (stop == std::string::npos) stop = normalized_.size();
        out = std::string_view(normalized_).substr(index, stop - index);
        return true;
      }
    }
    return false;
  }

  std::vector<uint32_t> trie_;
  std::string normalized_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_precompiled_normalizer(const Json& j) {
  return Precompiled::create(json_string(j, "precompiled_charsmap"));
}

}  // namespace onyx::tok::detail
