#include "added_vocabulary.h"

#include <algorithm>

namespace onyx::tok::detail {

void AddedVocabulary::Matcher::insert(std::string_view key, int32_t token) {
  if (key.empty()) return;
  empty = false;
  uint32_t n = 0;
  for (unsigned char c : key) {
    auto& ch = nodes[n].children;
    auto it = std::find_if(ch.begin(), ch.end(), [c](const auto& p) { return p.first == c; });
    if (it != ch.end()) {
      n = it->second;
    } else {
      auto next = static_cast<uint32_t>(nodes.size());
      ch.emplace_back(c, next);
      nodes.emplace_back();
      n = next;
    }
  }
  if (nodes[n].token < 0) nodes[n].token = token;
}

std::vector<std::tuple<size_t, size_t, int32_t>> AddedVocabulary::Matcher::find_all(std::string_view s) const {
  std::vector<std::tuple<size_t, size_t, int32_t>> out;
  if (empty) return out;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t n = 0;
    size_t best_end = 0;
    int32_t best = -1;
    for (size_t k = i; k < s.size(); ++k) {
      const auto& ch = nodes[n].children;
      auto c = static_cast<unsigned char>(s[k]);
      auto it = std::find_if(ch.begin(), ch.end(), [c](const auto& p) { return p.first == c; });
      if (it == ch.end()) break;
      n = it->second;
      if (nodes[n].token >= 0) {
        best = nodes[n].token;
        best_end = k + 1;
      }
    }
    if (best >= 0) {
      out.emplace_back(i, best_end, best);
      i = best_end;
    } else {
      ++i;
    }
  }
  return out;
}

Status AddedVocabulary::init(std::vector<AddedToken> tokens, const Normalizer* normalizer) {
  tokens_.clear();
  for (AddedToken& t : tokens) {
    if (t.content.empty()) continue;
    auto it = by_content_.find(t.content);
    if (it != by_content_.end()) {
      tokens_[it->second] = t;
      by_id_[t.id] = it->second;
      continue;
    }
    by_content_[t.content] = tokens_.size();
    by_id_[t.id] = tokens_.size();
    tokens_.push_back(std::move(t));
  }
  // Special tokens are matched first (tokenizers chains special_tokens then added_tokens).
  std::vector<size_t> order(tokens_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_partition(order.begin(), order.end(), [&](size_t i) { return tokens_[i].special; });
  for (size_t i : order) {
    const AddedToken& t = tokens_[i];
    if (!t.normalized) {
      raw_.insert(t.content, static_cast<int32_t>(i));
      continue;
    }
    NormalizedString n(t.content);
    if (normalizer != nullptr) ONYX_RETURN_IF_ERROR(normalizer->normalize(n));
    normalized_.insert(n.get(), static_cast<int32_t>(i));
  }
  return ok_status();
}

std::optional<uint32_t> AddedVocabulary::token_to_id(std::string_view content) const {
  auto it = by_content_.find(std::string(content));
  return it == by_content_.end() ? std::nullopt : std::optional<uint32_t>(tokens_[it->second].id);
}

const AddedToken* AddedVocabulary::find_id(uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &tokens_[it->second];
}

bool AddedVocabulary::is_special(std::string_view content) const {
  auto it = by_content_.find(std::string(content));
  return it != by_content_.end() && tokens_[it->second].special;
}

namespace {

// The char that ends s (valid UTF-8, non-empty).
char32_t last_char(std::string_view s) {
  size_t b = s.size() - 1;
  while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
  return next_char(s, b);
}

}  // namespace

std::vector<std::pair<Range, int32_t>> AddedVocabulary::find_matches(std::string_view s, const Matcher& m) const {
  std::vector<std::pair<Range, int32_t>> splits;
  if (s.empty()) {
    splits.push_back({{0, 0}, -1});
    return splits;
  }
  size_t start_offset = 0;
  for (auto [start, stop, tok] : m.find_all(s)) {
    const AddedToken& t = tokens_[static_cast<size_t>(tok)];
    if (t.single_word) {
      bool start_space = start == 0 || !is_word_char(last_char(s.substr(0, start)));
      size_t k = stop;
      bool stop_space = stop == s.size() || !is_word_char(next_char(s, k));
      if (!start_space || !stop_space) continue;
    }
    if (t.lstrip) {
      size_t newstart = start;
      while (newstart > 0) {
        size_t b = newstart - 1;
        while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80) --b;
        size_t k = b;
        if (!is_whitespace(next_char(s, k))) break;
        newstart = b;
      }
      start = std::max(newstart, start_offset);
    }
    if (t.rstrip) {
      while (stop < s.size()) {
        size_t k = stop;
        if (!is_whitespace(next_char(s, k))) break;
        stop = k;
      }
    }
    if (start_offset < start) splits.push_back({{start_offset, start}, -1});
    splits.push_back({{start, stop}, tok});
    start_offset = stop;
  }
  if (start_offset != s.size()) splits.push_back({{start_offset, s.size()}, -1});
  return splits;
}

Result<PreTokenizedString> AddedVocabulary::extract_and_normalize(const Normalizer* normalizer,
                                                                  std::string_view text) const {
  PreTokenizedString pre(text);
  for (int pass = 0; pass < 2; ++pass) {
    const Matcher& m = pass == 0 ? raw_ : normalized_;
    const Normalizer* norm = pass == 0 ? nullptr : normalizer;
    // Split, then mark the pieces that are added tokens.
    std::vector<Split>& before = pre.splits();
    std::vector<Split> next;
    for (Split& s : before) {
      if (s.tokens) {
        next.push_back(std::move(s));
        continue;
      }
      NormalizedString n = std::move(s.normalized);
      if (norm != nullptr) ONYX_RETURN_IF_ERROR(norm->normalize(n));
      for (const auto& [range, tok] : find_matches(n.get(), m)) {
        auto piece = n.slice(range);
        if (!piece) return internal_error("added vocabulary split is not on a char boundary");
        if (piece->empty()) continue;
        Split out{std::move(*piece), std::nullopt};
        if (tok >= 0) {
          const AddedToken& t = tokens_[static_cast<size_t>(tok)];
          out.tokens = std::vector<Token>{{t.id, out.normalized.get(), {0, out.normalized.size()}}};
        }
        next.push_back(std::move(out));
      }
    }
    before = std::move(next);
  }
  return pre;
}

}  // namespace onyx::tok::detail
