// feature-extraction / sentence-embedding on tests/pipelines/data/distilbert_feature (made by
// scripts/pipelines/make_test_models.py): shapes, pooling, normalization, batched == one-by-one.
// Values are checked against transformers.js by the pipeline_tasks_vs_transformers_js ctest.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "onyx/pipeline.h"

namespace onyx {
namespace {

using Json = nlohmann::json;

const std::string kModel = std::string(ONYX_SOURCE_DIR) + "/tests/pipelines/data/distilbert_feature";

std::unique_ptr<Pipeline> make(const std::string& task, size_t batch_size = 8) {
  PipelineOptions o;
  o.threads = 1;
  o.batch_size = batch_size;
  auto p = Pipeline::create(task, kModel, o);
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return p.ok() ? std::move(p).value() : nullptr;
}

TEST(FeatureExtractionTest, TokenVectorsPerInputWithoutPadding) {
  auto p = make("feature-extraction");
  ASSERT_TRUE(p);
  auto r = p->run(std::vector<std::string>{"a good film", "a much longer sentence about a rather good film", ""});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto one = p->model().tokenizer.encode("a good film");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ((*r)[0].size(), 1u);              // [1][tokens][hidden]
  EXPECT_EQ((*r)[0][0].size(), one->size());  // no padding rows
  EXPECT_EQ((*r)[0][0][0].size(), 32u);       // dim
  EXPECT_EQ((*r)[2][0].size(), 2u);           // "" -> [CLS] [SEP]
}

TEST(FeatureExtractionTest, SentenceEmbeddingIsMeanPooledAndNormalized) {
  auto fe = make("feature-extraction");
  auto se = make("sentence-embedding");
  ASSERT_TRUE(fe && se);
  const std::string text = "an utterly charming movie";
  auto tokens = fe->run({Json(text)}, Json::object());
  auto emb = se->run({Json(text)}, Json::object());
  ASSERT_TRUE(tokens.ok() && emb.ok());
  const Json& t = (*tokens)[0][0];
  const Json& e = (*emb)[0][0];
  ASSERT_EQ(e.size(), 32u);
  std::vector<double> mean(32, 0.0);
  for (const auto& row : t)
    for (size_t k = 0; k < 32; ++k) mean[k] += row[k].get<double>() / t.size();
  double norm = 0;
  for (double v : mean) norm += v * v;
  norm = std::sqrt(norm);
  for (size_t k = 0; k < 32; ++k) EXPECT_NEAR(e[k].get<double>(), mean[k] / norm, 1e-5);
  auto cls = fe->run({Json(text)}, Json{{"pooling", "cls"}});
  ASSERT_TRUE(cls.ok());
  for (size_t k = 0; k < 32; ++k) EXPECT_NEAR((*cls)[0][0][k].get<double>(), t[0][k].get<double>(), 1e-7);
  EXPECT_FALSE(fe->run({Json(text)}, Json{{"pooling", "max"}}).ok());
  EXPECT_FALSE(fe->run({Json(3)}, Json::object()).ok());
}

TEST(FeatureExtractionTest, BatchedEqualsOneByOne) {
  auto pb = make("sentence-embedding", 3);
  auto ps = make("sentence-embedding", 1);
  ASSERT_TRUE(pb && ps);
  std::vector<std::string> texts{"good", "a long and winding road of a film , never quite arriving",
                                 "",     "bad",
                                 "fine", "it 's a charming and often affecting journey ."};
  auto rb = pb->run(texts);
  auto rs = ps->run(texts);
  ASSERT_TRUE(rb.ok() && rs.ok());
  for (size_t i = 0; i < texts.size(); ++i)
    for (size_t k = 0; k < 32; ++k)
      EXPECT_NEAR((*rb)[i][0][k].get<double>(), (*rs)[i][0][k].get<double>(), 1e-5) << texts[i];
}

}  // namespace
}  // namespace onyx

namespace onyx {
namespace {

// fill-mask on tests/pipelines/data/distilbert_mlm (values checked against transformers.js by compare_tasks.mjs).
TEST(FillMaskTest, TopKAndMissingMask) {
  auto p = Pipeline::create("fill-mask", std::string(ONYX_SOURCE_DIR) + "/tests/pipelines/data/distilbert_mlm");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  auto r = (*p)->run({nlohmann::json("it 's a [MASK] film .")}, nlohmann::json{{"top_k", 3}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const auto& list = (*r)[0];
  ASSERT_EQ(list.size(), 3u);
  EXPECT_GE(list[0]["score"].get<double>(), list[1]["score"].get<double>());
  for (const auto& x : list) {
    EXPECT_TRUE(x.contains("token") && x.contains("token_str") && x.contains("sequence"));
    EXPECT_EQ(x["sequence"].get<std::string>().find("[MASK]"), std::string::npos);
  }
  auto none = (*p)->run(std::vector<std::string>{"no mask here"});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("[MASK]"), std::string::npos) << none.status().message();
  auto two = (*p)->run({nlohmann::json("[MASK] and [MASK]")}, nlohmann::json::object());
  ASSERT_TRUE(two.ok());
  EXPECT_EQ((*two)[0].size(), 2u);  // one list per mask
  EXPECT_EQ((*two)[0][0].size(), 5u);
}

}  // namespace
}  // namespace onyx
