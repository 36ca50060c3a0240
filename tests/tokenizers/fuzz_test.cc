// Fuzz loop: random bytes and random Unicode through encode/encode_pair/decode of every shared
// tokenizer. Must not crash (and must be clean under -DONYX_SANITIZE=address,undefined).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "onyx/tokenizer.h"
#include "test_data.h"
#include "unicode.h"

namespace onyx::tok {
namespace {

std::string random_unicode(std::mt19937& rng, size_t n) {
  static const std::vector<std::pair<char32_t, char32_t>> ranges = {
      {0x00, 0x7F}, {0x80, 0x2FF}, {0x300, 0x36F}, {0x370, 0x52F}, {0x590, 0x6FF}, {0x900, 0x97F}, {0xE00, 0xE7F},
      {0x2000, 0x206F}, {0x3000, 0x30FF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0xFE00, 0xFFFD}, {0x1F300, 0x1FAFF},
      {0x20000, 0x2A6DF}, {0xE0000, 0xE007F}, {0x10FFF0, 0x10FFFF}};
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    const auto& [lo, hi] = ranges[rng() % ranges.size()];
    char32_t c = lo + rng() % (hi - lo + 1);
    if (c >= 0xD800 && c <= 0xDFFF) c = 'x';
    detail::append_utf8(s, c);
  }
  return s;
}

class FuzzTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzTest, RandomInputsNeverCrash) {
  auto loaded = Tokenizer::from_directory(testing::tokenizer_dir(GetParam()));
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  Tokenizer tok = std::move(loaded).value();
  ASSERT_TRUE(tok.set_truncation(TruncationParams{32, 4, TruncationStrategy::kLongestFirst, Direction::kRight}).ok());
  tok.set_padding(std::nullopt);  // bert-base-uncased pads to 128 otherwise
  std::mt19937 rng(1234);
  const auto& corpus = testing::corpus();
  size_t valid = 0;
  for (int iter = 0; iter < 400; ++iter) {
    std::string s;
    switch (iter % 4) {
      case 0:  // random bytes: mostly invalid UTF-8, must be an error, never UB
        for (size_t k = rng() % 40; k > 0; --k) s.push_back(static_cast<char>(rng() & 0xFF));
        break;
      case 1:
        s = random_unicode(rng, rng() % 60);
        break;
      case 2: {  // corpus text with random splices of special tokens and spaces
        s = corpus[rng() % corpus.size()];
        const char* inserts[] = {"[SEP]", "<mask>", "</s>", "<|endoftext|>", " ", "\u00a0", "\u200d", "\u0301"};
        for (int k = 0; k < 3 && !s.empty(); ++k) {
          size_t pos = rng() % s.size();
          while (pos > 0 && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) --pos;
          s.insert(pos, inserts[rng() % 8]);
        }
        break;
      }
      default:
        s = random_unicode(rng, 200 + rng() % 300);
    }
    auto e = tok.encode(s);
    if (!e.ok()) {
      EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << e.status().to_string();
      continue;
    }
    ++valid;
    for (const auto& o : e->offsets) EXPECT_LE(o.first, o.second);
    for (const auto& ov : e->overflowing) EXPECT_LE(ov.size(), 32u);
    auto d = tok.decode(e->ids, iter % 2 == 0);
    EXPECT_TRUE(d.ok());
    auto p = tok.encode_pair(s, corpus[rng() % corpus.size()]);
    EXPECT_TRUE(p.ok()) << p.status().to_string();
    // Random ids decode without crashing (unknown ids are skipped).
    std::vector<uint32_t> ids;
    for (int k = 0; k < 16; ++k) ids.push_back(rng() % (tok.vocab_size() + 10));
    EXPECT_TRUE(tok.decode(ids, false).ok());
  }
  EXPECT_GT(valid, 250u);
}

// Mutated SentencePiece .model files (byte flips, truncation): convert and load must give a
// Status or a tokenizer, never a crash.
TEST(FuzzSentencePieceModel, MutatedModelFilesNeverCrash) {
  std::ifstream in(testing::tokenizer_dir("barthez-sentencepiece") + "/sentencepiece.bpe.model", std::ios::binary);
  const std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(model.empty());
  const std::string path = ::testing::TempDir() + "/onyx_fuzz.model";
  std::mt19937 rng(1234);
  size_t loaded = 0;
  const int rounds = 16;
  for (int round = 0; round < rounds; ++round) {
    // Every 4th round truncates; the others flip 1-2 bytes anywhere (pieces, specs, charsmap).
    std::string bytes = model.substr(0, round % 4 == 0 ? rng() % model.size() : model.size());
    for (int k = 0; k <= round % 2 && !bytes.empty(); ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    auto json = Tokenizer::convert_sentencepiece_model(path);
    if (!json.ok()) continue;
    auto tok = Tokenizer::from_json(*json);
    if (!tok.ok()) continue;
    ++loaded;
    (void)tok->encode("Le chat est sur la table. \xe2\x80\x94 <mask> \xf0\x9f\x98\x80");
  }
  std::printf("[fuzz] %zu of %d mutated .model files still loaded\n", loaded, rounds);
}

INSTANTIATE_TEST_SUITE_P(AllTokenizers, FuzzTest, ::testing::ValuesIn(testing::tokenizer_names()),
                         [](const auto& info) { return testing::test_name(info.param); });

}  // namespace
}  // namespace onyx::tok
