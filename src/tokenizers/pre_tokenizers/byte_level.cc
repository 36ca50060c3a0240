// ByteLevel pre-tokenizer: optional prefix space, GPT-2 regex split, then every byte mapped to
// its printable char.
#include "../byte_level_alphabet.h"
#include "../pattern.h"
#include "pre_tokenizers.h"

namespace onyx::tok::detail {
namespace {

class ByteLevel final : public PreTokenizer {
 public:
  ByteLevel(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}

  Status pre_tokenize(PreTokenizedString& s) const override {
    ONYX_RETURN_IF_ERROR(s.split([this](size_t, NormalizedString&& n, std::vector<NormalizedString>& out) {
      if (add_prefix_space_ && (n.get().empty() || n.get()[0] != ' ')) n.prepend(" ");
      if (use_regex_) {
        out = n.split(spans_to_matches(gpt2_spans(n.get()), n.size()), SplitBehavior::kIsolated);
      } else {
        out.push_back(std::move(n));
      }
      return ok_status();
    }));
    const auto& table = byte_to_char();
    s.normalize([&](NormalizedString& n) {
      const std::string& str = n.get();
      std::vector<CharChange> dest;
      dest.reserve(str.size());
      for (size_t i = 0; i < str.size();) {
        size_t len = utf8_seq_len(static_cast<unsigned char>(str[i]));
        for (size_t k = 0; k < len; ++k) dest.push_back({table[static_cast<unsigned char>(str[i + k])], k > 0 ? 1 : 0});
        i += len;
      }
      n.transform(dest, 0);
    });
    return ok_status();
  }

 private:
  bool add_prefix_space_, use_regex_;
};

}  // namespace

Result<std::unique_ptr<PreTokenizer>> make_byte_level_pre_tokenizer(const Json& j) {
  return std::unique_ptr<PreTokenizer>(
      new ByteLevel(json_bool(j, "add_prefix_space", true), json_bool(j, "use_regex", true)));
}

}  // namespace onyx::tok::detail
