#include "post_processors.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<PostProcessor>> make_post_processor(const Json& j) {
  const std::string type = json_type(j);
  if (type == "TemplateProcessing") return make_template_processing(j);
  if (type == "BertProcessing") return make_bert_processing(j);
  if (type == "RobertaProcessing") return make_roberta_processing(j);
  if (type == "ByteLevel") return make_byte_level_processing(j);
  if (type == "Sequence") return make_sequence_processing(j);
  return not_implemented("post-processor type \"" + type + "\" is not supported by onyx (see docs/tokenizers.md)");
}

Status read_token_id_pair(const Json& j, const char* key, std::pair<std::string, uint32_t>& out) {
  if (!j.contains(key) || !j[key].is_array() || j[key].size() != 2 || !j[key][0].is_string() ||
      !j[key][1].is_number_unsigned()) {
    return invalid_model(std::string("post-processor field \"") + key + "\" must be [token, id]");
  }
  out = {j[key][0].get<std::string>(), j[key][1].get<uint32_t>()};
  return ok_status();
}

Encoding wrap_encoding(const Encoding& e, const std::vector<std::pair<std::string, uint32_t>>& before,
                       const std::vector<std::pair<std::string, uint32_t>>& after, uint32_t type_before,
                       uint32_t type_after, std::optional<uint32_t> type_inner, size_t sequence_id) {
  Encoding out;
  auto add_special = [&](const std::pair<std::string, uint32_t>& t, uint32_t type) {
    out.ids.push_back(t.second);
    out.type_ids.push_back(type);
    out.tokens.push_back(t.first);
    out.words.emplace_back();
    out.offsets.emplace_back(0, 0);
    out.special_tokens_mask.push_back(1);
    out.attention_mask.push_back(1);
  };
  for (const auto& t : before) add_special(t, type_before);
  size_t begin = out.size();
  out.ids.insert(out.ids.end(), e.ids.begin(), e.ids.end());
  if (type_inner) {
    out.type_ids.insert(out.type_ids.end(), e.size(), *type_inner);
  } else {
    out.type_ids.insert(out.type_ids.end(), e.type_ids.begin(), e.type_ids.end());
  }
  out.tokens.insert(out.tokens.end(), e.tokens.begin(), e.tokens.end());
  out.words.insert(out.words.end(), e.words.begin(), e.words.end());
  out.offsets.insert(out.offsets.end(), e.offsets.begin(), e.offsets.end());
  out.special_tokens_mask.insert(out.special_tokens_mask.end(), e.size(), 0u);
  out.attention_mask.insert(out.attention_mask.end(), e.size(), 1u);
  size_t end = out.size();
  for (const auto& t : after) add_special(t, type_after);
  out.sequence_ranges.push_back({sequence_id, begin, end});
  for (const Encoding& o : e.overflowing) {
    out.overflowing.push_back(wrap_encoding(o, before, after, type_before, type_after, type_inner, sequence_id));
  }
  return out;
}

}  // namespace onyx::tok::detail
