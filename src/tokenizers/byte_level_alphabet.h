// byte_level_alphabet.h: GPT-2's byte <-> printable char mapping (shared by the ByteLevel
// pre-tokenizer, decoder and post-processor).
#pragma once

#include <array>
#include <cstdint>

namespace onyx::tok::detail {

// char for each byte value.
const std::array<char32_t, 256>& byte_to_char();
// byte value for a char of the alphabet, or -1.
int char_to_byte(char32_t c);

}  // namespace onyx::tok::detail
