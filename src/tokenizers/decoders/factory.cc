#include "decoders.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<Decoder>> make_decoder(const Json& j) {
  const std::string type = json_type(j);
  if (type == "WordPiece") return make_wordpiece_decoder(j);
  if (type == "ByteLevel") return make_byte_level_decoder();
  if (type == "Metaspace") return make_metaspace_decoder(j);
  if (type == "BPEDecoder") return make_bpe_decoder(j);
  if (type == "ByteFallback") return make_byte_fallback_decoder();
  if (type == "Fuse") return make_fuse_decoder();
  if (type == "Strip") return make_strip_decoder(j);
  if (type == "Replace") return make_replace_decoder(j);
  if (type == "Sequence") return make_sequence_decoder(j);
  return not_implemented("decoder type \"" + type + "\" is not supported by onyx (see docs/tokenizers.md)");
}

}  // namespace onyx::tok::detail
