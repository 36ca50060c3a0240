// BertProcessing: [CLS] A [SEP] (B [SEP]), type ids 0 then 1.
#include "post_processors.h"

namespace onyx::tok::detail {
namespace {

class BertProcessing final : public PostProcessor {
 public:
  BertProcessing(std::pair<std::string, uint32_t> sep, std::pair<std::string, uint32_t> cls)
      : sep_(std::move(sep)), cls_(std::move(cls)) {}
  size_t added_tokens(bool is_pair) const override { return is_pair ? 3 : 2; }
  Status process_encodings(std::vector<Encoding>& encs, bool add_special_tokens) const override {
    if (!add_special_tokens) return ok_status();
    for (size_t i = 0; i < encs.size(); ++i) {
      encs[i] = i == 0 ? wrap_encoding(encs[i], {cls_}, {sep_}, 0, 0, std::nullopt, 0)
                       : wrap_encoding(encs[i], {}, {sep_}, 1, 1, std::nullopt, 1);
    }
    return ok_status();
  }

 private:
  std::pair<std::string, uint32_t> sep_, cls_;
};

}  // namespace

Result<std::unique_ptr<PostProcessor>> make_bert_processing(const Json& j) {
  std::pair<std::string, uint32_t> sep, cls;
  ONYX_RETURN_IF_ERROR(read_token_id_pair(j, "sep", sep));
  ONYX_RETURN_IF_ERROR(read_token_id_pair(j, "cls", cls));
  return std::unique_ptr<PostProcessor>(new BertProcessing(std::move(sep), std::move(cls)));
}

}  // namespace onyx::tok::detail
