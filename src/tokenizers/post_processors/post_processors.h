// post_processors.h: constructors of the post-processors, one per file, selected by make_post_processor().
#pragma once

#include "../components.h"

namespace onyx::tok::detail {

Result<std::unique_ptr<PostProcessor>> make_template_processing(const Json& j);
Result<std::unique_ptr<PostProcessor>> make_bert_processing(const Json& j);
Result<std::unique_ptr<PostProcessor>> make_roberta_processing(const Json& j);
Result<std::unique_ptr<PostProcessor>> make_byte_level_processing(const Json& j);
Result<std::unique_ptr<PostProcessor>> make_sequence_processing(const Json& j);

// ByteLevel offset trimming (shared by ByteLevel and RobertaProcessing).
void trim_byte_level_offsets(Encoding& e, bool add_prefix_space);
// Reads ["token", id] as used by BertProcessing/RobertaProcessing.
Status read_token_id_pair(const Json& j, const char* key, std::pair<std::string, uint32_t>& out);
// Wraps one encoding (and its overflowing ones) with special tokens: [before] e [after].
Encoding wrap_encoding(const Encoding& e, const std::vector<std::pair<std::string, uint32_t>>& before,
                       const std::vector<std::pair<std::string, uint32_t>>& after, uint32_t type_before,
                       uint32_t type_after, std::optional<uint32_t> type_inner, size_t sequence_id);

}  // namespace onyx::tok::detail
