// tokenizer_impl.h: the loaded pipeline behind onyx::tok::Tokenizer.
#pragma once

#include <memory>

#include "added_vocabulary.h"
#include "components.h"

namespace onyx::tok::detail {

struct TokenizerImpl {
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<Model> model;
  std::unique_ptr<PostProcessor> post_processor;
  std::unique_ptr<Decoder> decoder;
  AddedVocabulary added;

  // Normalize, pre-tokenize and tokenize one sequence (no special tokens); with `truncation`, only
  // its first (or last, for left truncation) max_length words are tokenized.
  Result<Encoding> encode_sequence(std::string_view text, uint32_t type_id, OffsetType offset_type,
                                   const TruncationParams* truncation) const;
};

// Parses the "truncation" and "padding" objects of a tokenizer.json (null -> none).
Result<std::optional<TruncationParams>> parse_truncation(const Json& j);
Result<std::optional<PaddingParams>> parse_padding(const Json& j);

}  // namespace onyx::tok::detail
