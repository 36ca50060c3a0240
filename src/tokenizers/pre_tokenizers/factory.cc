#include "pre_tokenizers.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<PreTokenizer>> make_pre_tokenizer(const Json& j) {
  const std::string type = json_type(j);
  if (type == "BertPreTokenizer") return make_bert_pre_tokenizer();
  if (type == "Whitespace") return make_whitespace_pre_tokenizer();
  if (type == "WhitespaceSplit") return make_whitespace_split_pre_tokenizer();
  if (type == "ByteLevel") return make_byte_level_pre_tokenizer(j);
  if (type == "Metaspace") return make_metaspace_pre_tokenizer(j);
  if (type == "Punctuation") return make_punctuation_pre_tokenizer(j);
  if (type == "Digits") return make_digits_pre_tokenizer(j);
  if (type == "Split") return make_split_pre_tokenizer(j);
  if (type == "Sequence") return make_sequence_pre_tokenizer(j);
  return not_implemented("pre-tokenizer type \"" + type + "\" is not supported by onyx (see docs/tokenizers.md)");
}

PrependScheme parse_prepend_scheme(const Json& j) {
  std::string scheme = json_string(j, "prepend_scheme");
  if (scheme == "first") return PrependScheme::kFirst;
  if (scheme == "never") return PrependScheme::kNever;
  if (scheme == "always") return PrependScheme::kAlways;
  // Files from before prepend_scheme: add_prefix_space true -> always, false -> never.
  return json_bool(j, "add_prefix_space", true) ? PrependScheme::kAlways : PrependScheme::kNever;
}

}  // namespace onyx::tok::detail
