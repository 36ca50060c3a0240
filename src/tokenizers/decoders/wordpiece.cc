// WordPiece decoder: glue "##" continuations, space other tokens, optional English clean-up.
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit = s.find(from); hit != std::string::npos; hit = s.find(from, pos)) {
    out.append(s, pos, hit - pos);
    out.append(to);
    pos = hit + from.size();
  }
  if (pos == 0) return;
  out.append(s, pos);
  s = std::move(out);
}

class WordPieceDecoder final : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup) : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  Status decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string& t = tokens[i];
      if (i != 0) {
        if (t.compare(0, prefix_.size(), prefix_) == 0) {
          t.erase(0, prefix_.size());
        } else {
          t.insert(t.begin(), ' ');  // not insert(0, " "): g++ 12 false -Wrestrict
        }
      }
      if (cleanup_) {
        static constexpr std::pair<std::string_view, std::string_view> kRules[] = {
            {" .", "."},   {" ?", "?"},   {" !", "!"},   {" ,", ","},          {" ' ", "'"},  {" n't", "n't"},
            {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
        for (const auto& [from, to] : kRules) replace_all(t, from, to);
      }
    }
    return ok_status();
  }

 private:
  std::string prefix_;
  bool cleanup_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_wordpiece_decoder(const Json& j) {
  return std::unique_ptr<Decoder>(new WordPieceDecoder(json_string(j, "prefix", "##"), json_bool(j, "cleanup", true)));
}

}  // namespace onyx::tok::detail
