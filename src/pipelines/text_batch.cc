// Encoding and batching shared by the text tasks (see text_batch.h).
#include "src/pipelines/text_batch.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

namespace onyx::detail {

Result<std::vector<tok::Encoding>> encode_texts(const ModelFolder& model, size_t max_length,
                                                std::span<const std::string> texts, std::span<const std::string> pairs,
                                                const std::function<void(const std::string&)>& warn) {
  tok::Tokenizer t = model.tokenizer;  // shares the loaded model; truncation is per copy
  tok::TruncationParams trunc;
  trunc.max_length = max_length;
  Status s = t.set_truncation(trunc);
  if (!s.ok()) return s.with_context("max_length " + std::to_string(max_length));
  std::vector<tok::Encoding> out;
  out.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    auto e = pairs.empty() ? t.encode(texts[i]) : t.encode_pair(texts[i], pairs[i]);
    if (!e.ok()) return e.status().with_context("input " + std::to_string(i));
    if (!e->overflowing.empty() && warn) {
      warn("input " + std::to_string(i) + " is longer than the model's maximum of " + std::to_string(max_length) +
           " tokens; truncated to " + std::to_string(e->size()) + " tokens");
    }
    e->overflowing.clear();
    out.push_back(std::move(e).value());
  }
  return out;
}

namespace {

template <typename T>
Tensor fill_rows(std::span<const tok::Encoding> encodings, std::span<const size_t> rows, size_t width,
                 const std::function<T(const tok::Encoding&, size_t)>& value, T pad) {
  Tensor t = Tensor::empty(dtype_of_storage<T>(), {static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)});
  T* p = t.data<T>();
  for (size_t r = 0; r < rows.size(); ++r) {
    const tok::Encoding& e = encodings[rows[r]];
    for (size_t j = 0; j < width; ++j) p[r * width + j] = j < e.size() ? value(e, j) : pad;
  }
  return t;
}

uint32_t pad_id(const ModelFolder& model) {
  const auto& cfg = *model.config;
  if (cfg.contains("pad_token_id") && cfg["pad_token_id"].is_number_unsigned())
    return cfg["pad_token_id"].get<uint32_t>();
  for (const char* tok : {"[PAD]", "<pad>"})
    if (auto id = model.tokenizer.token_to_id(tok)) return *id;
  return 0;
}

}  // namespace

Result<NamedTensors> make_model_inputs(const Session& session, const ModelFolder& model,
                                       std::span<const tok::Encoding> encodings, std::span<const size_t> rows) {
  size_t width = 0;
  for (size_t r : rows) width = std::max(width, encodings[r].size());
  const uint32_t pad = pad_id(model);
  NamedTensors inputs;
  for (const ValueInfo& info : session.inputs()) {
    std::function<int64_t(const tok::Encoding&, size_t)> value;
    int64_t pad_value = 0;
    if (info.name == "input_ids") {
      value = [](const tok::Encoding& e, size_t j) { return static_cast<int64_t>(e.ids[j]); };
      pad_value = pad;
    } else if (info.name == "attention_mask") {
      value = [](const tok::Encoding& e, size_t j) { return static_cast<int64_t>(e.attention_mask[j]); };
    } else if (info.name == "token_type_ids") {
      value = [](const tok::Encoding& e, size_t j) { return static_cast<int64_t>(e.type_ids[j]); };
    } else if (info.name == "position_ids") {
      value = [](const tok::Encoding&, size_t j) { return static_cast<int64_t>(j); };
    } else {
      return not_implemented("model input '" + info.to_string() +
                             "' is not one a text pipeline can fill (known: input_ids, attention_mask, "
                             "token_type_ids, position_ids)");
    }
    if (info.dtype == DType::kInt64) {
      inputs.emplace_back(info.name, fill_rows<int64_t>(encodings, rows, width, value, pad_value));
    } else if (info.dtype == DType::kInt32) {
      auto v32 = [&value](const tok::Encoding& e, size_t j) { return static_cast<int32_t>(value(e, j)); };
      inputs.emplace_back(info.name, fill_rows<int32_t>(encodings, rows, width, v32, static_cast<int32_t>(pad_value)));
    } else {
      return not_implemented("model input '" + info.to_string() + "': expected int64 or int32");
    }
  }
  return inputs;
}

std::vector<size_t> order_by_length(std::span<const tok::Encoding> encodings) {
  std::vector<size_t> order(encodings.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return encodings[a].size() > encodings[b].size(); });
  return order;
}

Status for_each_batch(std::span<const size_t> order, size_t batch_size, const ProgressSink& progress,
                      const std::function<Status(std::span<const size_t> rows)>& fn) {
  const size_t step = std::max<size_t>(batch_size, 1);
  for (size_t begin = 0; begin < order.size(); begin += step) {
    const size_t n = std::min(step, order.size() - begin);
    ONYX_RETURN_IF_ERROR(fn(order.subspan(begin, n)));
    if (progress) progress(begin + n, order.size());
  }
  return ok_status();
}

Status run_batches(const Session& session, const ModelFolder& model, std::span<const tok::Encoding> encodings,
                   size_t batch_size, const ProgressSink& progress,
                   const std::function<Status(std::span<const size_t> rows, const NamedTensors& outputs)>& fn) {
  const std::vector<size_t> order = order_by_length(encodings);
  return for_each_batch(order, batch_size, progress, [&](std::span<const size_t> rows) -> Status {
    ONYX_ASSIGN_OR_RETURN(NamedTensors inputs, make_model_inputs(session, model, encodings, rows));
    ONYX_ASSIGN_OR_RETURN(NamedTensors outputs, session.run(inputs));
    if (outputs.empty()) return invalid_model("the model has no outputs");
    return fn(rows, outputs);
  });
}

const Tensor& output_or_first(const NamedTensors& outputs, const std::string& name) {
  for (const auto& [n, t] : outputs)
    if (n == name) return t;
  return outputs.front().second;
}

Status param_size(const nlohmann::json& params, const char* key, std::optional<size_t>& out, bool& present) {
  present = params.is_object() && params.contains(key);
  if (!present) return ok_status();
  const auto& v = params[key];
  if (v.is_null()) {
    out = std::nullopt;
    return ok_status();
  }
  if (!v.is_number_integer() || v.get<int64_t>() < 1)
    return invalid_argument(std::string("parameter ") + key + " must be a positive integer or null, got " + v.dump());
  out = v.get<size_t>();
  return ok_status();
}

}  // namespace onyx::detail
