// ByteLevel post-processor: trims the whitespace chars out of token offsets (trim_offsets).
#include "../byte_level_alphabet.h"
#include "post_processors.h"

namespace onyx::tok::detail {

void trim_byte_level_offsets(Encoding& e, bool add_prefix_space) {
  const char32_t space = byte_to_char()[' '];
  auto is_space = [&](char32_t c) { return c == space || is_whitespace(c); };
  for (size_t i = 0; i < e.size(); ++i) {
    const std::string& tok = e.tokens[i];
    std::vector<char32_t> chars;
    for (size_t k = 0; k < tok.size();) chars.push_back(next_char(tok, k));
    size_t leading = 0;
    while (leading < chars.size() && is_space(chars[leading])) ++leading;
    size_t trailing = 0;
    while (trailing < chars.size() && is_space(chars[chars.size() - 1 - trailing])) ++trailing;
    Offsets& o = e.offsets[i];
    if (leading > 0) {
      bool is_first = i == 0 || o.first == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      o.first = std::min(o.first + leading, o.second);
    }
    if (trailing > 0 && o.second >= trailing) o.second = std::max(o.second - trailing, o.first);
  }
  for (Encoding& o : e.overflowing) trim_byte_level_offsets(o, add_prefix_space);
}

namespace {

class ByteLevelProcessing final : public PostProcessor {
 public:
  ByteLevelProcessing(bool trim, bool add_prefix_space) : trim_(trim), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool) const override { return 0; }
  Status process_encodings(std::vector<Encoding>& encs, bool) const override {
    if (trim_) {
      for (Encoding& e : encs) trim_byte_level_offsets(e, add_prefix_space_);
    }
    for (size_t i = 0; i < encs.size(); ++i) set_sequence_id(encs[i], i);
    return ok_status();
  }

 private:
  bool trim_, add_prefix_space_;
};

}  // namespace

Result<std::unique_ptr<PostProcessor>> make_byte_level_processing(const Json& j) {
  return std::unique_ptr<PostProcessor>(
      new ByteLevelProcessing(json_bool(j, "trim_offsets", true), json_bool(j, "add_prefix_space", true)));
}

}  // namespace onyx::tok::detail
