// Lowercase normalizer (full lowercase mapping per char).
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

class Lowercase final : public Normalizer {
 public:
  Status normalize(NormalizedString& s) const override {
    s.lowercase();
    return ok_status();
  }
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_lowercase_normalizer() { return std::unique_ptr<Normalizer>(new Lowercase()); }

}  // namespace onyx::tok::detail
