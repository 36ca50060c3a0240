// Unit tests per component, on small hand-made tokenizer.json documents. Expected values were
// checked against the Rust tokenizers 0.23.2 Node binding (tools/node/node_modules/tokenizers).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "normalized_string.h"
#include "onyx/tokenizer.h"
#include "pattern.h"

namespace onyx::tok {
namespace {

Tokenizer load(const std::string& json) {
  auto t = Tokenizer::from_json(json);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return std::move(t).value();
}

TEST(NormalizedString, LowercaseKeepsAlignment) {
  detail::NormalizedString n("AİB");
  n.lowercase();
  EXPECT_EQ(n.get(), "ai\xcc\x87" "b");
  auto r = n.normalized_to_original({1, 4});  // "i̇" comes from "İ" (bytes 1..3)
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, (detail::Range{1, 3}));
}

TEST(NormalizedString, NfdThenFilterMarks) {
  detail::NormalizedString n("é!");
  n.normalize_form(detail::NormForm::kNfd);
  EXPECT_EQ(n.get(), "e\xcc\x81!");
  n.filter([](char32_t c) { return !detail::is_mark_nonspacing(c); });
  EXPECT_EQ(n.get(), "e!");
  EXPECT_EQ(*n.normalized_to_original({0, 1}), (detail::Range{0, 2}));
  EXPECT_EQ(*n.normalized_to_original({1, 2}), (detail::Range{2, 3}));
}

TEST(NormalizedString, NfcComposes) {
  detail::NormalizedString n("e\xcc\x81");
  n.normalize_form(detail::NormForm::kNfc);
  EXPECT_EQ(n.get(), "é");
}

// Replacement content takes the alignment of the last byte of its match (tokenizers' replace);
// the one-pass replace must keep that for adjacent matches too.
TEST(NormalizedString, ReplaceAlignsContentToMatchEnd) {
  detail::NormalizedString n("a  b   c");
  n.replace({{0, 1, false}, {1, 3, true}, {3, 4, false}, {4, 7, true}, {7, 8, false}}, "_");
  EXPECT_EQ(n.get(), "a_b_c");
  EXPECT_EQ(*n.normalized_to_original({1, 2}), (detail::Range{2, 3}));
  EXPECT_EQ(*n.normalized_to_original({3, 4}), (detail::Range{6, 7}));
  EXPECT_EQ(*n.normalized_to_original({4, 5}), (detail::Range{7, 8}));
  detail::NormalizedString m("xy");
  m.replace({{0, 1, true}, {1, 2, true}}, "\xe2\x96\x81");  // adjacent matches, multi-byte content
  EXPECT_EQ(m.get(), "\xe2\x96\x81\xe2\x96\x81");
  EXPECT_EQ(*m.normalized_to_original({0, 3}), (detail::Range{0, 1}));
  EXPECT_EQ(*m.normalized_to_original({3, 6}), (detail::Range{1, 2}));
}

TEST(NormalizedString, SplitBehaviors) {
  detail::NormalizedString n("the-final--countdown");
  auto matches = detail::find_char_matches(n.get(), [](char32_t c) { return c == '-'; });
  auto collect = [&](detail::SplitBehavior b) {
    std::vector<std::string> out;
    for (const auto& p : n.split(matches, b)) out.push_back(p.get());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(collect(detail::SplitBehavior::kRemoved), (V{"the", "final", "countdown"}));
  EXPECT_EQ(collect(detail::SplitBehavior::kIsolated), (V{"the", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(collect(detail::SplitBehavior::kMergedWithPrevious), (V{"the-", "final-", "-", "countdown"}));
  EXPECT_EQ(collect(detail::SplitBehavior::kMergedWithNext), (V{"the", "-final", "-", "-countdown"}));
  EXPECT_EQ(collect(detail::SplitBehavior::kContiguous), (V{"the", "-", "final", "--", "countdown"}));
}

TEST(Gpt2Pattern, SplitsLikeTheLookaheadRegex) {
  std::string s = "Hello there       dear  \n it's 123 ok!!  ";
  std::vector<std::string> got;
  for (auto [a, b] : detail::gpt2_spans(s)) got.push_back(s.substr(a, b - a));
  using V = std::vector<std::string>;
  EXPECT_EQ(got, (V{"Hello", " there", "      ", " dear", "  \n", " it", "'s", " 123", " ok", "!!", "  "}));
}

TEST(Pattern, Re2RegexAndUnsupportedLookahead) {
  auto p = detail::Pattern::create(" {2,}", true);
  ASSERT_TRUE(p.ok());
  auto m = (*p)->find_matches("a  b c   d");
  size_t hits = 0;
  for (const auto& x : m) hits += x.is_match;
  EXPECT_EQ(hits, 2u);
  auto bad = detail::Pattern::create(R"(a(?=b))", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotImplemented);
}

const char* kWordPiece = R"({
  "added_tokens": [{"id": 0, "content": "[UNK]", "special": true, "normalized": false},
                   {"id": 1, "content": "[CLS]", "special": true, "normalized": false},
                   {"id": 2, "content": "[SEP]", "special": true, "normalized": false}],
  "normalizer": {"type": "BertNormalizer", "lowercase": true, "strip_accents": null},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
  "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "max_input_chars_per_word": 10,
            "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "un": 3, "##aff": 4, "##able": 5, "cafe": 6, "!": 7}}})";

TEST(WordPiece, GreedyLongestMatchAndUnknown) {
  Tokenizer t = load(kWordPiece);
  auto e = t.encode("Unaffable CAFÉ! toolongword");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ids, (std::vector<uint32_t>{1, 3, 4, 5, 6, 7, 0, 2}));
  EXPECT_EQ(e->offsets[1], (Offsets{0, 2}));
  EXPECT_EQ(e->offsets[3], (Offsets{5, 9}));
  EXPECT_EQ(e->offsets[4], (Offsets{10, 14}));  // char offsets: É is one char
  EXPECT_EQ(e->offsets[6], (Offsets{16, 27}));
  auto bytes = t.encode("Unaffable CAFÉ! toolongword", EncodeOptions{true, OffsetType::kByte});
  EXPECT_EQ(bytes->offsets[4], (Offsets{10, 15}));  // É is two bytes
  auto d = t.decode(e->ids, true);
  EXPECT_EQ(*d, "unaffable cafe!");  // [UNK] is special: skipped, as in Rust
}

TEST(Truncation, PairLongestFirstWithStride) {
  Tokenizer t = load(kWordPiece);
  ASSERT_TRUE(t.set_truncation(TruncationParams{7, 1, TruncationStrategy::kLongestFirst, Direction::kRight}).ok());
  auto e = t.encode_pair("unaffable unaffable", "cafe cafe cafe");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->size(), 7u);
  EXPECT_FALSE(e->overflowing.empty());
  EXPECT_FALSE(t.set_truncation(TruncationParams{4, 2, TruncationStrategy::kLongestFirst, Direction::kRight}).ok());
}

TEST(Padding, LeftToMultiple) {
  Tokenizer t = load(kWordPiece);
  PaddingParams p;
  p.pad_id = 0;
  p.pad_token = "[UNK]";
  p.direction = Direction::kLeft;
  p.pad_to_multiple_of = 4;
  t.set_padding(p);
  std::vector<std::string> batch = {"cafe", "cafe cafe cafe cafe"};
  auto b = t.encode_batch(std::span<const std::string>(batch), {}, 2);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[0].size(), 8u);
  EXPECT_EQ((*b)[0].attention_mask, (std::vector<uint32_t>{0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ((*b)[1].size(), 8u);
}

TEST(Unigram, ViterbiAndFusedUnknown) {
  Tokenizer t = load(R"({"model": {"type": "Unigram", "unk_id": 0,
      "vocab": [["<unk>", 0], ["a", -1], ["b", -1], ["ab", -1.5], ["c", -3]]},
      "pre_tokenizer": {"type": "Metaspace", "replacement": "_", "prepend_scheme": "never"}})");
  auto e = t.encode("abcab", EncodeOptions{false});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"ab", "c", "ab"}));
  auto u = t.encode("zzab", EncodeOptions{false});
  EXPECT_EQ(u->tokens, (std::vector<std::string>{"zz", "ab"}));
  EXPECT_EQ(u->ids, (std::vector<uint32_t>{0, 3}));
}

TEST(Bpe, MergesByRankAndByteFallback) {
  Tokenizer t = load(R"({"model": {"type": "BPE", "byte_fallback": true, "unk_token": null,
      "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4, "abc": 5, "<0xC3>": 6, "<0xA9>": 7},
      "merges": ["b c", "a b", "a bc"]},
      "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]}})");
  auto e = t.encode("abcé", EncodeOptions{false});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"abc", "<0xC3>", "<0xA9>"}));
  EXPECT_EQ(*t.decode(e->ids, false), "abcé");
}

TEST(AddedTokens, LstripRstripSingleWord) {
  Tokenizer t = load(R"({"added_tokens": [
      {"id": 10, "content": "<mask>", "lstrip": true, "rstrip": true, "single_word": true, "normalized": false, "special": true}],
      "pre_tokenizer": {"type": "WhitespaceSplit"},
      "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1, "b": 2}}})");
  auto e = t.encode("a <mask> b a<mask>b", EncodeOptions{false});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ids, (std::vector<uint32_t>{1, 10, 2, 0}));
  EXPECT_EQ(e->offsets[1], (Offsets{1, 9}));
}

TEST(Loader, ErrorsAreStatuses) {
  EXPECT_FALSE(Tokenizer::from_json("{not json").ok());
  EXPECT_FALSE(Tokenizer::from_json(R"({"model": {"type": "Nope"}})").ok());
  EXPECT_EQ(Tokenizer::from_file("/nonexistent/tokenizer.json").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Tokenizer::from_directory("/nonexistent").ok());
}

// A truncated or garbage SentencePiece .model is an InvalidModel Status, never a crash.
TEST(Loader, BrokenSentencePieceModelIsAnError) {
  std::ifstream in(std::string(ONYX_TOK_SHARED_DIR) + "/barthez-sentencepiece/sentencepiece.bpe.model", std::ios::binary);
  std::string model((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(model.size(), 1000u);
  const std::string path = ::testing::TempDir() + "/onyx_broken.model";
  for (const std::string& bytes : {model.substr(0, 1000), std::string("\xff\xff\xff\xff\x0f garbage"), std::string()}) {
    std::ofstream(path, std::ios::binary) << bytes;
    auto r = Tokenizer::convert_sentencepiece_model(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidModel) << r.status().to_string();
  }
  EXPECT_EQ(Tokenizer::convert_sentencepiece_model("/nonexistent.model").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace onyx::tok
