// ByteFallback decoder: runs of <0xXX> tokens -> their UTF-8 text, or one U+FFFD per byte if invalid.
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class ByteFallbackDecoder final : public Decoder {
 public:
  Status decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string bytes;
    auto flush = [&]() {
      if (bytes.empty()) return;
      if (validate_utf8(bytes).ok()) {
        out.push_back(bytes);
      } else {
        for (size_t k = 0; k < bytes.size(); ++k) out.emplace_back("\xEF\xBF\xBD");
      }
      bytes.clear();
    };
    for (std::string& t : tokens) {
      int value = -1;
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
        auto hex = [](char c) -> int {
          if (c >= '0' && c <= '9') return c - '0';
          if (c >= 'a' && c <= 'f') return c - 'a' + 10;
          if (c >= 'A' && c <= 'F') return c - 'A' + 10;
          return -1;
        };
        int hi = hex(t[3]), lo = hex(t[4]);
        if (hi >= 0 && lo >= 0) value = hi * 16 + lo;
      }
      if (value >= 0) {
        bytes.push_back(static_cast<char>(value));
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    tokens = std::move(out);
    return ok_status();
  }
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_byte_fallback_decoder() {
  return std::unique_ptr<Decoder>(new ByteFallbackDecoder());
}

}  // namespace onyx::tok::detail
