#include "models.h"

namespace onyx::tok::detail {

void VocabTable::build_reverse() {
  uint32_t max_id = 0;
  for (const auto& [tok, id] : map) max_id = std::max(max_id, id);
  by_id.assign(map.empty() ? 0 : static_cast<size_t>(max_id) + 1, std::string());
  for (const auto& [tok, id] : map) by_id[id] = tok;
}

Status read_vocab_object(const Json& j, VocabTable& out) {
  if (!j.is_object()) return invalid_model("model \"vocab\" must be an object of token -> id");
  out.map.reserve(j.size());
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_number_unsigned()) return invalid_model("vocab id of \"" + it.key() + "\" is not an unsigned int");
    out.map.emplace(it.key(), it.value().get<uint32_t>());
  }
  out.build_reverse();
  return ok_status();
}

Result<std::unique_ptr<Model>> make_model(const Json& j) {
  std::string type = json_type(j);
  if (type.empty()) {
    // Old files omit the type: infer it like the Rust deserializer (untagged fallback).
    if (j.contains("merges")) {
      type = "BPE";
    } else if (j.contains("vocab") && j["vocab"].is_array()) {
      type = "Unigram";
    } else if (j.contains("max_input_chars_per_word")) {
      type = "WordPiece";
    }
  }
  if (type == "WordPiece") return make_wordpiece_model(j);
  if (type == "BPE") return make_bpe_model(j);
  if (type == "Unigram") return make_unigram_model(j);
  return not_implemented("model type \"" + type + "\" is not supported by onyx (WordPiece, BPE, Unigram are)");
}

}  // namespace onyx::tok::detail
