// normalizers.h: constructors of the normalizers, one per file, selected by make_normalizer().
#pragma once

#include "../components.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<Normalizer>> make_bert_normalizer(const Json& j);
Result<std::unique_ptr<Normalizer>> make_unicode_normalizer(NormForm form);
Result<std::unique_ptr<Normalizer>> make_lowercase_normalizer();
Result<std::unique_ptr<Normalizer>> make_strip_accents_normalizer();
Result<std::unique_ptr<Normalizer>> make_strip_normalizer(const Json& j);
Result<std::unique_ptr<Normalizer>> make_replace_normalizer(const Json& j);
Result<std::unique_ptr<Normalizer>> make_prepend_normalizer(const Json& j);
Result<std::unique_ptr<Normalizer>> make_precompiled_normalizer(const Json& j);
Result<std::unique_ptr<Normalizer>> make_sequence_normalizer(const Json& j);

}  // namespace onyx::tok::detail
