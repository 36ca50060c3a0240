// Fuse decoder: joins all tokens into one.
#include "decoders.h"

namespace onyx::tok::detail {
namespace {

class FuseDecoder final : public Decoder {
 public:
  Status decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    tokens.assign(1, std::move(all));
    return ok_status();
  }
};

}  // namespace

Result<std::unique_ptr<Decoder>> make_fuse_decoder() { return std::unique_ptr<Decoder>(new FuseDecoder()); }

}  // namespace onyx::tok::detail
