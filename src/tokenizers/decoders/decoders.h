// decoders.h: constructors of the decoders, one per file, selected by make_decoder().
#pragma once

#include "../components.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<Decoder>> make_wordpiece_decoder(const Json& j);
Result<std::unique_ptr<Decoder>> make_byte_level_decoder();
Result<std::unique_ptr<Decoder>> make_metaspace_decoder(const Json& j);
Result<std::unique_ptr<Decoder>> make_bpe_decoder(const Json& j);
Result<std::unique_ptr<Decoder>> make_byte_fallback_decoder();
Result<std::unique_ptr<Decoder>> make_fuse_decoder();
Result<std::unique_ptr<Decoder>> make_strip_decoder(const Json& j);
Result<std::unique_ptr<Decoder>> make_replace_decoder(const Json& j);
Result<std::unique_ptr<Decoder>> make_sequence_decoder(const Json& j);

}  // namespace onyx::tok::detail
