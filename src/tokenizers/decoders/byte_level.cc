// ByteLevel decoder: printable chars back to bytes, then lossy UTF-8 into one string.
#include "../byte_level_alphabet.h"
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class ByteLevelDecoder final : public Decoder {
 public:
  Status decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (const std::string& t : tokens) {
      std::string mapped;
      bool all = true;
      for (size_t i = 0; i < t.size() && all;) {
        int b = char_to_byte(next_char(t, i));
        if (b < 0) {
          all = false;
        } else {
          mapped.push_back(static_cast<char>(b));
        }
      }
      bytes += all ? mapped : t;
    }
    tokens.assign(1, utf8_lossy(bytes));
    return ok_status();
  }
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_byte_level_decoder() { return std::unique_ptr<Decoder>(new ByteLevelDecoder()); }

}  // namespace onyx::tok::detail
