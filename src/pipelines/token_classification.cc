// token-classification (alias ner), as transformers' TokenClassificationPipeline:
//   text -> logits [batch, seq, labels] -> softmax per token (float32) -> pre-entities (special tokens dropped)
//   -> aggregation_strategy -> entities whose entity / entity_group is not in ignore_labels (default ["O"]).
//
//   none     {"entity", "score", "index", "word", "start", "end"} per token; word = the token ("##s" kept)
//   simple   the `none` entities grouped: consecutive tokens with the same tag, where a B- tag starts a new group
//            -> {"entity_group", "score" (mean), "word" (tokens joined), "start", "end"}
//   first / average / max
//            tokens grouped into words first (a subword continues the word before it), the word's label taken
//            from its first token / the mean of its score vectors / its token with the highest score; then
//            grouped as `simple`.
// Subwords as transformers detects them: with a continuing-subword prefix (WordPiece "##"), a token whose text is
// longer or shorter than the characters it covers; otherwise a token not preceded by a space. [UNK] tokens take
// the original characters as their word and are never subwords. start/end are character offsets into the text.
// Grouped words are joined as the tokenizer's decoder joins tokens (WordPiece: "##" glued, cleanup rules).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "onyx/session.h"
#include "src/pipelines/char_index.h"
#include "src/pipelines/task_factories.h"
#include "src/pipelines/text_batch.h"
#include "src/pipelines/text_cleanup.h"

namespace onyx::detail {
namespace {

using Json = nlohmann::json;

enum class Aggregation { kNone, kSimple, kFirst, kAverage, kMax };

struct PreEntity {
  std::string word;
  std::vector<float> scores;
  size_t start = 0, end = 0;
  size_t index = 0;
  bool is_subword = false;
};

struct Entity {
  std::string entity;
  float score = 0;
  std::string word;
  size_t start = 0, end = 0;
  size_t index = 0;
};

// The decoder's per-token cleanup (tokenizers' decoders::wordpiece::cleanup).
std::string cleanup(std::string s) {
  static const pipelines::ReplaceRule kRules[] = {
      {" .", "."},   {" ?", "?"},           {" !", "!"},   {" ,", ","},     {" ' ", "'"},   {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  return pipelines::apply_replace_rules(std::move(s), kRules);
}

size_t utf8_length(std::string_view s) { return char_starts(s).size() - 1; }

// What the tokenizer.json (if any) says about subwords and how tokens join back into text.
struct SubwordRules {
  std::string prefix;           // continuing_subword_prefix of the model; empty: none
  bool wordpiece_join = false;  // decoder is WordPiece: tokens joined with spaces, prefix glued, cleanup
  std::string decoder_prefix = "##";
  bool decoder_cleanup = true;
};

SubwordRules subword_rules(const std::string& dir) {
  namespace fs = std::filesystem;
  SubwordRules r;
  std::ifstream in(fs::path(dir) / "tokenizer.json", std::ios::binary);
  if (!in) {  // legacy vocab.txt: a BERT WordPiece tokenizer
    r.prefix = "##";
    r.wordpiece_join = fs::exists(fs::path(dir) / "vocab.txt");
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return r;
  if (j.contains("model") && j["model"].is_object() && j["model"].contains("continuing_subword_prefix") &&
      j["model"]["continuing_subword_prefix"].is_string())
    r.prefix = j["model"]["continuing_subword_prefix"].get<std::string>();
  if (j.contains("decoder") && j["decoder"].is_object() && j["decoder"].value("type", "") == "WordPiece") {
    r.wordpiece_join = true;
    r.decoder_prefix = j["decoder"].value("prefix", std::string("##"));
    r.decoder_cleanup = j["decoder"].value("cleanup", true);
  }
  return r;
}

class TokenClassificationPipeline : public Pipeline {
 public:
  TokenClassificationPipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session,
                              PipelineOptions options)
      : Pipeline(std::move(task), std::move(model), std::move(session), std::move(options)),
        rules_(subword_rules(model_.dir)),
        unk_id_(model_.tokenizer.token_to_id("[UNK]")) {}

  using Pipeline::run;
  Result<std::vector<Json>> run(const std::vector<Json>& inputs, const Json& params) const override {
    Aggregation strategy = Aggregation::kNone;
    std::vector<std::string> ignore = {"O"};
    if (params.is_object() && params.contains("aggregation_strategy")) {
      const Json& a = params["aggregation_strategy"];
      const std::string s = a.is_string() ? a.get<std::string>() : "";
      if (s == "none")
        strategy = Aggregation::kNone;
      else if (s == "simple")
        strategy = Aggregation::kSimple;
      else if (s == "first")
        strategy = Aggregation::kFirst;
      else if (s == "average")
        strategy = Aggregation::kAverage;
      else if (s == "max")
        strategy = Aggregation::kMax;
      else
        return invalid_argument(
            "parameter aggregation_strategy must be one of none, simple, first, average, max; got " + a.dump());
    }
    if (params.is_object() && params.contains("ignore_labels")) {
      const Json& l = params["ignore_labels"];
      if (!l.is_array()) return invalid_argument("parameter ignore_labels must be a list of labels, got " + l.dump());
      ignore.clear();
      for (const Json& x : l) {
        if (!x.is_string()) return invalid_argument("parameter ignore_labels must hold strings, got " + x.dump());
        ignore.push_back(x.get<std::string>());
      }
    }
    std::vector<std::string> texts;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].is_string())
        return invalid_argument("input " + std::to_string(i) + ": token-classification takes strings, got " +
                                inputs[i].dump().substr(0, 80));
      texts.push_back(inputs[i].get<std::string>());
    }
    const size_t max_length = options_.max_length.value_or(model_.max_length);
    ONYX_ASSIGN_OR_RETURN(std::vector<tok::Encoding> encodings,
                          encode_texts(model_, max_length, texts, {}, [this](const std::string& m) { warn(m); }));
    std::vector<Json> results(texts.size());
    auto on_batch = [&](std::span<const size_t> rows, const NamedTensors& outputs) -> Status {
      const Tensor& logits = output_or_first(outputs, "logits");
      if (logits.dtype() != DType::kFloat32 || logits.rank() != 3 || logits.dim(0) != static_cast<int64_t>(rows.size()))
        return invalid_model("token-classification expects float32 logits [batch, seq, labels], got " +
                             dtype_name(logits.dtype()) + " " + shape_to_string(logits.shape()));
      const size_t seq = logits.dim(1), num_labels = logits.dim(2);
      for (size_t r = 0; r < rows.size(); ++r) {
        const float* row = logits.data<float>() + r * seq * num_labels;
        std::vector<PreEntity> pre = gather(texts[rows[r]], encodings[rows[r]], row, num_labels, strategy);
        std::vector<Entity> words;
        if (strategy == Aggregation::kNone || strategy == Aggregation::kSimple) {
          for (PreEntity& p : pre) {
            const size_t best = argmax(p.scores);
            words.push_back({model_.label(best), p.scores[best], std::move(p.word), p.start, p.end, p.index});
          }
        } else {
          words = aggregate_words(pre, strategy);
        }
        Json list = Json::array();
        if (strategy == Aggregation::kNone) {
          for (const Entity& e : words) {
            if (std::find(ignore.begin(), ignore.end(), e.entity) != ignore.end()) continue;
            list.push_back({{"entity", e.entity},
                            {"score", static_cast<double>(e.score)},
                            {"index", e.index},
                            {"word", e.word},
                            {"start", e.start},
                            {"end", e.end}});
          }
        } else {
          for (Json& g : group_entities(words)) {
            if (std::find(ignore.begin(), ignore.end(), g["entity_group"].get<std::string>()) != ignore.end()) continue;
            list.push_back(std::move(g));
          }
        }
        results[rows[r]] = std::move(list);
      }
      return ok_status();
    };
    ONYX_RETURN_IF_ERROR(
        run_batches(*session_, model_, encodings, options_.batch_size, options_.on_progress, on_batch));
    return results;
  }

 private:
  static size_t argmax(const std::vector<float>& v) {
    return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
  }

  // transformers' gather_pre_entities.
  std::vector<PreEntity> gather(const std::string& text, const tok::Encoding& e, const float* logits, size_t n,
                                Aggregation) const {
    const std::vector<size_t> starts = char_starts(text);
    std::vector<PreEntity> out;
    for (size_t idx = 0; idx < e.size(); ++idx) {
      if (e.special_tokens_mask[idx]) continue;
      PreEntity p;
      const float* l = logits + idx * n;
      const float max = *std::max_element(l, l + n);
      p.scores.resize(n);
      float sum = 0;
      for (size_t k = 0; k < n; ++k) sum += (p.scores[k] = std::exp(l[k] - max));
      for (float& v : p.scores) v /= sum;
      p.word = e.tokens[idx];
      p.start = e.offsets[idx].first;
      p.end = e.offsets[idx].second;
      p.index = idx;
      const std::string word_ref = char_slice(text, starts, p.start, p.end);
      if (!rules_.prefix.empty()) {
        p.is_subword = utf8_length(p.word) != utf8_length(word_ref);
      } else {
        const std::string around = p.start > 0 ? char_slice(text, starts, p.start - 1, p.start + 1) : "";
        p.is_subword = p.start > 0 && around.find(' ') == std::string::npos;
      }
      if (unk_id_ && e.ids[idx] == *unk_id_) {
        p.word = word_ref;
        p.is_subword = false;
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  // transformers' convert_tokens_to_string through the fast tokenizer's decoder.
  std::string join_tokens(const std::vector<std::string>& tokens) const {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string t = tokens[i];
      if (rules_.wordpiece_join) {
        if (i != 0) {
          if (t.rfind(rules_.decoder_prefix, 0) == 0)
            t = t.substr(rules_.decoder_prefix.size());
          else
            t = " " + t;
        }
        if (rules_.decoder_cleanup) t = cleanup(t);
      } else if (i != 0) {
        t = " " + t;
      }
      out += t;
    }
    return out;
  }

  // transformers' aggregate_word.
  Entity aggregate_word(const std::vector<PreEntity>& group, Aggregation strategy) const {
    std::vector<std::string> tokens;
    for (const PreEntity& p : group) tokens.push_back(p.word);
    Entity e;
    e.word = join_tokens(tokens);
    e.start = group.front().start;
    e.end = group.back().end;
    std::vector<float> scores;
    if (strategy == Aggregation::kFirst) {
      scores = group.front().scores;
    } else if (strategy == Aggregation::kMax) {
      size_t best = 0;
      float best_score = -1;
      for (size_t i = 0; i < group.size(); ++i) {
        const float m = *std::max_element(group[i].scores.begin(), group[i].scores.end());
        if (m > best_score) best_score = m, best = i;  // first of equal maxima, as Python's max()
      }
      scores = group[best].scores;
    } else {
      scores.assign(group.front().scores.size(), 0.0f);
      for (const PreEntity& p : group)
        for (size_t k = 0; k < scores.size(); ++k) scores[k] += p.scores[k];
      for (float& v : scores) v /= static_cast<float>(group.size());
    }
    const size_t best = argmax(scores);
    e.entity = model_.label(best);
    e.score = scores[best];
    return e;
  }

  // transformers' aggregate_words: a subword joins the word before it.
  std::vector<Entity> aggregate_words(const std::vector<PreEntity>& pre, Aggregation strategy) const {
    std::vector<Entity> out;
    std::vector<PreEntity> group;
    for (const PreEntity& p : pre) {
      if (!group.empty() && !p.is_subword) {
        out.push_back(aggregate_word(group, strategy));
        group.clear();
      }
      group.push_back(p);
    }
    if (!group.empty()) out.push_back(aggregate_word(group, strategy));
    return out;
  }

  // transformers' get_tag: "B-X" / "I-X" -> (B|I, X); anything else -> (I, name).
  static std::pair<char, std::string> tag(const std::string& name) {
    if (name.rfind("B-", 0) == 0) return {'B', name.substr(2)};
    if (name.rfind("I-", 0) == 0) return {'I', name.substr(2)};
    return {'I', name};
  }

  // transformers' group_sub_entities.
  Json group_sub_entities(const std::vector<Entity>& group) const {
    const std::string& first = group.front().entity;
    const size_t dash = first.find('-');
    float sum = 0;
    std::vector<std::string> tokens;
    for (const Entity& e : group) sum += e.score, tokens.push_back(e.word);
    return {{"entity_group", dash == std::string::npos ? first : first.substr(dash + 1)},
            {"score", static_cast<double>(sum / static_cast<float>(group.size()))},
            {"word", join_tokens(tokens)},
            {"start", group.front().start},
            {"end", group.back().end}};
  }

  // transformers' group_entities: same tag and not a B- tag continues the group.
  std::vector<Json> group_entities(const std::vector<Entity>& entities) const {
    std::vector<Json> groups;
    std::vector<Entity> current;
    for (const Entity& e : entities) {
      if (!current.empty()) {
        const auto [bi, t] = tag(e.entity);
        const auto [last_bi, last_t] = tag(current.back().entity);
        if (!(t == last_t && bi != 'B')) {
          groups.push_back(group_sub_entities(current));
          current.clear();
        }
      }
      current.push_back(e);
    }
    if (!current.empty()) groups.push_back(group_sub_entities(current));
    return groups;
  }

  SubwordRules rules_;
  std::optional<uint32_t> unk_id_;
};

}  // namespace

Result<std::unique_ptr<Pipeline>> make_token_classification(std::string task, ModelFolder model,
                                                            std::unique_ptr<Session> session, PipelineOptions options) {
  return std::unique_ptr<Pipeline>(
      new TokenClassificationPipeline(std::move(task), std::move(model), std::move(session), std::move(options)));
}

}  // namespace onyx::detail
