// pre_tokenized_string.h: the input split into pieces (each a NormalizedString), some already
// tokenized (added tokens); a port of tokenizers' PreTokenizedString.
// Thread safety: a plain value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "normalized_string.h"
#include "onyx/status.h"
#include "onyx/tokenizer.h"

namespace onyx::tok::detail {

// A token from a model: id, text, byte offsets into the normalized piece it came from.
struct Token {
  uint32_t id;
  std::string value;
  Range offsets;
};

struct Split {
  NormalizedString normalized;
  std::optional<std::vector<Token>> tokens;
};

class PreTokenizedString {
 public:
  explicit PreTokenizedString(std::string_view original) : original_(original) {
    splits_.push_back({NormalizedString(original), std::nullopt});
  }

  // Replaces every not-yet-tokenized split by f(index, piece, out); empty pieces are dropped.
  template <typename F>
  Status split(F f) {
    std::vector<Split> next;
    next.reserve(splits_.size());
    std::vector<NormalizedString> pieces;
    for (size_t i = 0; i < splits_.size(); ++i) {
      Split& s = splits_[i];
      if (s.tokens) {
        next.push_back(std::move(s));
        continue;
      }
      pieces.clear();
      ONYX_RETURN_IF_ERROR(f(i, std::move(s.normalized), pieces));
      for (auto& p : pieces) {
        if (!p.empty()) next.push_back({std::move(p), std::nullopt});
      }
    }
    splits_ = std::move(next);
    return ok_status();
  }

  // Applies f(NormalizedString&) to every not-yet-tokenized split.
  template <typename F>
  void normalize(F f) {
    for (Split& s : splits_) {
      if (!s.tokens) f(s.normalized);
    }
  }

  std::vector<Split>& splits() { return splits_; }
  const std::string& original() const { return original_; }

  // Builds the encoding of the tokenized splits; word index = split index.
  Encoding into_encoding(uint32_t type_id, OffsetType offset_type) const;

 private:
  std::string original_;
  std::vector<Split> splits_;
};

}  // namespace onyx::tok::detail
