#include "pre_tokenized_string.h"

namespace onyx::tok::detail {

Encoding PreTokenizedString::into_encoding(uint32_t type_id, OffsetType offset_type) const {
  Encoding enc;
  // byte -> char index map for char offsets (every byte of a char maps to the char's index).
  std::vector<uint32_t> char_of_byte;
  if (offset_type == OffsetType::kChar) {
    char_of_byte.resize(original_.size());
    uint32_t ci = 0;
    for (size_t i = 0; i < original_.size(); ++ci) {
      size_t len = utf8_seq_len(static_cast<unsigned char>(original_[i]));
      for (size_t k = 0; k < len && i + k < original_.size(); ++k) char_of_byte[i + k] = ci;
      i += len;
    }
  }
  auto convert = [&](Range o) -> Range {
    if (offset_type == OffsetType::kByte) return o;
    if (o.first >= char_of_byte.size()) return o;
    size_t start = char_of_byte[o.first];
    if (o.second < char_of_byte.size()) return {start, char_of_byte[o.second]};
    size_t last = o.second >= 1 && o.second - 1 < char_of_byte.size() ? char_of_byte[o.second - 1] : start;
    return {start, last + 1};
  };
  for (size_t idx = 0; idx < splits_.size(); ++idx) {
    const Split& s = splits_[idx];
    if (!s.tokens) continue;
    Range base = s.normalized.offsets_original();
    for (const Token& t : *s.tokens) {
      Range o = t.offsets;
      if (auto r = s.normalized.normalized_to_original(t.offsets)) o = {base.first + r->first, base.first + r->second};
      enc.ids.push_back(t.id);
      enc.tokens.push_back(t.value);
      enc.offsets.push_back(convert(o));
      enc.words.emplace_back(static_cast<uint32_t>(idx));
    }
  }
  size_t n = enc.ids.size();
  enc.type_ids.assign(n, type_id);
  enc.special_tokens_mask.assign(n, 0);
  enc.attention_mask.assign(n, 1);
  return enc;
}

}  // namespace onyx::tok::detail
