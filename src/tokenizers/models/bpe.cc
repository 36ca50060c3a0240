// BPE model: merges applied by rank (lowest first, leftmost on ties) with a priority queue, as in
// tokenizers' Word::merge_all; byte_fallback to <0xXX> tokens; fused unknowns.
#include <queue>

#include "models.h"
#include "word_cache.h"

namespace onyx::tok::detail {
namespace {

struct Symbol {
  uint32_t id;
  int32_t prev;
  int32_t next;
  uint32_t len;  // bytes of the original piece; 0 once merged away
};

struct MergeEntry {
  uint32_t rank;
  uint32_t pos;
  uint32_t new_id;
  bool operator<(const MergeEntry& o) const {  // max-heap -> smallest rank, then smallest pos on top
    return rank != o.rank ? rank > o.rank : pos > o.pos;
  }
};

struct MergeValue {
  uint32_t rank;
  uint32_t new_id;
};

class Bpe final : public Model {
 public:
  Bpe(VocabTable vocab, std::unordered_map<uint64_t, MergeValue> merges, std::optional<std::string> unk,
      std::string prefix, std::string suffix, bool fuse_unk, bool byte_fallback, bool ignore_merges)
      : vocab_(std::move(vocab)),
        merges_(std::move(merges)),
        unk_(std::move(unk)),
        prefix_(std::move(prefix)),
        suffix_(std::move(suffix)),
        fuse_unk_(fuse_unk),
        byte_fallback_(byte_fallback),
        ignore_merges_(ignore_merges) {}

  Status tokenize(std::string_view piece, std::vector<Token>& out) const override {
    if (piece.empty()) return ok_status();
    if (ignore_merges_) {
      if (auto id = vocab_.find(piece)) {
        out.push_back({*id, std::string(piece), {0, piece.size()}});
        return ok_status();
      }
    }
    if (cache_.get(piece, out)) return ok_status();
    std::vector<Symbol> word;
    ONYX_RETURN_IF_ERROR(build_word(piece, word));
    merge_all(word);
    const size_t first = out.size();
    size_t offset = 0;
    for (const Symbol& s : word) {
      if (s.len == 0) continue;
      out.push_back({s.id, s.id < vocab_.by_id.size() ? vocab_.by_id[s.id] : std::string(), {offset, offset + s.len}});
      offset += s.len;
    }
    cache_.put(piece, out.data() + first, out.size() - first);
    return ok_status();
  }

  std::optional<uint32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  std::optional<std::string> id_to_token(uint32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.map.size(); }

 private:
  void add(std::vector<Symbol>& w, uint32_t id, size_t len) const {
    int32_t n = static_cast<int32_t>(w.size());
    if (n > 0) w.back().next = n;
    w.push_back({id, n - 1, -1, static_cast<uint32_t>(len)});
  }

  Status build_word(std::string_view s, std::vector<Symbol>& w) const {
    w.reserve(s.size());
    // The pending unknown run: id and byte length (len 0: none). Plain fields rather than an
    // optional pair, which g++ 12 warns about as maybe-uninitialized.
    struct {
      uint32_t id = 0;
      size_t len = 0;
    } unk;
    std::string buf;
    for (size_t i = 0; i < s.size();) {
      size_t start = i;
      i += utf8_seq_len(static_cast<unsigned char>(s[i]));
      size_t byte_len = i - start;
      buf.clear();
      if (start != 0) buf += prefix_;
      buf.append(s.substr(start, byte_len));
      if (i >= s.size()) buf += suffix_;
      if (auto id = vocab_.find(buf)) {
        if (unk.len > 0) {
          add(w, unk.id, unk.len);
          unk.len = 0;
        }
        add(w, *id, byte_len);
        continue;
      }
      if (byte_fallback_) {
        std::vector<uint32_t> ids;
        char code[8];
        for (unsigned char b : buf) {
          std::snprintf(code, sizeof code, "<0x%02X>", b);
          auto id = vocab_.find(code);
          if (!id) break;
          ids.push_back(*id);
        }
        if (ids.size() == buf.size()) {
          for (uint32_t id : ids) add(w, id, 1);
          continue;
        }
      }
      if (unk_) {
        auto unk_id = vocab_.find(*unk_);
        if (!unk_id) return invalid_model("BPE: unk_token \"" + *unk_ + "\" is not in the vocabulary");
        if (unk.len > 0 && fuse_unk_) {
          unk.len += byte_len;
        } else {
          if (unk.len > 0) add(w, unk.id, unk.len);
          unk.id = *unk_id;
          unk.len = byte_len;
        }
      }
    }
    if (unk.len > 0) add(w, unk.id, unk.len);
    return ok_status();
  }

  const MergeValue* find_merge(uint32_t a, uint32_t b) const {
    auto it = merges_.find((static_cast<uint64_t>(a) << 32) | b);
    return it == merges_.end() ? nullptr : &it->second;
  }

  void merge_all(std::vector<Symbol>& w) const {
    std::vector<MergeEntry> heap_storage;
    heap_storage.reserve(w.size());
    std::priority_queue<MergeEntry> queue(std::less<MergeEntry>(), std::move(heap_storage));
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      if (const MergeValue* m = find_merge(w[i].id, w[i + 1].id)) {
        queue.push({m->rank, static_cast<uint32_t>(i), m->new_id});
      }
    }
    while (!queue.empty()) {
      MergeEntry top = queue.top();
      queue.pop();
      Symbol& cur = w[top.pos];
      if (cur.len == 0 || cur.next == -1) continue;
      Symbol right = w[static_cast<size_t>(cur.next)];
      const MergeValue* m = find_merge(cur.id, right.id);
      if (m == nullptr || m->new_id != top.new_id) continue;
      size_t next_pos = static_cast<size_t>(cur.next);
      cur.id = top.new_id;
      cur.len += right.len;
      cur.next = right.next;
      w[next_pos].len = 0;
      if (right.next > -1 && static_cast<size_t>(right.next) < w.size()) w[static_cast<size_t>(right.next)].prev = static_cast<int32_t>(top.pos);
      if (cur.prev >= 0) {
        const Symbol& prev = w[static_cast<size_t>(cur.prev)];
        if (const MergeValue* pm = find_merge(prev.id, cur.id)) {
          queue.push({pm->rank, static_cast<uint32_t>(cur.prev), pm->new_id});
        }
      }
      if (cur.next >= 0 && static_cast<size_t>(cur.next) < w.size()) {
        const Symbol& next = w[static_cast<size_t>(cur.next)];
        if (const MergeValue* nm = find_merge(cur.id, next.id)) queue.push({nm->rank, top.pos, nm->new_id});
      }
    }
  }

  VocabTable vocab_;
  std::unordered_map<uint64_t, MergeValue> merges_;
  std::optional<std::string> unk_;
  std::string prefix_;
  std::string suffix_;
  bool fuse_unk_, byte_fallback_, ignore_merges_;
  mutable WordCache cache_;
};

}  // namespace

Result<std::unique_ptr<Model>> make_bpe_model(const Json& j) {
  VocabTable vocab;
  ONYX_RETURN_IF_ERROR(read_vocab_object(j.contains("vocab") ? j["vocab"] : Json(), vocab).with_context("BPE"));
  std::string prefix = json_string(j, "continuing_subword_prefix");
  std::unordered_map<uint64_t, MergeValue> merges;
  if (j.contains("merges") && j["merges"].is_array()) {
    const Json& list = j["merges"];
    merges.reserve(list.size());
    uint32_t rank = 0;
    for (const auto& m : list) {
      std::string a, b;
      if (m.is_string()) {
        const std::string& line = m.get_ref<const std::string&>();
        size_t sp = line.find(' ');
        if (sp == std::string::npos) return invalid_model("BPE merge \"" + line + "\" is not \"a b\"");
        a = line.substr(0, sp);
        b = line.substr(sp + 1);
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        a = m[0].get<std::string>();
        b = m[1].get<std::string>();
      } else {
        return invalid_model("BPE merges must be \"a b\" strings or [a, b] pairs");
      }
      auto ia = vocab.find(a);
      auto ib = vocab.find(b);
      std::string merged = a + (b.compare(0, prefix.size(), prefix) == 0 ? b.substr(prefix.size()) : b);
      auto in = vocab.find(merged);
      if (!ia || !ib || !in) return invalid_model("BPE merge \"" + a + " " + b + "\" uses a token missing from the vocab");
      merges.insert_or_assign((static_cast<uint64_t>(*ia) << 32) | *ib, MergeValue{rank, *in});
      ++rank;
    }
  }
  std::optional<std::string> unk;
  if (j.contains("unk_token") && j["unk_token"].is_string()) unk = j["unk_token"].get<std::string>();
  return std::unique_ptr<Model>(new Bpe(std::move(vocab), std::move(merges), std::move(unk), prefix,
                                        json_string(j, "end_of_word_suffix"), json_bool(j, "fuse_unk", false),
                                        json_bool(j, "byte_fallback", false), json_bool(j, "ignore_merges", false)));
}

}  // namespace onyx::tok::detail
