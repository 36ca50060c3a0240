// word_cache.h: a bounded memo of a model's tokens per pre-tokenized word, as the caches of
// tokenizers' BPE and Unigram models (capacity 10,000 words; words of at most 256 bytes).
// Thread safety: get/put may be called from many threads. The cache is split in shards by hash,
// each behind its own reader-writer lock taken with try-locks, so threads rarely touch the same
// lock and a contended shard is skipped (a miss, or no insert), never waited on. Once a shard is
// full, nothing more is inserted into it.
#pragma once

#include <array>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models.h"

namespace onyx::tok::detail {

class WordCache {
 public:
  static constexpr size_t kCapacity = 10000;
  static constexpr size_t kMaxWordBytes = 256;

  // Appends the cached tokens of `word` to `out`; false (and `out` unchanged) on a miss.
  bool get(std::string_view word, std::vector<Token>& out) const {
    if (word.size() > kMaxWordBytes) return false;
    const Shard& s = shard(word);
    std::shared_lock lock(s.mu, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    auto it = s.map.find(word);
    if (it == s.map.end()) return false;
    out.insert(out.end(), it->second.begin(), it->second.end());
    return true;
  }

  // Remembers tokens [first, first + n) as the tokens of `word` (offsets relative to the word).
  void put(std::string_view word, const Token* first, size_t n) {
    if (word.size() > kMaxWordBytes) return;
    Shard& s = shard(word);
    std::unique_lock lock(s.mu, std::try_to_lock);
    if (!lock.owns_lock() || s.map.size() >= kCapacity / kShards) return;
    s.map.try_emplace(std::string(word), first, first + n);
  }

 private:
  static constexpr size_t kShards = 16;
  struct alignas(64) Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<std::string, std::vector<Token>, StringHash, std::equal_to<>> map;
  };
  // The shard index uses the top bits of the hash; the maps bucket by the low bits.
  Shard& shard(std::string_view word) { return shards_[(StringHash{}(word) >> 56) % kShards]; }
  const Shard& shard(std::string_view word) const { return shards_[(StringHash{}(word) >> 56) % kShards]; }

  std::array<Shard, kShards> shards_;
};

}  // namespace onyx::tok::detail
