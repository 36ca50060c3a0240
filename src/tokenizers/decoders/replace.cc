// Replace decoder: replaces pattern matches by `content` in each token.
#include "../pattern.h"
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class ReplaceDecoder final : public Decoder {
 public:
  ReplaceDecoder(std::shared_ptr<const Pattern> pattern, std::string content)
      : pattern_(std::move(pattern)), content_(std::move(content)) {}
  Status decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      std::string out;
      for (const PatternMatch& m : pattern_->find_matches(t)) {
        if (m.is_match) {
          out += content_;
        } else {
          out.append(t, m.start, m.end - m.start);
        }
      }
      t = std::move(out);
    }
    return ok_status();
  }

 private:
  std::shared_ptr<const Pattern> pattern_;
  std::string content_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_replace_decoder(const Json& j) {
  std::string pattern;
  bool is_regex = false;
  ONYX_RETURN_IF_ERROR(json_pattern(j, pattern, is_regex).with_context("Replace decoder"));
  ONYX_ASSIGN_OR_RETURN(auto compiled, Pattern::create(pattern, is_regex));
  return std::unique_ptr<Decoder>(new ReplaceDecoder(std::move(compiled), json_string(j, "content")));
}

}  // namespace onyx::tok::detail
