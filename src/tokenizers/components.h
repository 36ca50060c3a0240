// components.h: the interfaces of the pipeline stages and their factories from tokenizer.json.
// Thread safety: components are immutable after creation; all methods are const and re-entrant.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "normalized_string.h"
#include "onyx/status.h"
#include "onyx/tokenizer.h"
#include "pre_tokenized_string.h"

namespace onyx::tok::detail {

using Json = nlohmann::json;

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual Status normalize(NormalizedString& s) const = 0;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual Status pre_tokenize(PreTokenizedString& s) const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // Appends the tokens of one pre-tokenized piece; offsets are bytes into `piece`.
  virtual Status tokenize(std::string_view piece, std::vector<Token>& out) const = 0;
  virtual std::optional<uint32_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(uint32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
};

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  virtual size_t added_tokens(bool is_pair) const = 0;
  // Adds special tokens to the (already truncated) encodings: one, or two for a pair; the caller
  // merges the result (see run_post_processor).
  virtual Status process_encodings(std::vector<Encoding>& encodings, bool add_special_tokens) const = 0;
};

// tokenizers' PostProcessor::process: sequence and type ids i, process_encodings, then merge.
// Without a processor (nullptr): the default processing, which only merges.
Result<Encoding> run_post_processor(const PostProcessor* p, Encoding encoding, std::optional<Encoding> pair,
                                    bool add_special_tokens);

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Transforms the token strings in place (may change their number).
  virtual Status decode_chain(std::vector<std::string>& tokens) const = 0;
};

Result<std::unique_ptr<Normalizer>> make_normalizer(const Json& j);
Result<std::unique_ptr<PreTokenizer>> make_pre_tokenizer(const Json& j);
Result<std::unique_ptr<Model>> make_model(const Json& j);
Result<std::unique_ptr<PostProcessor>> make_post_processor(const Json& j);
Result<std::unique_ptr<Decoder>> make_decoder(const Json& j);

// Encoding helpers shared by the pipeline and the post-processors.
void merge_encoding(Encoding& self, Encoding pair, bool growing_offsets);
void set_sequence_id(Encoding& e, size_t id);
void truncate_encoding(Encoding& e, size_t max_len, size_t stride, Direction direction);
void pad_encoding(Encoding& e, size_t target, uint32_t pad_id, uint32_t pad_type_id, const std::string& pad_token,
                  Direction direction);

// JSON accessors that never throw: the value at `key` or `fallback` when absent, null or mistyped.
std::string json_string(const Json& j, const char* key, std::string fallback = "");
bool json_bool(const Json& j, const char* key, bool fallback);
int64_t json_int(const Json& j, const char* key, int64_t fallback);
double json_double(const Json& j, const char* key, double fallback);
// The "type" of a component, or "" if missing.
inline std::string json_type(const Json& j) { return json_string(j, "type"); }
// Reads a "pattern" object: {"String": s} or {"Regex": r}; is_regex tells which.
Status json_pattern(const Json& j, std::string& pattern, bool& is_regex);
// Parses a split behavior name ("Removed", "Isolated", ...).
Result<SplitBehavior> parse_split_behavior(const std::string& name);

}  // namespace onyx::tok::detail
