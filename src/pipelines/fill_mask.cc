// fill-mask, as transformers' FillMaskPipeline:
//   text with the mask token -> logits [batch, seq, vocab] -> softmax at each mask position -> top_k (default 5)
//   -> [{"score", "token", "token_str", "sequence"}, ...] best first; with several masks, one such list per mask.
// token_str = decode([token]); sequence = decode(ids with the mask replaced), special tokens skipped, then
// transformers' clean_up_tokenization over the whole string (" ' " -> "'", " 's" -> "'s", ...) unless
// tokenizer_config.json sets clean_up_tokenization_spaces to false (the Rust decoder cleans per token only).
// An input without the mask token is an InvalidArgument naming the token.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "onyx/session.h"
#include "src/pipelines/registry.h"
#include "src/pipelines/text_batch.h"
#include "src/pipelines/text_cleanup.h"

namespace onyx::detail {
namespace {

using Json = nlohmann::json;

// transformers' PreTrainedTokenizerBase.clean_up_tokenization.
std::string clean_up_tokenization(std::string s) {
  static const pipelines::ReplaceRule kRules[] = {
      {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  return pipelines::apply_replace_rules(std::move(s), kRules);
}

bool clean_up_spaces(const std::string& dir) {
  std::ifstream in(std::filesystem::path(dir) / "tokenizer_config.json");
  if (!in) return true;
  Json j = Json::parse(in, nullptr, false);
  if (j.is_object() && j.contains("clean_up_tokenization_spaces") && j["clean_up_tokenization_spaces"].is_boolean())
    return j["clean_up_tokenization_spaces"].get<bool>();
  return true;
}

class FillMaskPipeline : public Pipeline {
 public:
  FillMaskPipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session, PipelineOptions options,
                   std::string mask_token, uint32_t mask_id)
      : Pipeline(std::move(task), std::move(model), std::move(session), std::move(options)),
        mask_token_(std::move(mask_token)),
        mask_id_(mask_id),
        clean_up_(clean_up_spaces(model_.dir)) {}

  using Pipeline::run;
  Result<std::vector<Json>> run(const std::vector<Json>& inputs, const Json& params) const override {
    std::optional<size_t> top_k = 5;
    bool has_top_k = false;
    ONYX_RETURN_IF_ERROR(param_size(params, "top_k", top_k, has_top_k));
    std::vector<std::string> texts;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].is_string())
        return invalid_argument("input " + std::to_string(i) + ": fill-mask takes strings, got " +
                                inputs[i].dump().substr(0, 80));
      texts.push_back(inputs[i].get<std::string>());
    }
    const size_t max_length = options_.max_length.value_or(model_.max_length);
    ONYX_ASSIGN_OR_RETURN(std::vector<tok::Encoding> encodings,
                          encode_texts(model_, max_length, texts, {}, [this](const std::string& m) { warn(m); }));
    for (size_t i = 0; i < encodings.size(); ++i) {
      if (std::find(encodings[i].ids.begin(), encodings[i].ids.end(), mask_id_) == encodings[i].ids.end())
        return invalid_argument("input " + std::to_string(i) + ": no mask token (" + mask_token_ +
                                ") found in the input");
    }
    std::vector<Json> results(texts.size());
    auto on_batch = [&](std::span<const size_t> rows, const NamedTensors& outputs) -> Status {
      const Tensor& logits = output_or_first(outputs, "logits");
      if (logits.dtype() != DType::kFloat32 || logits.rank() != 3 || logits.dim(0) != static_cast<int64_t>(rows.size()))
        return invalid_model("fill-mask expects float32 logits [batch, seq, vocab], got " + dtype_name(logits.dtype()) +
                             " " + shape_to_string(logits.shape()));
      const size_t seq = logits.dim(1), vocab = logits.dim(2);
      for (size_t r = 0; r < rows.size(); ++r) {
        const tok::Encoding& e = encodings[rows[r]];
        Json per_mask = Json::array();
        for (size_t pos = 0; pos < e.size(); ++pos) {
          if (e.ids[pos] != mask_id_) continue;
          ONYX_ASSIGN_OR_RETURN(
              Json list, predict(e, pos, logits.data<float>() + (r * seq + pos) * vocab, vocab, top_k.value_or(vocab)));
          per_mask.push_back(std::move(list));
        }
        results[rows[r]] = per_mask.size() == 1 ? per_mask[0] : per_mask;
      }
      return ok_status();
    };
    ONYX_RETURN_IF_ERROR(
        run_batches(*session_, model_, encodings, options_.batch_size, options_.on_progress, on_batch));
    return results;
  }

 private:
  Result<Json> predict(const tok::Encoding& e, size_t pos, const float* row, size_t vocab, size_t top_k) const {
    std::vector<float> p(row, row + vocab);
    const float max = *std::max_element(p.begin(), p.end());
    float sum = 0;
    for (float& v : p) sum += (v = std::exp(v - max));
    for (float& v : p) v /= sum;
    std::vector<uint32_t> order(vocab);
    std::iota(order.begin(), order.end(), 0u);
    const size_t k = std::min(top_k, vocab);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](uint32_t a, uint32_t b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    const bool single_mask = std::count(e.ids.begin(), e.ids.end(), mask_id_) == 1;
    Json list = Json::array();
    for (size_t i = 0; i < k; ++i) {
      const uint32_t id = order[i];
      std::vector<uint32_t> ids = e.ids;
      ids[pos] = id;
      const uint32_t one[] = {id};
      ONYX_ASSIGN_OR_RETURN(std::string token_str, model_.tokenizer.decode(one));
      ONYX_ASSIGN_OR_RETURN(std::string sequence, model_.tokenizer.decode(ids, single_mask));
      list.push_back({{"score", static_cast<double>(p[id])},
                      {"token", id},
                      {"token_str", token_str},
                      {"sequence", clean_up_ ? clean_up_tokenization(sequence) : sequence}});
    }
    return list;
  }

  std::string mask_token_;
  uint32_t mask_id_;
  bool clean_up_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> make_fill_mask(std::string task, ModelFolder model, std::unique_ptr<Session> session,
                                                 PipelineOptions options) {
  std::vector<std::string> candidates = {"[MASK]", "<mask>"};
  if (model.config->contains("mask_token") && (*model.config)["mask_token"].is_string())
    candidates.insert(candidates.begin(), (*model.config)["mask_token"].get<std::string>());
  for (const auto& t : candidates) {
    if (auto id = model.tokenizer.token_to_id(t)) {
      return std::unique_ptr<Pipeline>(
          new FillMaskPipeline(std::move(task), std::move(model), std::move(session), std::move(options), t, *id));
    }
  }
  return invalid_model("fill-mask: the tokenizer of '" + model.dir + "' has no mask token ([MASK] or <mask>)");
}

}  // namespace onyx::detail
