// Prepend normalizer: puts `prepend` before a non-empty string.
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

class Prepend final : public Normalizer {
 public:
  explicit Prepend(std::string prepend) : prepend_(std::move(prepend)) {}
  Status normalize(NormalizedString& s) const override {
    s.prepend(prepend_);
    return ok_status();
  }

 private:
  std::string prepend_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_prepend_normalizer(const Json& j) {
  return std::unique_ptr<Normalizer>(new Prepend(json_string(j, "prepend")));
}

}  // namespace onyx::tok::detail
