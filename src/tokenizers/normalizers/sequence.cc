// Sequence normalizer: runs its normalizers in order.
#include "normalizers.h"

namespace onyx::tok::detail {
namespace {

class SequenceNormalizer final : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> items) : items_(std::move(items)) {}
  Status normalize(NormalizedString& s) const override {
    for (const auto& n : items_) ONYX_RETURN_IF_ERROR(n->normalize(s));
    return ok_status();
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> items_;
};

}  // namespace

Result<std::unique_ptr<Normalizer>> make_sequence_normalizer(const Json& j) {
  if (!j.contains("normalizers") || !j["normalizers"].is_array()) {
    return invalid_model("Sequence normalizer has no \"normalizers\" array");
  }
  std::vector<std::unique_ptr<Normalizer>> items;
  for (const auto& item : j["normalizers"]) {
    ONYX_ASSIGN_OR_RETURN(auto n, make_normalizer(item));
    items.push_back(std::move(n));
  }
  return std::unique_ptr<Normalizer>(new SequenceNormalizer(std::move(items)));
}

}  // namespace onyx::tok::detail
