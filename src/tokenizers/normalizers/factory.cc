#include "normalizers.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<Normalizer>> make_normalizer(const Json& j) {
  const std::string type = json_type(j);
  if (type == "BertNormalizer") return make_bert_normalizer(j);
  if (type == "NFD") return make_unicode_normalizer(NormForm::kNfd);
  if (type == "NFKD") return make_unicode_normalizer(NormForm::kNfkd);
  if (type == "NFC") return make_unicode_normalizer(NormForm::kNfc);
  if (type == "NFKC") return make_unicode_normalizer(NormForm::kNfkc);
  if (type == "Lowercase") return make_lowercase_normalizer();
  if (type == "StripAccents") return make_strip_accents_normalizer();
  if (type == "Strip") return make_strip_normalizer(j);
  if (type == "Replace") return make_replace_normalizer(j);
  if (type == "Prepend") return make_prepend_normalizer(j);
  if (type == "Precompiled") return make_precompiled_normalizer(j);
  if (type == "Sequence") return make_sequence_normalizer(j);
  return not_implemented("normalizer type \"" + type + "\" is not supported by onyx (see docs/tokenizers.md)");
}

}  // namespace onyx::tok::detail
