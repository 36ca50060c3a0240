// RobertaProcessing: <s> A </s> (</s> B </s>), all type ids 0, optional ByteLevel offset trimming.
#include "post_processors.h"

namespace onyx::tok::detail {
namespace {

class RobertaProcessing final : public PostProcessor {
 public:
  RobertaProcessing(std::pair<std::string, uint32_t> sep, std::pair<std::string, uint32_t> cls, bool trim,
                    bool add_prefix_space)
      : sep_(std::move(sep)), cls_(std::move(cls)), trim_(trim), add_prefix_space_(add_prefix_space) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 4 : 2; }
  Status process_encodings(std::vector<Encoding>& encs, bool add_special_tokens) const override {
    if (trim_) {
      for (Encoding& e : encs) trim_byte_level_offsets(e, add_prefix_space_);
    }
    for (size_t i = 0; i < encs.size(); ++i) set_sequence_id(encs[i], i);
    if (!add_special_tokens) return ok_status();
    for (size_t i = 0; i < encs.size(); ++i) {
      encs[i] = i == 0 ? wrap_encoding(encs[i], {cls_}, {sep_}, 0, 0, 0u, 0)
                       : wrap_encoding(encs[i], {sep_}, {sep_}, 0, 0, 0u, 1);
    }
    return ok_status();
  }

 private:
  std::pair<std::string, uint32_t> sep_, cls_;
  bool trim_, add_prefix_space_;
};

}  // namespace

Result<std::unique_ptr<PostProcessor>> make_roberta_processing(const Json& j) {
  std::pair<std::string, uint32_t> sep, cls;
  ONYX_RETURN_IF_ERROR(read_token_id_pair(j, "sep", sep));
  ONYX_RETURN_IF_ERROR(read_token_id_pair(j, "cls", cls));
  return std::unique_ptr<PostProcessor>(new RobertaProcessing(
      std::move(sep), std::move(cls), json_bool(j, "trim_offsets", true), json_bool(j, "add_prefix_space", true)));
}

}  // namespace onyx::tok::detail
