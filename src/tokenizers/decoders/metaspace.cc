// Metaspace decoder: replacement char -> ' ', dropped in the first token when a prefix was added.
#include "../pre_tokenizers/pre_tokenizers.h"
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class MetaspaceDecoder final : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, PrependScheme scheme) : replacement_(replacement), scheme_(scheme) {}
  Status decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& t = tokens[i];
      for (size_t k = 0; k < t.size();) {
        size_t b = k;
        char32_t c = next_char(t, k);
        if (c == replacement_) {
          if (!(i == 0 && scheme_ != PrependScheme::kNever)) out.push_back(' ');
        } else {
          out.append(t, b, k - b);
        }
      }
      tokens[i] = std::move(out);
    }
    return ok_status();
  }

 private:
  char32_t replacement_;
  PrependScheme scheme_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_metaspace_decoder(const Json& j) {
  std::string rep = json_string(j, "replacement", "\xE2\x96\x81");
  if (rep.empty()) return invalid_model("Metaspace decoder replacement is empty");
  size_t i = 0;
  return std::unique_ptr<Decoder>(new MetaspaceDecoder(next_char(rep, i), parse_prepend_scheme(j)));
}

}  // namespace onyx::tok::detail
