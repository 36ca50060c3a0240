// unicode.h: UTF-8 coding and Unicode character classes for the tokenizers (data from utf8proc).
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "onyx/status.h"

namespace onyx::tok::detail {

// Decodes the code point starting at s[i] and advances i past it. `s` must be valid UTF-8.
inline char32_t next_char(std::string_view s, size_t& i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if (b0 < 0xE0) {
    char32_t c = ((b0 & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F);
    i += 2;
    return c;
  }
  if (b0 < 0xF0) {
    char32_t c = ((b0 & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3F);
    i += 3;
    return c;
  }
  char32_t c = ((b0 & 0x07) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 12) |
               ((static_cast<unsigned char>(s[i + 2]) & 0x3F) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3F);
  i += 4;
  return c;
}

// Length in bytes of the UTF-8 sequence that starts with byte `b0` (valid UTF-8 assumed).
inline size_t utf8_seq_len(unsigned char b0) { return b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4; }
inline size_t utf8_len(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }
void append_utf8(std::string& out, char32_t c);
size_t count_chars(std::string_view s);

// Ok if `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF);
// otherwise InvalidArgument naming the first bad byte offset.
Status validate_utf8(std::string_view s);

// General category as utf8proc_category_t.
int category(char32_t c);
bool is_whitespace(char32_t c);    // Unicode White_Space (Rust char::is_whitespace)
bool is_numeric(char32_t c);       // Nd, Nl, No (Rust char::is_numeric)
bool is_alphabetic(char32_t c);    // L*, Nl (approximation of Alphabetic)
bool is_alphanumeric(char32_t c);  // is_alphabetic || is_numeric
bool is_letter(char32_t c);        // L* (regex \p{L})
bool is_number(char32_t c);        // N* (regex \p{N})
bool is_punctuation(char32_t c);   // P* (Pc Pd Ps Pe Pi Pf Po)
bool is_other(char32_t c);         // C* (Cc Cf Cs Co Cn)
bool is_mark_nonspacing(char32_t c);
bool is_word_char(char32_t c);     // regex \w: alphanumeric, marks, Pc, join controls
bool is_bert_punctuation(char32_t c);  // ASCII punctuation or P*

// Appends the full lowercase mapping of c (Rust char::to_lowercase) as chars.
void to_lowercase(char32_t c, std::u32string& out);
void to_uppercase(char32_t c, std::u32string& out);

// Unicode normalization forms of a UTF-32 sequence.
enum class NormForm { kNfd, kNfkd, kNfc, kNfkc };

}  // namespace onyx::tok::detail

namespace onyx::tok::detail {
// Decodes bytes as UTF-8, replacing each maximal invalid subpart by U+FFFD (Rust from_utf8_lossy).
std::string utf8_lossy(std::string_view bytes);
}  // namespace onyx::tok::detail
