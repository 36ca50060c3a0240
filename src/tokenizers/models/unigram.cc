// Unigram model: Viterbi best segmentation over a byte trie of the pieces (tokenizers'
// encode_optimized), unknown chars scored min_score - 10 and fused, optional byte fallback.
#include <algorithm>
#include <limits>

#include "models.h"
#include "word_cache.h"

namespace onyx::tok::detail {
namespace {

constexpr double kUnkPenalty = 10.0;

// Byte trie; node 0 is the root. Children are kept sorted by byte.
class Trie {
 public:
  Trie() : nodes_(1) {}
  void insert(std::string_view key, uint32_t id) {
    uint32_t n = 0;
    for (unsigned char c : key) {
      auto& ch = nodes_[n].children;
      auto it = std::lower_bound(ch.begin(), ch.end(), c, [](const auto& p, unsigned char v) { return p.first < v; });
      if (it != ch.end() && it->first == c) {
        n = it->second;
      } else {
        auto next = static_cast<uint32_t>(nodes_.size());
        ch.insert(it, {c, next});
        nodes_.emplace_back();
        n = next;
      }
    }
    if (nodes_[n].id < 0) nodes_[n].id = static_cast<int64_t>(id);
  }
  // Calls f(length, id) for every key that is a prefix of s, shortest first.
  template <typename F>
  void common_prefix_search(std::string_view s, F f) const {
    uint32_t n = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const auto& ch = nodes_[n].children;
      auto c = static_cast<unsigned char>(s[i]);
      auto it = std::lower_bound(ch.begin(), ch.end(), c, [](const auto& p, unsigned char v) { return p.first < v; });
      if (it == ch.end() || it->first != c) return;
      n = it->second;
      if (nodes_[n].id >= 0) f(i + 1, static_cast<uint32_t>(nodes_[n].id));
    }
  }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, uint32_t>> children;
    int64_t id = -1;
  };
  std::vector<Node> nodes_;
};

class Unigram final : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<uint32_t> unk_id, bool byte_fallback,
          bool fuse_unk)
      : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback), fuse_unk_(fuse_unk) {
    min_score_ = std::numeric_limits<double>::max();
    for (size_t i = 0; i < pieces_.size(); ++i) {
      vocab_.insert_or_assign(pieces_[i].first, static_cast<uint32_t>(i));  // last occurrence wins, as in Rust
      min_score_ = std::min(min_score_, pieces_[i].second);
    }
    for (const auto& [piece, id] : vocab_) trie_.insert(piece, id);
  }

  Status tokenize(std::string_view s, std::vector<Token>& out) const override {
    if (s.empty()) return ok_status();
    if (cache_.get(s, out)) return ok_status();
    std::vector<Piece> strs;
    ONYX_RETURN_IF_ERROR(encode(s, strs));
    const size_t first = out.size();
    size_t offset = 0;
    char code[8];
    for (const auto& [str, viterbi_id] : strs) {
      size_t len = str.size();
      auto it = viterbi_id ? vocab_.end() : vocab_.find(str);
      if (viterbi_id || it != vocab_.end()) {
        out.push_back({viterbi_id ? *viterbi_id : it->second, std::string(str), {offset, offset + len}});
        offset += len;
        continue;
      }
      if (byte_fallback_) {
        std::vector<Token> bytes;
        for (unsigned char b : str) {
          std::snprintf(code, sizeof code, "<0x%02X>", b);
          auto bit = vocab_.find(std::string_view(code));
          if (bit == vocab_.end()) break;
          bytes.push_back({bit->second, code, {offset, offset + len}});
        }
        if (bytes.size() == str.size()) {
          for (auto& t : bytes) out.push_back(std::move(t));
          offset += len;
          continue;
        }
      }
      if (!unk_id_) return invalid_model("Unigram: the text has an unknown piece and the model has no unk_id");
      out.push_back({*unk_id_, std::string(str), {offset, offset + len}});
      offset += len;
    }
    cache_.put(s, out.data() + first, out.size() - first);
    return ok_status();
  }

  std::optional<uint32_t> token_to_id(std::string_view t) const override {
    auto it = vocab_.find(t);
    return it == vocab_.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  }
  std::optional<std::string> id_to_token(uint32_t id) const override {
    if (id >= pieces_.size()) return std::nullopt;
    return pieces_[id].first;
  }
  size_t vocab_size() const override { return pieces_.size(); }

 private:
  // A piece of the best segmentation and its id, or none (an unknown, maybe fused, piece: its id
  // is looked up as tokenizers' Unigram::tokenize does).
  using Piece = std::pair<std::string_view, std::optional<uint32_t>>;

  struct Node {
    uint32_t id = 0;
    double score = 0;
    int64_t starts_at = -1;
  };

  Status encode(std::string_view s, std::vector<Piece>& out) const {
    const size_t size = s.size();
    const double unk_score = min_score_ - kUnkPenalty;
    std::vector<Node> best(size + 1);
    size_t starts_at = 0;
    while (starts_at < size) {
      double till_here = best[starts_at].score;
      size_t mblen = utf8_seq_len(static_cast<unsigned char>(s[starts_at]));
      bool has_single = false;
      trie_.common_prefix_search(s.substr(starts_at), [&](size_t length, uint32_t id) {
        Node& target = best[starts_at + length];
        double cand = pieces_[id].second + till_here;
        if (target.starts_at < 0 || cand > target.score) {
          target.score = cand;
          target.starts_at = static_cast<int64_t>(starts_at);
          target.id = id;
        }
        if (length == mblen) has_single = true;
      });
      if (!has_single) {
        if (!unk_id_) return invalid_model("Unigram: the text has an unknown char and the model has no unk_id");
        Node& target = best[starts_at + mblen];
        double cand = unk_score + till_here;
        if (target.starts_at < 0 || cand > target.score) {
          target.score = cand;
          target.starts_at = static_cast<int64_t>(starts_at);
          target.id = *unk_id_;
        }
      }
      starts_at += mblen;
    }
    // Backtrack; fuse consecutive unknowns.
    size_t ends_at = size;
    std::vector<Piece> rev;
    size_t unk_end = 0;
    bool in_unk = false;
    while (ends_at > 0) {
      const Node& node = best[ends_at];
      auto start = static_cast<size_t>(node.starts_at);
      if (fuse_unk_ && unk_id_ && node.id == *unk_id_) {
        if (!in_unk) {
          unk_end = ends_at;
          in_unk = true;
        }
      } else {
        if (in_unk) {
          rev.push_back({s.substr(ends_at, unk_end - ends_at), std::nullopt});
          in_unk = false;
        }
        const bool unk = unk_id_ && node.id == *unk_id_;
        rev.push_back({s.substr(start, ends_at - start), unk ? std::nullopt : std::optional<uint32_t>(node.id)});
      }
      ends_at = start;
    }
    if (in_unk) rev.push_back({s.substr(0, unk_end), std::nullopt});
    out.assign(rev.rbegin(), rev.rend());
    return ok_status();
  }

  std::vector<std::pair<std::string, double>> pieces_;
  Vocab vocab_;
  Trie trie_;
  std::optional<uint32_t> unk_id_;
  bool byte_fallback_;
  bool fuse_unk_;
  double min_score_;
  mutable WordCache cache_;
};

}  // namespace

Result<std::unique_ptr<Model>> make_unigram_model(const Json& j) {
  if (!j.contains("vocab") || !j["vocab"].is_array()) return invalid_model("Unigram model has no \"vocab\" array");
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(j["vocab"].size());
  for (const auto& p : j["vocab"]) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_number()) {
      return invalid_model("Unigram vocab entries must be [piece, score]");
    }
    pieces.emplace_back(p[0].get<std::string>(), p[1].get<double>());
  }
  std::optional<uint32_t> unk;
  if (j.contains("unk_id") && j["unk_id"].is_number_unsigned()) unk = j["unk_id"].get<uint32_t>();
  if (unk && *unk >= pieces.size()) return invalid_model("Unigram unk_id is outside the vocabulary");
  return std::unique_ptr<Model>(
      new Unigram(std::move(pieces), unk, json_bool(j, "byte_fallback", false), json_bool(j, "fuse_unk", true)));
}

}  // namespace onyx::tok::detail
