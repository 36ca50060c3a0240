// BPEDecoder: end-of-word suffix -> ' ' (nothing after the last token).
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class BpeDecoder final : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  Status decode_chain(std::vector<std::string>& tokens) const override {
    if (suffix_.empty()) return ok_status();
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& t = tokens[i];
      std::string out;
      size_t pos = 0;
      for (size_t hit = t.find(suffix_); hit != std::string::npos; hit = t.find(suffix_, pos)) {
        out.append(t, pos, hit - pos);
        out.append(i + 1 == tokens.size() ? "" : " ");
        pos = hit + suffix_.size();
      }
      out.append(t, pos);
      t = std::move(out);
    }
    return ok_status();
  }

 private:
  std::string suffix_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_bpe_decoder(const Json& j) {
  return std::unique_ptr<Decoder>(new BpeDecoder(json_string(j, "suffix", "</w>")));
}

}  // namespace onyx::tok::detail
