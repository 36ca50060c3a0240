// models.h: constructors of the models, one per file, selected by make_model(); the vocabulary type.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "../components.h"

namespace onyx::tok::detail {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Vocab = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

// token -> id and id -> token (holes are empty strings).
struct VocabTable {
  Vocab map;
  std::vector<std::string> by_id;
  std::optional<uint32_t> find(std::string_view t) const {
    auto it = map.find(t);
    return it == map.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  }
  std::optional<std::string> token(uint32_t id) const {
    if (id >= by_id.size() || (by_id[id].empty() && !map.count(""))) return std::nullopt;
    return by_id[id];
  }
  void build_reverse();
};

// Reads {"token": id, ...}.
Status read_vocab_object(const Json& j, VocabTable& out);

Result<std::unique_ptr<Model>> make_wordpiece_model(const Json& j);
Result<std::unique_ptr<Model>> make_bpe_model(const Json& j);
Result<std::unique_ptr<Model>> make_unigram_model(const Json& j);

}  // namespace onyx::tok::detail
