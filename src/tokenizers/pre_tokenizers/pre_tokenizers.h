// pre_tokenizers.h: constructors of the pre-tokenizers, one per file, selected by make_pre_tokenizer().
#pragma once

#include "../components.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<PreTokenizer>> make_bert_pre_tokenizer();
Result<std::unique_ptr<PreTokenizer>> make_whitespace_pre_tokenizer();
Result<std::unique_ptr<PreTokenizer>> make_whitespace_split_pre_tokenizer();
Result<std::unique_ptr<PreTokenizer>> make_byte_level_pre_tokenizer(const Json& j);
Result<std::unique_ptr<PreTokenizer>> make_metaspace_pre_tokenizer(const Json& j);
Result<std::unique_ptr<PreTokenizer>> make_punctuation_pre_tokenizer(const Json& j);
Result<std::unique_ptr<PreTokenizer>> make_digits_pre_tokenizer(const Json& j);
Result<std::unique_ptr<PreTokenizer>> make_split_pre_tokenizer(const Json& j);
Result<std::unique_ptr<PreTokenizer>> make_sequence_pre_tokenizer(const Json& j);

// Metaspace's prepend scheme, shared with the Metaspace decoder.
enum class PrependScheme { kAlways, kFirst, kNever };
PrependScheme parse_prepend_scheme(const Json& j);

}  // namespace onyx::tok::detail
