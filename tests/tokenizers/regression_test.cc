// Regression tests, one per bug found against the goldens, on the real tokenizer files of
// ../shared/tokenizers. Expected values: the Rust tokenizers 0.23.2 Node binding
// (tools/node/node_modules/tokenizers), e.g. `Tokenizer.fromFile(f).encode(text)` for the
// offsets; the truncation case with truncation {max_length 6, LongestFirst, stride 0, Right}.
#include <gtest/gtest.h>

#include "onyx/tokenizer.h"
#include "test_data.h"

namespace onyx::tok {
namespace {

Tokenizer load_shared(const std::string& name) {
  auto t = Tokenizer::from_directory(testing::tokenizer_dir(name));
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return std::move(t).value();
}

std::vector<size_t> flat_offsets(const Encoding& e) {
  std::vector<size_t> out;
  for (const auto& [a, b] : e.offsets) {
    out.push_back(a);
    out.push_back(b);
  }
  return out;
}

// The Precompiled charsmap expands "ﬁ" to "fi": the first new char replaces the old one and only the
// last is an insertion (tokenizers' precompiled.rs `replace`). It used to mark the first as the
// insertion, which shifted every later offset.
TEST(PrecompiledRegression, ExpandedGraphemeKeepsOffsets) {
  Tokenizer t = load_shared("pegasus-unigram");
  auto e = t.encode("\xef\xac\x81 \xef\xac\x82 \xef\xac\x83 ligatures");  // "ﬁ ﬂ ﬃ ligatures"
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"▁fi", "▁fl", "▁", "ffi", "▁ligature", "s", "</s>"}));
  EXPECT_EQ(flat_offsets(*e), (std::vector<size_t>{0, 1, 2, 3, 4, 5, 4, 5, 6, 14, 14, 15, 0, 0}));
}

// A char the charsmap deletes (DEL -> "") is charged to the change pushed before it, so the chars
// after it keep their original offsets. It used to be dropped, shifting later offsets left by one.
TEST(PrecompiledRegression, DeletedCharKeepsLaterOffsets) {
  Tokenizer t = load_shared("pegasus-unigram");
  auto e = t.encode("del\x7f char");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"▁del", "▁char", "</s>"}));
  EXPECT_EQ(flat_offsets(*e), (std::vector<size_t>{0, 3, 5, 9, 0, 0}));
}

// With truncation, the reference stops tokenizing after the word whose model tokens reach
// max_length; added tokens count but never stop it, so "<mask> <mask> <mask> d" past the limit is
// kept. onyx used to stop before the added tokens, losing them from the overflowing windows.
TEST(TruncationRegression, AddedTokensAreNotAStoppingPoint) {
  Tokenizer t = load_shared("barthez-sentencepiece");
  ASSERT_TRUE(t.set_truncation(TruncationParams{6, 0, TruncationStrategy::kLongestFirst, Direction::kRight}).ok());
  t.set_padding(std::nullopt);
  auto e = t.encode("a b c <mask> <mask> <mask> d e f g h");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  EXPECT_EQ(e->tokens, (std::vector<std::string>{"<s>", "▁a", "▁b", "▁c", "<mask>", "</s>"}));
  ASSERT_EQ(e->overflowing.size(), 1u);
  EXPECT_EQ(e->overflowing[0].tokens, (std::vector<std::string>{"<s>", "<mask>", "<mask>", "▁d", "</s>"}));
}

}  // namespace
}  // namespace onyx::tok
