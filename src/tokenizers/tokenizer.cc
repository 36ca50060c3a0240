// Tokenizer: loading from tokenizer.json and the encode/decode pipeline.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "tokenizer_impl.h"

namespace onyx::tok {

using detail::Json;

namespace detail {

Result<Encoding> TokenizerImpl::encode_sequence(std::string_view text, uint32_t type_id, OffsetType offset_type,
                                                const TruncationParams* truncation) const {
  ONYX_ASSIGN_OR_RETURN(PreTokenizedString pre, added.extract_and_normalize(normalizer.get(), text));
  if (pre_tokenizer) ONYX_RETURN_IF_ERROR(pre_tokenizer->pre_tokenize(pre));
  // With truncation on, the Rust library (0.23) stops tokenizing a sequence right after the word
  // whose model tokens bring it to max_length tokens (from the end for left truncation), so later
  // words never reach the overflowing windows; do the same. Only a word the model tokenizes ends
  // the loop: added tokens (already tokenized splits) count but are never a stopping point, so a
  // run of them past the limit is kept up to and including the next word.
  std::vector<Split>& splits = pre.splits();
  const size_t limit = truncation != nullptr && truncation->max_length > 0 ? truncation->max_length : SIZE_MAX;
  const bool from_left = truncation != nullptr && truncation->direction == Direction::kLeft;
  size_t count = 0;
  size_t kept = 0;
  while (kept < splits.size()) {
    Split& s = splits[from_left ? splits.size() - 1 - kept : kept];
    ++kept;
    if (s.tokens) {
      count += s.tokens->size();
      continue;
    }
    std::vector<Token> toks;
    ONYX_RETURN_IF_ERROR(model->tokenize(s.normalized.get(), toks));
    count += toks.size();
    s.tokens = std::move(toks);
    if (count >= limit) break;
  }
  if (kept < splits.size()) {
    auto n = static_cast<ptrdiff_t>(kept);
    if (from_left) {
      splits.erase(splits.begin(), splits.end() - n);
    } else {
      splits.erase(splits.begin() + n, splits.end());
    }
  }
  return pre.into_encoding(type_id, offset_type);
}

Result<std::optional<TruncationParams>> parse_truncation(const Json& j) {
  if (j.is_null()) return std::optional<TruncationParams>();
  if (!j.is_object()) return invalid_model("\"truncation\" must be an object or null");
  TruncationParams p;
  p.max_length = static_cast<size_t>(json_int(j, "max_length", 512));
  p.stride = static_cast<size_t>(json_int(j, "stride", 0));
  std::string strategy = json_string(j, "strategy", "LongestFirst");
  if (strategy == "OnlyFirst") {
    p.strategy = TruncationStrategy::kOnlyFirst;
  } else if (strategy == "OnlySecond") {
    p.strategy = TruncationStrategy::kOnlySecond;
  } else if (strategy != "LongestFirst") {
    return invalid_model("unknown truncation strategy \"" + strategy + "\"");
  }
  p.direction = json_string(j, "direction", "Right") == "Left" ? Direction::kLeft : Direction::kRight;
  return std::optional<TruncationParams>(p);
}

Result<std::optional<PaddingParams>> parse_padding(const Json& j) {
  if (j.is_null()) return std::optional<PaddingParams>();
  if (!j.is_object()) return invalid_model("\"padding\" must be an object or null");
  PaddingParams p;
  if (j.contains("strategy") && j["strategy"].is_object() && j["strategy"].contains("Fixed")) {
    p.fixed_length = j["strategy"]["Fixed"].get<size_t>();
  }
  p.direction = json_string(j, "direction", "Right") == "Left" ? Direction::kLeft : Direction::kRight;
  p.pad_to_multiple_of = static_cast<size_t>(json_int(j, "pad_to_multiple_of", 0));
  p.pad_id = static_cast<uint32_t>(json_int(j, "pad_id", 0));
  p.pad_type_id = static_cast<uint32_t>(json_int(j, "pad_type_id", 0));
  p.pad_token = json_string(j, "pad_token", "[PAD]");
  return std::optional<PaddingParams>(p);
}

}  // namespace detail

Result<Tokenizer> Tokenizer::from_json(std::string_view json_text) {
  Json j = Json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return invalid_model("tokenizer.json is not a valid JSON object");
  auto impl = std::make_shared<detail::TokenizerImpl>();
  auto component = [&](const char* key) -> const Json* {
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? nullptr : &*it;
  };
  if (const Json* c = component("normalizer")) {
    ONYX_ASSIGN_OR_RETURN(impl->normalizer, detail::make_normalizer(*c));
  }
  if (const Json* c = component("pre_tokenizer")) {
    ONYX_ASSIGN_OR_RETURN(impl->pre_tokenizer, detail::make_pre_tokenizer(*c));
  }
  const Json* model = component("model");
  if (model == nullptr) return invalid_model("tokenizer.json has no \"model\"");
  ONYX_ASSIGN_OR_RETURN(impl->model, detail::make_model(*model));
  if (const Json* c = component("post_processor")) {
    ONYX_ASSIGN_OR_RETURN(impl->post_processor, detail::make_post_processor(*c));
  }
  if (const Json* c = component("decoder")) {
    ONYX_ASSIGN_OR_RETURN(impl->decoder, detail::make_decoder(*c));
  }
  std::vector<detail::AddedToken> added;
  if (const Json* list = component("added_tokens")) {
    if (!list->is_array()) return invalid_model("\"added_tokens\" must be an array");
    for (const Json& t : *list) {
      detail::AddedToken a;
      a.content = detail::json_string(t, "content");
      a.id = static_cast<uint32_t>(detail::json_int(t, "id", 0));
      a.single_word = detail::json_bool(t, "single_word", false);
      a.lstrip = detail::json_bool(t, "lstrip", false);
      a.rstrip = detail::json_bool(t, "rstrip", false);
      a.normalized = detail::json_bool(t, "normalized", true);
      a.special = detail::json_bool(t, "special", false);
      added.push_back(std::move(a));
    }
  }
  ONYX_RETURN_IF_ERROR(impl->added.init(std::move(added), impl->normalizer.get()));
  Tokenizer tok(std::move(impl));
  ONYX_ASSIGN_OR_RETURN(auto trunc, detail::parse_truncation(j.contains("truncation") ? j["truncation"] : Json()));
  ONYX_ASSIGN_OR_RETURN(auto pad, detail::parse_padding(j.contains("padding") ? j["padding"] : Json()));
  ONYX_RETURN_IF_ERROR(tok.set_truncation(trunc));
  tok.set_padding(pad);
  return tok;
}

static Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error("error reading " + path);
  return ss.str();
}

Result<Tokenizer> Tokenizer::from_file(const std::string& path) {
  ONYX_ASSIGN_OR_RETURN(std::string text, read_file(path));
  auto t = from_json(text);
  if (!t.ok()) return t.status().with_context(path);
  return t;
}

Result<Tokenizer> Tokenizer::from_directory(const std::string& dir) {
  std::ifstream probe(dir + "/tokenizer.json");
  if (probe) return from_file(dir + "/tokenizer.json");
  ONYX_ASSIGN_OR_RETURN(std::string json, convert_legacy_directory(dir));
  auto t = from_json(json);
  if (!t.ok()) return t.status().with_context(dir + " (converted legacy files)");
  return t;
}

Status Tokenizer::set_truncation(std::optional<TruncationParams> params) {
  if (params && impl_) {
    size_t added = impl_->post_processor ? impl_->post_processor->added_tokens(false) : 0;
    if (params->max_length > added && params->stride >= params->max_length - added) {
      return invalid_argument("truncation stride (" + std::to_string(params->stride) +
                              ") must be smaller than max_length minus the special tokens added (" +
                              std::to_string(params->max_length - added) + ")");
    }
  }
  truncation_ = std::move(params);
  return ok_status();
}

Result<Encoding> Tokenizer::encode_impl(std::string_view text, const std::string_view* pair,
                                        const EncodeOptions& options) const {
  ONYX_RETURN_IF_ERROR(detail::validate_utf8(text));
  if (pair != nullptr) ONYX_RETURN_IF_ERROR(detail::validate_utf8(*pair).with_context("pair"));
  ONYX_ASSIGN_OR_RETURN(Encoding enc, impl_->encode_sequence(text, 0, options.offset_type, truncation_ ? &*truncation_ : nullptr));
  std::optional<Encoding> pair_enc;
  if (pair != nullptr) {
    ONYX_ASSIGN_OR_RETURN(Encoding p, impl_->encode_sequence(*pair, 1, options.offset_type, truncation_ ? &*truncation_ : nullptr));
    pair_enc = std::move(p);
  }
  // 1. Truncation, leaving room for the special tokens.
  if (truncation_) {
    TruncationParams t = *truncation_;
    size_t added = impl_->post_processor ? impl_->post_processor->added_tokens(pair_enc.has_value()) : 0;
    if (options.add_special_tokens && added > 0) t.max_length = t.max_length > added ? t.max_length - added : 0;
    if (t.max_length == 0) {
      detail::truncate_encoding(enc, 0, t.stride, t.direction);
      if (pair_enc) detail::truncate_encoding(*pair_enc, 0, t.stride, t.direction);
    } else if (t.stride >= t.max_length) {
      return invalid_argument("truncation stride must be smaller than max_length minus the special tokens");
    } else {
      size_t total = enc.size() + (pair_enc ? pair_enc->size() : 0);
      if (total > t.max_length) {
        size_t to_remove = total - t.max_length;
        if (t.strategy == TruncationStrategy::kLongestFirst) {
          if (pair_enc) {
            size_t n1 = enc.size(), n2 = pair_enc->size();
            bool swap = n1 > n2;
            if (swap) std::swap(n1, n2);
            n2 = n1 > t.max_length ? n1 : std::max(n1, t.max_length - n1);
            if (n1 + n2 > t.max_length) {
              n1 = t.max_length / 2;
              n2 = n1 + t.max_length % 2;
            }
            if (swap) std::swap(n1, n2);
            detail::truncate_encoding(enc, n1, t.stride, t.direction);
            detail::truncate_encoding(*pair_enc, n2, t.stride, t.direction);
          } else {
            detail::truncate_encoding(enc, total - to_remove, t.stride, t.direction);
          }
        } else {
          Encoding* target = t.strategy == TruncationStrategy::kOnlyFirst ? &enc : (pair_enc ? &*pair_enc : nullptr);
          if (target == nullptr) return invalid_argument("truncation strategy only_second needs a pair");
          if (target->size() <= to_remove) {
            return invalid_argument("truncation: the sequence to truncate is too short to respect max_length");
          }
          detail::truncate_encoding(*target, target->size() - to_remove, t.stride, t.direction);
        }
      }
    }
  }
  // 2. Post-processing (special tokens, type ids, merge).
  ONYX_ASSIGN_OR_RETURN(Encoding out, detail::run_post_processor(impl_->post_processor.get(), std::move(enc),
                                                                 std::move(pair_enc), options.add_special_tokens));
  // 3. Padding of this encoding alone (batch padding happens in encode_batch).
  if (padding_) {
    size_t target = padding_->fixed_length.value_or(out.size());
    size_t m = padding_->pad_to_multiple_of;
    if (m > 0 && target % m != 0) target += m - target % m;
    detail::pad_encoding(out, target, padding_->pad_id, padding_->pad_type_id, padding_->pad_token,
                         padding_->direction);
  }
  return out;
}

Result<Encoding> Tokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  return encode_impl(text, nullptr, options);
}

Result<Encoding> Tokenizer::encode_pair(std::string_view text, std::string_view pair,
                                        const EncodeOptions& options) const {
  return encode_impl(text, &pair, options);
}

Result<std::vector<Encoding>> Tokenizer::encode_batch(std::span<const EncodeInput> inputs, const EncodeOptions& options,
                                                      size_t num_threads) const {
  std::vector<std::optional<Encoding>> results(inputs.size());
  std::vector<Status> errors(inputs.size());
  if (num_threads == 0) num_threads = std::max(1u, std::thread::hardware_concurrency());
  num_threads = std::min(num_threads, std::max<size_t>(1, inputs.size()));
  auto work = [&](size_t t) {
    for (size_t i = t; i < inputs.size(); i += num_threads) {
      std::string_view pair;
      if (inputs[i].pair) pair = *inputs[i].pair;
      auto r = encode_impl(inputs[i].text, inputs[i].pair ? &pair : nullptr, options);
      if (r.ok()) {
        results[i] = std::move(r).value();
      } else {
        errors[i] = r.status();
      }
    }
  };
  if (num_threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    for (size_t t = 0; t < num_threads; ++t) threads.emplace_back(work, t);
    for (auto& th : threads) th.join();
  }
  std::vector<Encoding> out;
  out.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!errors[i].ok()) return errors[i].with_context("batch input " + std::to_string(i));
    out.push_back(std::move(*results[i]));
  }
  if (padding_ && !out.empty()) {
    size_t target = padding_->fixed_length.value_or(0);
    if (!padding_->fixed_length) {
      for (const Encoding& e : out) target = std::max(target, e.size());
    }
    size_t m = padding_->pad_to_multiple_of;
    if (m > 0 && target % m != 0) target += m - target % m;
    for (Encoding& e : out) {
      detail::pad_encoding(e, target, padding_->pad_id, padding_->pad_type_id, padding_->pad_token, padding_->direction);
    }
  }
  return out;
}

Result<std::vector<Encoding>> Tokenizer::encode_batch(std::span<const std::string> texts, const EncodeOptions& options,
                                                      size_t num_threads) const {
  std::vector<EncodeInput> inputs;
  inputs.reserve(texts.size());
  for (const auto& t : texts) inputs.push_back({t, std::nullopt});
  return encode_batch(std::span<const EncodeInput>(inputs), options, num_threads);
}

Result<std::string> Tokenizer::decode(std::span<const uint32_t> ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (uint32_t id : ids) {
    std::optional<std::string> tok;
    if (const detail::AddedToken* a = impl_->added.find_id(id)) {
      tok = a->content;
    } else {
      tok = impl_->model->id_to_token(id);
    }
    if (!tok) continue;
    if (skip_special_tokens && impl_->added.is_special(*tok)) continue;
    tokens.push_back(std::move(*tok));
  }
  if (!impl_->decoder) {
    std::string out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) out += ' ';
      out += tokens[i];
    }
    return out;
  }
  ONYX_RETURN_IF_ERROR(impl_->decoder->decode_chain(tokens));
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

std::optional<uint32_t> Tokenizer::token_to_id(std::string_view token) const {
  if (auto id = impl_->added.token_to_id(token)) return id;
  return impl_->model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(uint32_t id) const {
  if (const detail::AddedToken* a = impl_->added.find_id(id)) return a->content;
  return impl_->model->id_to_token(id);
}

size_t Tokenizer::vocab_size(bool with_added_tokens) const {
  size_t n = impl_->model->vocab_size();
  return with_added_tokens ? n + impl_->added.count_outside_model(*impl_->model) : n;
}

}  // namespace onyx::tok
