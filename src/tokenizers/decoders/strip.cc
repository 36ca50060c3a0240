// Strip decoder: removes up to `start` leading and `stop` trailing `content` chars of each token.
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class StripDecoder final : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  Status decode_chain(std::vector<std::string>& tokens) const override {
    for (std::string& t : tokens) {
      std::vector<std::pair<size_t, char32_t>> chars;
      for (size_t i = 0; i < t.size();) {
        size_t b = i;
        chars.emplace_back(b, next_char(t, i));
      }
      size_t begin = 0;
      while (begin < start_ && begin < chars.size() && chars[begin].second == content_) ++begin;
      size_t end = chars.size();
      size_t removed = 0;
      while (removed < stop_ && end > begin && chars[end - 1].second == content_) {
        --end;
        ++removed;
      }
      size_t b0 = begin < chars.size() ? chars[begin].first : t.size();
      size_t b1 = end < chars.size() ? chars[end].first : t.size();
      t = t.substr(b0, b1 > b0 ? b1 - b0 : 0);
    }
    return ok_status();
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_strip_decoder(const Json& j) {
  std::string content = json_string(j, "content", " ");
  size_t i = 0;
  char32_t c = content.empty() ? U' ' : next_char(content, i);
  return std::unique_ptr<Decoder>(new StripDecoder(c, static_cast<size_t>(json_int(j, "start", 0)),
                                                   static_cast<size_t>(json_int(j, "stop", 0))));
}

}  // namespace onyx::tok::detail
