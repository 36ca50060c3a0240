// token-classification, question-answering and zero-shot-classification on tests/pipelines/data/distilbert_{ner,
// qa,nli} (made by scripts/pipelines/make_task_heads.py): output shapes, parameters and the behaviour the
// transformers.js comparison (ctest pipeline_heads_vs_transformers_js, scripts/pipelines/compare_heads.mjs) cannot
// reach: doc-stride windows, align_to_words, handle_impossible_answer, bad parameters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "onyx/pipeline.h"

namespace onyx {
namespace {

using Json = nlohmann::json;

std::unique_ptr<Pipeline> make(const std::string& task, const std::string& model, size_t batch_size = 8) {
  PipelineOptions o;
  o.threads = 1;
  o.batch_size = batch_size;
  auto p = Pipeline::create(task, std::string(ONYX_SOURCE_DIR) + "/tests/pipelines/data/" + model, o);
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return p.ok() ? std::move(p).value() : nullptr;
}

const std::string kText = "John Smithson lives in Parisville with Googlers.";

TEST(TokenClassificationTest, NoneGivesTokensWithOffsets) {
  auto p = make("ner", "distilbert_ner");
  ASSERT_TRUE(p);
  auto r = p->run({Json(kText)}, Json::object());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_TRUE((*r)[0].is_array());
  ASSERT_FALSE((*r)[0].empty());
  for (const Json& e : (*r)[0]) {
    EXPECT_NE(e["entity"], "O");
    for (const char* k : {"entity", "score", "index", "word", "start", "end"}) EXPECT_TRUE(e.contains(k)) << k;
    // The word is the token: "##x" continuations keep their prefix and cover one character here.
    const std::string word = e["word"];
    std::string covered = kText.substr(e["start"].get<size_t>(), e["end"].get<size_t>() - e["start"].get<size_t>());
    for (char& c : covered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(word.rfind("##", 0) == 0 ? word.substr(2) : word, covered) << e.dump();
  }
}

TEST(TokenClassificationTest, WordStrategiesGroupWholeWords) {
  auto p = make("token-classification", "distilbert_ner");
  ASSERT_TRUE(p);
  for (const char* s : {"first", "average", "max"}) {
    auto r = p->run({Json(kText)}, {{"aggregation_strategy", s}, {"ignore_labels", Json::array()}});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    // With nothing ignored, the groups tile the words: each starts where a word starts.
    for (const Json& g : (*r)[0]) {
      const size_t start = g["start"];
      EXPECT_TRUE(start == 0 || kText[start - 1] == ' ' || kText[start] == '.') << s << " " << g.dump();
      EXPECT_FALSE(g.contains("index"));
      EXPECT_NE(g["entity_group"].get<std::string>().substr(0, 2), "B-");
    }
  }
  auto bad = p->run({Json(kText)}, {{"aggregation_strategy", "longest"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("simple"), std::string::npos);
}

TEST(QuestionAnsweringTest, AnswerIsASliceOfTheContext) {
  auto p = make("question-answering", "distilbert_qa");
  ASSERT_TRUE(p);
  const std::string context = "The film was shot in Paris. It stars a charming dog named Rex.";
  auto r = p->run({Json{{"question", "Where was it shot?"}, {"context", context}}}, {{"top_k", 3}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ((*r)[0].size(), 3u);
  double last = 1;
  for (const Json& a : (*r)[0]) {
    const size_t s = a["start"], e = a["end"];
    EXPECT_EQ(a["answer"], context.substr(s, e - s));
    // align_to_words: whole words only.
    EXPECT_TRUE(s == 0 || context[s - 1] == ' ') << a.dump();
    EXPECT_LE(a["score"].get<double>(), last);
    last = a["score"];
  }
  auto one = p->run({Json{{"question", "Where was it shot?"}, {"context", context}}}, Json::object());
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE((*one)[0].is_object());
  EXPECT_EQ((*one)[0], (*r)[0][0]);
}

TEST(QuestionAnsweringTest, LongContextUsesDocStrideWindows) {
  auto p = make("question-answering", "distilbert_qa");
  ASSERT_TRUE(p);
  std::string context;
  for (int i = 0; i < 30; ++i) context += "the dog number " + std::to_string(i) + " ran to the park . ";
  auto r = p->run({Json{{"question", "who ran?"}, {"context", context}}}, {{"top_k", 5000}, {"max_answer_len", 1}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  // With every candidate kept, answers come from the second window too: the first ends at character 99. (The Rust
  // tokenizers 0.23.2 reference, and onyx with it, stops tokenizing a truncated sequence after max_length tokens, so
  // only two windows exist here, the second ending at character 119.)
  size_t furthest = 0;
  for (const Json& a : (*r)[0]) {
    if (a["score"].get<double>() == 0) continue;  // transformers' zero-score filler spans (start may be > end)
    EXPECT_EQ(a["answer"], context.substr(a["start"].get<size_t>(), a["end"].get<size_t>() - a["start"].get<size_t>()));
    furthest = std::max(furthest, a["end"].get<size_t>());
  }
  EXPECT_EQ(furthest, 119u);
  // handle_impossible_answer adds the null answer {"start": 0, "end": 0, "answer": ""} to the candidates.
  auto n = p->run({Json{{"question", "who ran?"}, {"context", context}}},
                  {{"top_k", 5000}, {"max_answer_len", 1}, {"handle_impossible_answer", true}});
  ASSERT_TRUE(n.ok());
  bool has_null = false;
  for (const Json& a : (*n)[0]) has_null |= a["answer"] == "" && a["start"] == 0 && a["end"] == 0;
  EXPECT_TRUE(has_null);
  auto bad = p->run({Json{{"question", "q"}, {"context", context}}}, {{"doc_stride", 100}, {"max_seq_len", 64}});
  EXPECT_FALSE(bad.ok());
  auto missing = p->run({Json("just a string")}, Json::object());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("question"), std::string::npos);
}

TEST(ZeroShotTest, ScoresSumToOneUnlessMultiLabel) {
  auto p = make("zero-shot-classification", "distilbert_nli");
  ASSERT_TRUE(p);
  auto r = p->run({Json("a charming movie"), Json("")}, {{"candidate_labels", "movies, politics,sports"}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  for (const Json& o : *r) {
    ASSERT_EQ(o["labels"].size(), 3u);
    double sum = 0;
    for (const Json& s : o["scores"]) sum += s.get<double>();
    EXPECT_NEAR(sum, 1.0, 1e-5);
    EXPECT_GE(o["scores"][0].get<double>(), o["scores"][1].get<double>());
  }
  EXPECT_EQ((*r)[0]["sequence"], "a charming movie");
  auto m = p->run({Json("a charming movie")}, {{"candidate_labels", {"movies", "politics"}},
                                               {"multi_label", true},
                                               {"hypothesis_template", "The topic is {}."}});
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  for (const Json& s : (*m)[0]["scores"]) EXPECT_TRUE(s.get<double>() > 0 && s.get<double>() < 1);
  EXPECT_FALSE(p->run({Json("x")}, Json::object()).ok());  // no candidate labels
  EXPECT_FALSE(p->run({Json("x")}, {{"candidate_labels", "a"}, {"hypothesis_template", "no slot"}}).ok());
}

}  // namespace
}  // namespace onyx
