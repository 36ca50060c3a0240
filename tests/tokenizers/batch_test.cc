// encode_batch on several threads gives exactly the encodings of one-by-one encode, on the real
// tokenizers and the whole corpus: the threads share the models' word caches (run it under
// ONYX_SANITIZE=thread too).
#include <gtest/gtest.h>

#include "onyx/tokenizer.h"
#include "test_data.h"

namespace onyx::tok {
namespace {

class BatchTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BatchTest, ThreadsAgreeWithOneByOne) {
  auto loaded = Tokenizer::from_directory(testing::tokenizer_dir(GetParam()));
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  Tokenizer tok = std::move(loaded).value();
  tok.set_padding(std::nullopt);
  const auto& texts = testing::corpus();
  ASSERT_FALSE(texts.empty());
  // A fresh tokenizer per run would share nothing; this one's caches fill during the first batch.
  for (int round = 0; round < 2; ++round) {
    auto batch = tok.encode_batch(std::span<const std::string>(texts), EncodeOptions{}, 4);
    ASSERT_TRUE(batch.ok()) << batch.status().to_string();
    ASSERT_EQ(batch->size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      auto one = tok.encode(texts[i]);
      ASSERT_TRUE(one.ok()) << one.status().to_string();
      ASSERT_EQ((*batch)[i].ids, one->ids) << "text #" << i << " round " << round;
      ASSERT_EQ((*batch)[i].offsets, one->offsets) << "text #" << i << " round " << round;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CachedModels, BatchTest,
                         ::testing::Values("gpt2", "roberta-base", "pegasus-unigram", "barthez-sentencepiece"),
                         [](const auto& info) { return testing::test_name(info.param); });

}  // namespace
}  // namespace onyx::tok
