// onyx/tokenizer.h: Hugging Face-compatible tokenizers (tokenizer.json and legacy vocab files).
//
// A Tokenizer runs the Hugging Face `tokenizers` pipeline: added/special tokens, normalizer,
// pre-tokenizer, model (WordPiece, BPE, Unigram), truncation, post-processor, padding; and the
// decoder for `decode`. Results match the Rust library (tokenizers 0.23.2) id for id and offset for
// offset; see docs/tokenizers.md for the supported components and the known differences.
//
// Thread safety: a Tokenizer is immutable after loading except for set_truncation/set_padding;
// const methods may be called from many threads at once. Copies share the loaded model (cheap).
// Errors: every function returns Status/Result; nothing throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "onyx/status.h"

namespace onyx::tok {

namespace detail {
struct TokenizerImpl;
}

// Offsets into the original input: [first, second). Unit is bytes (UTF-8) or Unicode code points.
using Offsets = std::pair<size_t, size_t>;

enum class OffsetType { kByte, kChar };
enum class Direction { kLeft, kRight };
enum class TruncationStrategy { kLongestFirst, kOnlyFirst, kOnlySecond };

// Range of tokens [begin, end) belonging to input sequence `sequence_id` (0 = first text, 1 = pair).
struct SequenceRange {
  size_t sequence_id = 0;
  size_t begin = 0;
  size_t end = 0;
};

// The output of encode: one entry per token in every per-token vector.
struct Encoding {
  std::vector<uint32_t> ids;
  std::vector<uint32_t> type_ids;
  std::vector<std::string> tokens;
  std::vector<std::optional<uint32_t>> words;  // index of the pre-tokenized word, none for special tokens
  std::vector<Offsets> offsets;                // into the original text of the sequence the token came from
  std::vector<uint32_t> special_tokens_mask;   // 1 for special and padding tokens
  std::vector<uint32_t> attention_mask;        // 0 for padding tokens
  std::vector<Encoding> overflowing;           // windows dropped by truncation (with stride overlap)
  std::vector<SequenceRange> sequence_ranges;  // empty: a single sequence covering everything

  size_t size() const { return ids.size(); }
  bool empty() const { return ids.empty(); }
  // Per token: the sequence id (0/1) or -1 for special and padding tokens.
  std::vector<int> sequence_ids() const;
};

struct TruncationParams {
  size_t max_length = 512;
  size_t stride = 0;
  TruncationStrategy strategy = TruncationStrategy::kLongestFirst;
  Direction direction = Direction::kRight;
};

struct PaddingParams {
  std::optional<size_t> fixed_length;  // none: pad to the longest encoding of the batch
  size_t pad_to_multiple_of = 0;       // 0: off
  uint32_t pad_id = 0;
  uint32_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
  Direction direction = Direction::kRight;
};

struct EncodeOptions {
  bool add_special_tokens = true;
  OffsetType offset_type = OffsetType::kChar;  // the unit transformers and the Rust Node binding use
};

// One input of a batch: a text, or a text pair when `pair` is set.
struct EncodeInput {
  std::string text;
  std::optional<std::string> pair;
};

class Tokenizer {
 public:
  // Loads a Hugging Face tokenizer.json (the whole file content, or a path).
  static Result<Tokenizer> from_json(std::string_view json_text);
  static Result<Tokenizer> from_file(const std::string& tokenizer_json_path);
  // Loads a model folder: tokenizer.json if present, else the legacy files (vocab.txt;
  // vocab.json + merges.txt; encoder.json + vocab.bpe; a SentencePiece sentencepiece.bpe.model,
  // spiece.model, sentencepiece.model or tokenizer.model) converted as transformers' converters
  // do, using tokenizer_config.json and special_tokens_map.json when present.
  static Result<Tokenizer> from_directory(const std::string& dir);
  // Builds the tokenizer.json text that from_directory uses for `dir` (legacy conversion).
  static Result<std::string> convert_legacy_directory(const std::string& dir);
  // Builds a tokenizer.json text from a SentencePiece .model file (read directly, no
  // libsentencepiece) as transformers' SpmConverter does; `mask_token`, if it is a piece, becomes
  // a special added token. NotImplemented for model types other than Unigram and BPE.
  static Result<std::string> convert_sentencepiece_model(const std::string& model_path,
                                                         const std::string& mask_token = "<mask>");

  // Input must be valid UTF-8; otherwise an InvalidArgument Status naming the byte offset.
  Result<Encoding> encode(std::string_view text, const EncodeOptions& options = {}) const;
  Result<Encoding> encode_pair(std::string_view text, std::string_view pair,
                               const EncodeOptions& options = {}) const;
  // Encodes on `num_threads` threads (0: hardware concurrency), then pads the batch if padding is set.
  Result<std::vector<Encoding>> encode_batch(std::span<const EncodeInput> inputs, const EncodeOptions& options = {},
                                             size_t num_threads = 0) const;
  Result<std::vector<Encoding>> encode_batch(std::span<const std::string> texts, const EncodeOptions& options = {},
                                             size_t num_threads = 0) const;

  // Decodes ids back to text with the tokenizer's decoder. Unknown ids are skipped.
  Result<std::string> decode(std::span<const uint32_t> ids, bool skip_special_tokens = true) const;

  std::optional<uint32_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(uint32_t id) const;
  size_t vocab_size(bool with_added_tokens = true) const;

  const std::optional<TruncationParams>& truncation() const { return truncation_; }
  const std::optional<PaddingParams>& padding() const { return padding_; }
  // Validates: stride must be < max_length minus the special tokens added.
  Status set_truncation(std::optional<TruncationParams> params);
  void set_padding(std::optional<PaddingParams> params) { padding_ = std::move(params); }

 private:
  explicit Tokenizer(std::shared_ptr<const detail::TokenizerImpl> impl) : impl_(std::move(impl)) {}
  Result<Encoding> encode_impl(std::string_view text, const std::string_view* pair,
                               const EncodeOptions& options) const;

  std::shared_ptr<const detail::TokenizerImpl> impl_;
  std::optional<TruncationParams> truncation_;
  std::optional<PaddingParams> padding_;
};

}  // namespace onyx::tok
