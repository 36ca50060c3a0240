// question-answering (extractive), as transformers' QuestionAnsweringPipeline with a fast tokenizer:
//   {"question", "context"} -> tokenize (question, context) with truncation only_second to max_seq_len, the
//   context split into overlapping windows (doc_stride tokens of overlap) -> start/end logits per window ->
//   per window: tokens outside the context (except [CLS]) get -10000, softmax; [CLS]'s start*end is the
//   null score (handle_impossible_answer); then [CLS] zeroed and the top_k spans of start[s]*end[e] with
//   s <= e < s + max_answer_len taken, keeping those whose ends both lie in the context
//   -> answers of all windows (+ {"score": min null score, "start": 0, "end": 0, "answer": ""} when
//   handle_impossible_answer) sorted by score, top_k.
// Output {"score", "start", "end", "answer"}: character offsets into the context and context[start:end]; with
// align_to_words (default true) the span widens to the whole words of its first and last token.
// Parameters (transformers' names and defaults): top_k 1, max_answer_len 15, handle_impossible_answer false,
// max_seq_len min(model max, 384), doc_stride min(max_seq_len / 2, 128), align_to_words true, max_question_len
// (accepted; like transformers with a fast tokenizer, the question is not cut). top_k 1 gives one object per
// input, top_k > 1 a list.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "onyx/session.h"
#include "src/pipelines/char_index.h"
#include "src/pipelines/task_factories.h"
#include "src/pipelines/text_batch.h"

namespace onyx::detail {
namespace {

using Json = nlohmann::json;

struct Answer {
  double score = 0;
  size_t start = 0, end = 0;
  std::string answer;
};

struct QaParams {
  size_t top_k = 1;
  size_t max_answer_len = 15;
  bool handle_impossible = false;
  size_t max_seq_len = 384;
  size_t doc_stride = 128;
  bool align_to_words = true;
};

Status read_size(const Json& params, const char* key, size_t& out) {
  if (!params.is_object() || !params.contains(key)) return ok_status();
  const Json& v = params[key];
  if (!v.is_number_integer() || v.get<int64_t>() < 1)
    return invalid_argument(std::string("parameter ") + key + " must be a positive integer, got " + v.dump());
  out = v.get<size_t>();
  return ok_status();
}

Status read_bool(const Json& params, const char* key, bool& out) {
  if (!params.is_object() || !params.contains(key)) return ok_status();
  if (!params[key].is_boolean())
    return invalid_argument(std::string("parameter ") + key + " must be true or false, got " + params[key].dump());
  out = params[key].get<bool>();
  return ok_status();
}

class QuestionAnsweringPipeline : public Pipeline {
 public:
  QuestionAnsweringPipeline(std::string task, ModelFolder model, std::unique_ptr<Session> session,
                            PipelineOptions options)
      : Pipeline(std::move(task), std::move(model), std::move(session), std::move(options)) {}

  using Pipeline::run;
  Result<std::vector<Json>> run(const std::vector<Json>& inputs, const Json& params) const override {
    QaParams p;
    p.max_seq_len = std::min<size_t>(options_.max_length.value_or(model_.max_length), 384);
    ONYX_RETURN_IF_ERROR(read_size(params, "max_seq_len", p.max_seq_len));
    p.doc_stride = std::min<size_t>(p.max_seq_len / 2, 128);
    ONYX_RETURN_IF_ERROR(read_size(params, "doc_stride", p.doc_stride));
    ONYX_RETURN_IF_ERROR(read_size(params, "top_k", p.top_k));
    ONYX_RETURN_IF_ERROR(read_size(params, "max_answer_len", p.max_answer_len));
    size_t max_question_len = 64;  // accepted for transformers compatibility; unused with a fast tokenizer
    ONYX_RETURN_IF_ERROR(read_size(params, "max_question_len", max_question_len));
    ONYX_RETURN_IF_ERROR(read_bool(params, "handle_impossible_answer", p.handle_impossible));
    ONYX_RETURN_IF_ERROR(read_bool(params, "align_to_words", p.align_to_words));
    if (p.doc_stride > p.max_seq_len)
      return invalid_argument("doc_stride (" + std::to_string(p.doc_stride) + ") is larger than max_seq_len (" +
                              std::to_string(p.max_seq_len) + ")");

    tok::Tokenizer t = model_.tokenizer;
    tok::TruncationParams trunc;
    trunc.max_length = p.max_seq_len;
    trunc.stride = p.doc_stride;
    trunc.strategy = tok::TruncationStrategy::kOnlySecond;
    Status s = t.set_truncation(trunc);
    if (!s.ok())
      return s.with_context("question-answering: max_seq_len " + std::to_string(p.max_seq_len) + ", doc_stride " +
                            std::to_string(p.doc_stride) + " (lower doc_stride)");

    // Every window of every input, in order; window_of[i] = the input it belongs to.
    std::vector<tok::Encoding> windows;
    std::vector<size_t> input_of;
    std::vector<std::string> contexts;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Json& in = inputs[i];
      if (!in.is_object() || !in.contains("question") || !in.contains("context") || !in["question"].is_string() ||
          !in["context"].is_string())
        return invalid_argument("input " + std::to_string(i) +
                                ": question-answering takes {\"question\": \"...\", \"context\": \"...\"}, got " +
                                in.dump().substr(0, 80));
      const std::string question = in["question"].get<std::string>();
      const std::string context = in["context"].get<std::string>();
      if (question.empty()) return invalid_argument("input " + std::to_string(i) + ": question is empty");
      if (context.empty()) return invalid_argument("input " + std::to_string(i) + ": context is empty");
      auto e = t.encode_pair(question, context);
      if (!e.ok()) return e.status().with_context("input " + std::to_string(i));
      std::vector<tok::Encoding> overflow = std::move(e->overflowing);
      e->overflowing.clear();
      windows.push_back(std::move(e).value());
      input_of.push_back(i);
      for (tok::Encoding& o : overflow) {
        o.overflowing.clear();
        windows.push_back(std::move(o));
        input_of.push_back(i);
      }
      contexts.push_back(context);
    }

    std::vector<std::vector<Answer>> answers(inputs.size());
    std::vector<double> null_score(inputs.size(), 1000000.0);
    std::vector<std::vector<Answer>> per_window(windows.size());
    std::vector<double> window_null(windows.size(), 1000000.0);
    auto on_batch = [&](std::span<const size_t> rows, const NamedTensors& outputs) -> Status {
      const Tensor* start = nullptr;
      const Tensor* end = nullptr;
      for (const auto& [name, tensor] : outputs) {
        if (name == "start_logits") start = &tensor;
        if (name == "end_logits") end = &tensor;
      }
      if (!start || !end) {
        if (outputs.size() < 2) return invalid_model("question-answering expects outputs start_logits and end_logits");
        start = &outputs[0].second;
        end = &outputs[1].second;
      }
      for (const Tensor* x : {start, end}) {
        if (x->dtype() != DType::kFloat32 || x->rank() != 2 || x->dim(0) != static_cast<int64_t>(rows.size()))
          return invalid_model("question-answering expects float32 start/end logits [batch, seq], got " +
                               dtype_name(x->dtype()) + " " + shape_to_string(x->shape()));
      }
      const size_t seq = start->dim(1);
      for (size_t r = 0; r < rows.size(); ++r) {
        const size_t w = rows[r];
        decode_window(windows[w], contexts[input_of[w]], start->data<float>() + r * seq, end->data<float>() + r * seq,
                      p, per_window[w], window_null[w]);
      }
      return ok_status();
    };
    ONYX_RETURN_IF_ERROR(run_batches(*session_, model_, windows, options_.batch_size, options_.on_progress, on_batch));

    std::vector<Json> results(inputs.size());
    for (size_t w = 0; w < windows.size(); ++w) {
      const size_t i = input_of[w];
      answers[i].insert(answers[i].end(), per_window[w].begin(), per_window[w].end());
      null_score[i] = std::min(null_score[i], window_null[w]);
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::vector<Answer>& a = answers[i];
      if (p.handle_impossible) a.push_back({null_score[i], 0, 0, ""});
      std::stable_sort(a.begin(), a.end(), [](const Answer& x, const Answer& y) { return x.score > y.score; });
      if (a.size() > p.top_k) a.resize(p.top_k);
      Json list = Json::array();
      for (const Answer& x : a)
        list.push_back({{"score", x.score}, {"start", x.start}, {"end", x.end}, {"answer", x.answer}});
      results[i] = p.top_k == 1 && list.size() == 1 ? list[0] : list;
    }
    return results;
  }

 private:
  // Character span of token `k` (context) or, with align_to_words, of its whole word within this window.
  static std::pair<size_t, size_t> word_chars(const tok::Encoding& e, const std::vector<int>& seq_ids, size_t k) {
    if (!e.words[k]) return e.offsets[k];
    size_t lo = SIZE_MAX, hi = 0;
    for (size_t j = 0; j < e.size(); ++j) {
      if (seq_ids[j] != 1 || e.words[j] != e.words[k]) continue;
      lo = std::min(lo, e.offsets[j].first);
      hi = std::max(hi, e.offsets[j].second);
    }
    return lo == SIZE_MAX ? e.offsets[k] : std::make_pair(lo, hi);
  }

  void decode_window(const tok::Encoding& e, const std::string& context, const float* start_logits,
                     const float* end_logits, const QaParams& p, std::vector<Answer>& out, double& null) const {
    const size_t n = e.size();
    const std::vector<int> seq_ids = e.sequence_ids();
    const std::optional<uint32_t> cls = model_.tokenizer.token_to_id("[CLS]");
    // desired[k]: not masked by transformers' p_mask: the context and [CLS] (which carries the null answer).
    std::vector<bool> desired(n);
    for (size_t k = 0; k < n; ++k) desired[k] = (seq_ids[k] == 1 || (cls && e.ids[k] == *cls)) && e.attention_mask[k];
    const std::vector<bool>& in_softmax = desired;
    auto softmax = [&](const float* logits) {
      std::vector<float> v(n);
      for (size_t k = 0; k < n; ++k) v[k] = in_softmax[k] ? logits[k] : -10000.0f;
      const float max = *std::max_element(v.begin(), v.end());
      float sum = 0;
      for (float& x : v) sum += (x = std::exp(x - max));
      for (float& x : v) x /= sum;
      return v;
    };
    std::vector<float> ps = softmax(start_logits), pe = softmax(end_logits);
    if (p.handle_impossible) null = std::min(null, static_cast<double>(ps[0] * pe[0]));
    ps[0] = pe[0] = 0.0f;
    // transformers' decode_spans: the top_k of all (s, e) scores (0 outside s <= e < s + max_answer_len), then
    // only the spans whose ends are both desired.
    struct Span {
      float score;
      size_t s, e;
    };
    std::vector<Span> spans;
    spans.reserve(n * n);
    for (size_t s = 0; s < n; ++s)
      for (size_t t = 0; t < n; ++t) spans.push_back({t >= s && t - s < p.max_answer_len ? ps[s] * pe[t] : 0.0f, s, t});
    const size_t k = std::min(p.top_k, spans.size());
    std::partial_sort(spans.begin(), spans.begin() + k, spans.end(), [](const Span& a, const Span& b) {
      return a.score > b.score || (a.score == b.score && (a.s < b.s || (a.s == b.s && a.e < b.e)));
    });
    const std::vector<size_t> starts = char_starts(context);
    for (size_t i = 0; i < k; ++i) {
      const Span& sp = spans[i];
      if (!desired[sp.s] || !desired[sp.e]) continue;
      size_t c0 = e.offsets[sp.s].first, c1 = e.offsets[sp.e].second;
      if (p.align_to_words) {
        c0 = word_chars(e, seq_ids, sp.s).first;
        c1 = word_chars(e, seq_ids, sp.e).second;
      }
      out.push_back({static_cast<double>(sp.score), c0, c1, char_slice(context, starts, c0, c1)});
    }
  }
};

}  // namespace

Result<std::unique_ptr<Pipeline>> make_question_answering(std::string task, ModelFolder model,
                                                          std::unique_ptr<Session> session, PipelineOptions options) {
  return std::unique_ptr<Pipeline>(
      new QuestionAnsweringPipeline(std::move(task), std::move(model), std::move(session), std::move(options)));
}

}  // namespace onyx::detail
