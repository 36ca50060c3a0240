// Strip normalizer: removes leading and/or trailing whitespace.
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

class Strip final : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  Status normalize(NormalizedString& s) const override {
    s.strip(left_, right_);
    return ok_status();
  }

 private:
  bool left_, right_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_strip_normalizer(const Json& j) {
  return std::unique_ptr<Normalizer>(new Strip(json_bool(j, "strip_left", true), json_bool(j, "strip_right", true)));
}

}  // namespace onyx::tok::detail
