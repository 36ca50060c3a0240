// NFD, NFKD, NFC, NFKC normalizers (utf8proc decomposition and composition).
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

class UnicodeNormalizer final : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormForm form) : form_(form) {}
  Status normalize(NormalizedString& s) const override {
    s.normalize_form(form_);
    return ok_status();
  }

 private:
  NormForm form_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_unicode_normalizer(NormForm form) {
  return std::unique_ptr<Normalizer>(new UnicodeNormalizer(form));
}

}  // namespace onyx::tok::detail
