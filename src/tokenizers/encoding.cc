// Encoding operations: merge, truncate (with stride), pad, sequence ids; and the generic
// post-processing driver. Ports of tokenizers' Encoding methods.
#include <algorithm>

#include "components.h"

namespace onyx::tok {

std::vector<int> Encoding::sequence_ids() const {
  std::vector<int> out(ids.size(), -1);
  if (sequence_ranges.empty()) {
    std::fill(out.begin(), out.end(), 0);
    return out;
  }
  for (const SequenceRange& r : sequence_ranges) {
    for (size_t i = r.begin; i < r.end && i < out.size(); ++i) out[i] = static_cast<int>(r.sequence_id);
  }
  return out;
}

}  // namespace onyx::tok

namespace onyx::tok::detail {

void set_sequence_id(Encoding& e, size_t id) {
  for (auto& r : e.sequence_ranges) {
    if (r.sequence_id == id) {
      r.begin = 0;
      r.end = e.size();
      return;
    }
  }
  e.sequence_ranges.push_back({id, 0, e.size()});
}

void merge_encoding(Encoding& self, Encoding pair, bool growing_offsets) {
  std::vector<Encoding> overflowings;
  for (const Encoding& self_o : self.overflowing) {
    Encoding n = self_o;
    merge_encoding(n, pair, growing_offsets);
    overflowings.push_back(std::move(n));
    for (const Encoding& other_o : pair.overflowing) {
      Encoding m = self_o;
      merge_encoding(m, other_o, growing_offsets);
      overflowings.push_back(std::move(m));
    }
  }
  for (const Encoding& other_o : pair.overflowing) {
    Encoding n = self;
    merge_encoding(n, other_o, growing_offsets);
    overflowings.push_back(std::move(n));
  }
  size_t base = self.size();
  for (const SequenceRange& r : pair.sequence_ranges) {
    SequenceRange shifted{r.sequence_id, base + r.begin, base + r.end};
    auto it = std::find_if(self.sequence_ranges.begin(), self.sequence_ranges.end(),
                           [&](const SequenceRange& x) { return x.sequence_id == r.sequence_id; });
    if (it != self.sequence_ranges.end()) {
      *it = shifted;
    } else {
      self.sequence_ranges.push_back(shifted);
    }
  }
  size_t start = growing_offsets && !self.offsets.empty() ? self.offsets.back().second : 0;
  auto append = [](auto& a, auto& b) { a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end())); };
  append(self.ids, pair.ids);
  append(self.type_ids, pair.type_ids);
  append(self.tokens, pair.tokens);
  append(self.words, pair.words);
  for (const Offsets& o : pair.offsets) self.offsets.emplace_back(o.first + start, o.second + start);
  append(self.special_tokens_mask, pair.special_tokens_mask);
  append(self.attention_mask, pair.attention_mask);
  self.overflowing = std::move(overflowings);
}

static Encoding slice_encoding(const Encoding& e, size_t start, size_t stop) {
  Encoding out;
  auto cut = [&](const auto& v) { return std::decay_t<decltype(v)>(v.begin() + start, v.begin() + stop); };
  out.ids = cut(e.ids);
  out.type_ids = cut(e.type_ids);
  out.tokens = cut(e.tokens);
  out.words = cut(e.words);
  out.offsets = cut(e.offsets);
  out.special_tokens_mask = cut(e.special_tokens_mask);
  out.attention_mask = cut(e.attention_mask);
  return out;
}

void truncate_encoding(Encoding& e, size_t max_len, size_t stride, Direction direction) {
  const size_t len = e.size();
  if (max_len >= len) return;
  if (max_len == 0) {
    Encoding old = std::move(e);
    e = Encoding();
    e.overflowing.push_back(std::move(old));
    return;
  }
  // stride < max_len is checked by set_truncation.
  e.sequence_ranges.clear();
  const size_t step = max_len - stride;
  std::vector<std::pair<size_t, size_t>> parts;
  bool end = false;
  if (direction == Direction::kRight) {
    for (size_t start = 0; start < len && !end; start += step) {
      size_t stop = std::min(start + max_len, len);
      end = stop == len;
      parts.emplace_back(start, stop);
    }
  } else {
    // (0..len).rev().step_by(step): stop values len-1, len-1-step, ...
    for (size_t k = 0; k * step < len; ++k) {
      size_t stop = len - 1 - k * step + 1;
      size_t start = stop < max_len ? 0 : stop - max_len;
      if (start < stop && !end) {
        end = start == 0;
        parts.emplace_back(start, stop);
      }
    }
  }
  Encoding result = slice_encoding(e, parts[0].first, parts[0].second);
  for (size_t i = 1; i < parts.size(); ++i) result.overflowing.push_back(slice_encoding(e, parts[i].first, parts[i].second));
  e = std::move(result);
}

void pad_encoding(Encoding& e, size_t target, uint32_t pad_id, uint32_t pad_type_id, const std::string& pad_token,
                  Direction direction) {
  for (Encoding& o : e.overflowing) pad_encoding(o, target, pad_id, pad_type_id, pad_token, direction);
  if (e.size() >= target) return;
  size_t n = target - e.size();
  auto pad = [&](auto& v, const auto& value) {
    if (direction == Direction::kLeft) {
      v.insert(v.begin(), n, value);
    } else {
      v.insert(v.end(), n, value);
    }
  };
  pad(e.ids, pad_id);
  pad(e.type_ids, pad_type_id);
  pad(e.tokens, pad_token);
  pad(e.words, std::optional<uint32_t>());
  pad(e.attention_mask, 0u);
  pad(e.special_tokens_mask, 1u);
  pad(e.offsets, Offsets{0, 0});
  if (direction == Direction::kLeft) {
    for (auto& r : e.sequence_ranges) {
      r.begin += n;
      r.end += n;
    }
  }
}

Result<Encoding> run_post_processor(const PostProcessor* p, Encoding encoding, std::optional<Encoding> pair,
                                    bool add_special_tokens) {
  std::vector<Encoding> encs;
  encs.push_back(std::move(encoding));
  if (pair) encs.push_back(std::move(*pair));
  if (p == nullptr) {
    if (encs.size() == 1) return std::move(encs[0]);
    Encoding merged;
    for (size_t i = 0; i < encs.size(); ++i) {
      set_sequence_id(encs[i], i);
      merge_encoding(merged, std::move(encs[i]), false);
    }
    return merged;
  }
  for (size_t i = 0; i < encs.size(); ++i) {
    set_sequence_id(encs[i], i);
    for (Encoding& o : encs[i].overflowing) set_sequence_id(o, i);
    encs[i].type_ids.assign(encs[i].size(), static_cast<uint32_t>(i));
  }
  ONYX_RETURN_IF_ERROR(p->process_encodings(encs, add_special_tokens));
  Encoding merged;
  for (Encoding& e : encs) merge_encoding(merged, std::move(e), false);
  return merged;
}

}  // namespace onyx::tok::detail
