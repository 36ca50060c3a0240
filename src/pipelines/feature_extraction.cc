// feature-extraction and sentence-embedding:
//   texts -> tokenizer -> last_hidden_state [batch, seq, hidden] -> (pooling: none | mean | cls) -> (normalize)
// feature-extraction defaults: pooling none, no normalization; per input [1][tokens][hidden] as transformers'
// FeatureExtractionPipeline returns it (padding removed). sentence-embedding defaults follow
// sentence-transformers: the folder's 1_Pooling/config.json mode (mean when absent) and L2 normalization when
// modules.json has a Normalize module (or always when there is no modules.json); per input [1][hidden].
// Mean pooling averages the token vectors with attention_mask 1 (special tokens included), as
// sentence-transformers and transformers.js do; the count is clamped to >= 1e-9.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "onyx/session.h"
#include "src/pipelines/registry.h"
#include "src/pipelines/text_batch.h"

namespace onyx::detail {
namespace {

using Json = nlohmann::json;

enum class Pooling { kNone, kMean, kCls };

Json read_json_or_null(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) return nullptr;
  Json j = Json::parse(in, nullptr, false);
  return j.is_discarded() ? Json(nullptr) : j;
}

class FeatureExtractionPipeline : public Pipeline {
 public:
  FeatureExtractionPipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session,
                            PipelineOptions options)
      : Pipeline(std::move(task), std::move(model), std::move(session), std::move(options)) {
    if (task_ != "sentence-embedding") return;
    namespace fs = std::filesystem;
    pooling_ = Pooling::kMean;
    const Json pool = read_json_or_null(fs::path(model_.dir) / "1_Pooling" / "config.json");
    if (pool.is_object() && pool.value("pooling_mode_cls_token", false)) pooling_ = Pooling::kCls;
    const Json modules = read_json_or_null(fs::path(model_.dir) / "modules.json");
    normalize_ = true;
    if (modules.is_array()) {
      normalize_ = false;
      for (const auto& m : modules)
        if (m.is_object() && m.value("type", "").find("Normalize") != std::string::npos) normalize_ = true;
    }
  }

  using Pipeline::run;
  Result<std::vector<Json>> run(const std::vector<Json>& inputs, const Json& params) const override {
    Pooling pooling = pooling_;
    bool normalize = normalize_;
    if (params.is_object() && params.contains("pooling")) {
      const std::string p = params["pooling"].is_string() ? params["pooling"].get<std::string>() : "?";
      if (p == "none")
        pooling = Pooling::kNone;
      else if (p == "mean")
        pooling = Pooling::kMean;
      else if (p == "cls")
        pooling = Pooling::kCls;
      else
        return invalid_argument("pooling must be \"none\", \"mean\" or \"cls\", got " + params["pooling"].dump());
    }
    if (params.is_object() && params.contains("normalize")) {
      if (!params["normalize"].is_boolean()) return invalid_argument("normalize must be true or false");
      normalize = params["normalize"].get<bool>();
    }
    std::vector<std::string> texts;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].is_string())
        return invalid_argument("input " + std::to_string(i) + ": " + task_ + " takes strings, got " +
                                inputs[i].dump().substr(0, 80));
      texts.push_back(inputs[i].get<std::string>());
    }
    const size_t max_length = options_.max_length.value_or(model_.max_length);
    ONYX_ASSIGN_OR_RETURN(std::vector<tok::Encoding> encodings,
                          encode_texts(model_, max_length, texts, {}, [this](const std::string& m) { warn(m); }));
    std::vector<Json> results(texts.size());
    auto on_batch = [&](std::span<const size_t> rows, const NamedTensors& outputs) -> Status {
      const Tensor& h = output_or_first(outputs, "last_hidden_state");
      if (h.dtype() != DType::kFloat32 || h.rank() != 3 || h.dim(0) != static_cast<int64_t>(rows.size()))
        return invalid_model(task_ + " expects float32 last_hidden_state [batch, seq, hidden], got " +
                             dtype_name(h.dtype()) + " " + shape_to_string(h.shape()));
      const size_t seq = h.dim(1), hidden = h.dim(2);
      for (size_t r = 0; r < rows.size(); ++r) {
        const tok::Encoding& e = encodings[rows[r]];
        const float* base = h.data<float>() + r * seq * hidden;
        std::vector<std::vector<float>> vectors;
        if (pooling == Pooling::kNone) {
          for (size_t t = 0; t < e.size(); ++t) vectors.emplace_back(base + t * hidden, base + (t + 1) * hidden);
        } else if (pooling == Pooling::kCls) {
          vectors.emplace_back(base, base + hidden);
        } else {
          std::vector<float> sum(hidden, 0.0f);
          float count = 0;
          for (size_t t = 0; t < e.size(); ++t) {
            if (e.attention_mask[t] == 0) continue;
            count += 1;
            for (size_t k = 0; k < hidden; ++k) sum[k] += base[t * hidden + k];
          }
          for (float& v : sum) v /= std::max(count, 1e-9f);
          vectors.push_back(std::move(sum));
        }
        if (normalize) {
          for (auto& v : vectors) {
            float norm = 0;
            for (float x : v) norm += x * x;
            norm = std::max(std::sqrt(norm), 1e-12f);
            for (float& x : v) x /= norm;
          }
        }
        Json rows_json = Json::array();
        for (const auto& v : vectors) {
          Json vj = Json::array();
          for (float x : v) vj.push_back(static_cast<double>(x));
          rows_json.push_back(std::move(vj));
        }
        results[rows[r]] = pooling == Pooling::kNone ? Json::array({std::move(rows_json)}) : std::move(rows_json);
      }
      return ok_status();
    };
    ONYX_RETURN_IF_ERROR(
        run_batches(*session_, model_, encodings, options_.batch_size, options_.on_progress, on_batch));
    return results;
  }

 private:
  Pooling pooling_ = Pooling::kNone;
  bool normalize_ = false;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> make_feature_extraction(std::string task, ModelFolder model,
                                                          std::unique_ptr<Session> session, PipelineOptions options) {
  return std::unique_ptr<Pipeline>(
      new FeatureExtractionPipeline(std::move(task), std::move(model), std::move(session), std::move(options)));
}

}  // namespace onyx::detail
