// Sequence decoder: runs its decoders in order.
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class SequenceDecoder final : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> items) : items_(std::move(items)) {}
  Status decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& d : items_) ONYX_RETURN_IF_ERROR(d->decode_chain(tokens));
    return ok_status();
  }

 private:
  std::vector<std::unique_ptr<Decoder>> items_;
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_sequence_decoder(const Json& j) {
  if (!j.contains("decoders") || !j["decoders"].is_array()) return invalid_model("Sequence decoder has no \"decoders\" array");
  std::vector<std::unique_ptr<Decoder>> items;
  for (const auto& item : j["decoders"]) {
    ONYX_ASSIGN_OR_RETURN(auto d, make_decoder(item));
    items.push_back(std::move(d));
  }
  return std::unique_ptr<Decoder>(new SequenceDecoder(std::move(items)));
}

}  // namespace onyx::tok::detail
