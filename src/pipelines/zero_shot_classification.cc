// zero-shot-classification, as transformers' ZeroShotClassificationPipeline over an NLI model:
//   text + candidate_labels -> one (text, hypothesis_template.format(label)) pair per label, truncation
//   only_first -> logits [pairs, nli classes] -> scores:
//     multi_label false and several labels: softmax of the entailment logits over the labels;
//     multi_label true or a single label: per label, softmax over (contradiction, entailment) logits
//       (contradiction = class 0, or the last class when entailment is 0, as transformers does).
//   -> {"sequence", "labels", "scores"}, best first.
// The entailment class is the first label2id entry (config.json order) whose name starts with "entail" (any
// case); without one, the last class (transformers uses index -1). candidate_labels: a list, or one string split
// at commas. hypothesis_template (default "This example is {}.") must contain "{}".
#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "onyx/session.h"
#include "src/pipelines/task_factories.h"
#include "src/pipelines/text_batch.h"

namespace onyx::detail {
namespace {

using Json = nlohmann::json;

std::string strip(std::string s) {
  const size_t b = s.find_first_not_of(" \t\n\r\f\v");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r\f\v") - b + 1);
}

bool starts_with_entail(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s.rfind("entail", 0) == 0;
}

class ZeroShotClassificationPipeline : public Pipeline {
 public:
  ZeroShotClassificationPipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session,
                                 PipelineOptions options, std::optional<size_t> entailment_id)
      : Pipeline(std::move(task), std::move(model), std::move(session), std::move(options)),
        entailment_id_(entailment_id) {}

  using Pipeline::run;
  Result<std::vector<Json>> run(const std::vector<Json>& inputs, const Json& params) const override {
    std::vector<std::string> labels;
    const Json none;
    const Json& cl = params.is_object() && params.contains("candidate_labels") ? params["candidate_labels"] : none;
    if (cl.is_string()) {
      const std::string all = cl.get<std::string>();
      size_t begin = 0;
      while (begin <= all.size()) {
        size_t comma = all.find(',', begin);
        if (comma == std::string::npos) comma = all.size();
        std::string l = strip(all.substr(begin, comma - begin));
        if (!l.empty()) labels.push_back(std::move(l));
        begin = comma + 1;
      }
    } else if (cl.is_array()) {
      for (const Json& l : cl) {
        if (!l.is_string()) return invalid_argument("candidate_labels must hold strings, got " + l.dump());
        labels.push_back(l.get<std::string>());
      }
    } else if (!cl.is_null()) {
      return invalid_argument("candidate_labels must be a list of labels or a comma-separated string, got " +
                              cl.dump());
    }
    if (labels.empty())
      return invalid_argument(
          "zero-shot-classification needs at least one candidate label (candidate_labels, "
          "CLI --candidate-labels a,b,c)");
    std::string tmpl = "This example is {}.";
    if (params.is_object() && params.contains("hypothesis_template")) {
      if (!params["hypothesis_template"].is_string())
        return invalid_argument("hypothesis_template must be a string, got " + params["hypothesis_template"].dump());
      tmpl = params["hypothesis_template"].get<std::string>();
    }
    const size_t slot = tmpl.find("{}");
    if (slot == std::string::npos)
      return invalid_argument("hypothesis_template '" + tmpl +
                              "' has no {} for the label (e.g. \"This example is {}.\")");
    bool multi_label = false;
    if (params.is_object() && params.contains("multi_label")) {
      if (!params["multi_label"].is_boolean())
        return invalid_argument("multi_label must be true or false, got " + params["multi_label"].dump());
      multi_label = params["multi_label"].get<bool>();
    }

    tok::Tokenizer t = model_.tokenizer;
    tok::TruncationParams trunc;
    trunc.max_length = options_.max_length.value_or(model_.max_length);
    trunc.strategy = tok::TruncationStrategy::kOnlyFirst;
    ONYX_RETURN_IF_ERROR(t.set_truncation(trunc));
    std::vector<tok::Encoding> encodings;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].is_string())
        return invalid_argument("input " + std::to_string(i) + ": zero-shot-classification takes strings, got " +
                                inputs[i].dump().substr(0, 80));
      for (const std::string& label : labels) {
        std::string hypothesis = tmpl;
        hypothesis.replace(slot, 2, label);
        auto e = t.encode_pair(inputs[i].get<std::string>(), hypothesis);
        if (!e.ok()) return e.status().with_context("input " + std::to_string(i));
        if (!e->overflowing.empty() && &label == &labels.front())
          warn("input " + std::to_string(i) + " is longer than the model's maximum of " +
               std::to_string(trunc.max_length) + " tokens with its hypothesis; truncated");
        e->overflowing.clear();
        encodings.push_back(std::move(e).value());
      }
    }
    std::vector<std::vector<float>> logits(encodings.size());
    auto on_batch = [&](std::span<const size_t> rows, const NamedTensors& outputs) -> Status {
      const Tensor& l = output_or_first(outputs, "logits");
      if (l.dtype() != DType::kFloat32 || l.rank() != 2 || l.dim(0) != static_cast<int64_t>(rows.size()) ||
          l.dim(1) < 2)
        return invalid_model("zero-shot-classification expects float32 NLI logits [batch, classes >= 2], got " +
                             dtype_name(l.dtype()) + " " + shape_to_string(l.shape()));
      const size_t c = l.dim(1);
      for (size_t r = 0; r < rows.size(); ++r)
        logits[rows[r]].assign(l.data<float>() + r * c, l.data<float>() + (r + 1) * c);
      return ok_status();
    };
    ONYX_RETURN_IF_ERROR(
        run_batches(*session_, model_, encodings, options_.batch_size, options_.on_progress, on_batch));

    std::vector<Json> results;
    const size_t n = labels.size();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const size_t classes = logits[i * n].size();
      const size_t entail = entailment_id_.value_or(classes - 1);
      if (entail >= classes)
        return invalid_model("entailment class " + std::to_string(entail) + " is not below the model's " +
                             std::to_string(classes) + " classes");
      const size_t contra = entail == 0 ? classes - 1 : 0;
      std::vector<float> scores(n);
      if (multi_label || n == 1) {
        for (size_t k = 0; k < n; ++k) {
          const float ec = std::exp(logits[i * n + k][contra]), ee = std::exp(logits[i * n + k][entail]);
          scores[k] = ee / (ec + ee);
        }
      } else {
        float sum = 0;
        for (size_t k = 0; k < n; ++k) sum += (scores[k] = std::exp(logits[i * n + k][entail]));
        for (float& s : scores) s /= sum;
      }
      std::vector<size_t> order(n);
      std::iota(order.begin(), order.end(), size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
      Json out_labels = Json::array(), out_scores = Json::array();
      for (size_t k : order) {
        out_labels.push_back(labels[k]);
        out_scores.push_back(static_cast<double>(scores[k]));
      }
      results.push_back({{"sequence", inputs[i]}, {"labels", out_labels}, {"scores", out_scores}});
    }
    return results;
  }

 private:
  std::optional<size_t> entailment_id_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> make_zero_shot_classification(std::string task, ModelFolder model,
                                                                std::unique_ptr<Session> session,
                                                                PipelineOptions options) {
  // label2id (keys in sorted order: config.json's own order is not kept; it only matters when several labels
  // start with "entail"), else id2label.
  std::optional<size_t> entail;
  const Json& cfg = *model.config;
  if (cfg.contains("label2id") && cfg["label2id"].is_object()) {
    for (const auto& [name, id] : cfg["label2id"].items())
      if (!entail && starts_with_entail(name) && id.is_number_integer() && id.get<int64_t>() >= 0)
        entail = id.get<size_t>();
  } else {
    for (size_t k = 0; k < model.id2label.size(); ++k)
      if (!entail && starts_with_entail(model.id2label[k])) entail = k;
  }
  return std::unique_ptr<Pipeline>(new ZeroShotClassificationPipeline(std::move(task), std::move(model),
                                                                      std::move(session), std::move(options), entail));
}

}  // namespace onyx::detail
