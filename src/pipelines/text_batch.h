// Shared by the text tasks: encode texts (or pairs) with truncation to the model's limit, and turn a group of
// encodings into the model's named inputs (input_ids, attention_mask, token_type_ids, position_ids), padded
// to the longest one.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "onyx/pipeline.h"
#include "onyx/session.h"

namespace onyx::detail {

// Encodes each input (pair when `pairs` is non-empty: pairs[i] goes with texts[i]). Inputs longer than
// `max_length` tokens are truncated (longest_first) and reported through `warn` with their index.
// Invalid UTF-8 -> InvalidArgument naming the input index and byte offset.
Result<std::vector<tok::Encoding>> encode_texts(const ModelFolder& model, size_t max_length,
                                                std::span<const std::string> texts, std::span<const std::string> pairs,
                                                const std::function<void(const std::string&)>& warn);

// The model inputs for encodings[rows[0]], encodings[rows[1]], ..., padded on the right to the longest.
Result<NamedTensors> make_model_inputs(const Session& session, const ModelFolder& model,
                                       std::span<const tok::Encoding> encodings, std::span<const size_t> rows);

// Indices 0..n-1 ordered by encoding length (longest first, stable) so that batches hold similar lengths.
std::vector<size_t> order_by_length(std::span<const tok::Encoding> encodings);

// Runs `fn(rows)` on batches of at most `batch_size` rows taken from `order`, reporting progress.
Status for_each_batch(std::span<const size_t> order, size_t batch_size, const ProgressSink& progress,
                      const std::function<Status(std::span<const size_t> rows)>& fn);

// Groups `encodings` by length into batches of at most `batch_size`, runs the model on each and calls
// `fn(rows, outputs)` with the encoding indices of the batch's rows in order; reports progress per batch.
Status run_batches(const Session& session, const ModelFolder& model, std::span<const tok::Encoding> encodings,
                   size_t batch_size, const ProgressSink& progress,
                   const std::function<Status(std::span<const size_t> rows, const NamedTensors& outputs)>& fn);

// The output named `name`, else the first output.
const Tensor& output_or_first(const NamedTensors& outputs, const std::string& name);

// Reads a parameter from a JSON object of call parameters (e.g. top_k): error when present with another type.
Status param_size(const nlohmann::json& params, const char* key, std::optional<size_t>& out, bool& present);

}  // namespace onyx::detail
