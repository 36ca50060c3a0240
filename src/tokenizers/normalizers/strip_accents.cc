// StripAccents normalizer: removes nonspacing marks (expects an NFD/NFKD input, like the Rust one).
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

class StripAccents final : public Normalizer {
 public:
  Status normalize(NormalizedString& s) const override {
    s.filter([](char32_t c) { return !is_mark_nonspacing(c); });
    return ok_status();
  }
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_strip_accents_normalizer() {
  return std::unique_ptr<Normalizer>(new StripAccents());
}

}  // namespace onyx::tok::detail
