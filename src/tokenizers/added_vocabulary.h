// added_vocabulary.h: added and special tokens, found in the text before the normalizer
// (normalized=false) or in the normalized text (normalized=true), leftmost-longest, with
// single_word/lstrip/rstrip handling; a port of tokenizers' AddedVocabulary.
// Thread safety: immutable after construction; const methods are re-entrant.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "components.h"

namespace onyx::tok::detail {

struct AddedToken {
  std::string content;
  uint32_t id = 0;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

class AddedVocabulary {
 public:
  // `normalizer` (may be null) normalizes the normalized=true tokens for matching.
  Status init(std::vector<AddedToken> tokens, const Normalizer* normalizer);

  // Splits `text` into added-token pieces (tokenized) and normalized remaining pieces.
  Result<PreTokenizedString> extract_and_normalize(const Normalizer* normalizer, std::string_view text) const;

  std::optional<uint32_t> token_to_id(std::string_view content) const;
  const AddedToken* find_id(uint32_t id) const;
  bool is_special(std::string_view content) const;
  size_t size() const { return by_id_.size(); }
  // Number of added tokens whose id the model does not know.
  size_t count_outside_model(const Model& model) const {
    size_t n = 0;
    for (const auto& [id, index] : by_id_) n += !model.id_to_token(id).has_value();
    return n;
  }

 private:
  struct TrieNode {
    std::vector<std::pair<unsigned char, uint32_t>> children;
    int32_t token = -1;  // index into tokens_
  };
  struct Matcher {
    std::vector<TrieNode> nodes{1};
    bool empty = true;
    void insert(std::string_view key, int32_t token);
    // Leftmost-longest non-overlapping matches: (start, end, token index).
    std::vector<std::tuple<size_t, size_t, int32_t>> find_all(std::string_view s) const;
  };

  std::vector<std::pair<Range, int32_t>> find_matches(std::string_view s, const Matcher& m) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<std::string, size_t> by_content_;
  std::unordered_map<uint32_t, size_t> by_id_;
  Matcher raw_;
  Matcher normalized_;
};

}  // namespace onyx::tok::detail
