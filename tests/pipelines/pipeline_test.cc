// Pipeline API tests on the embedded default model (models/distilbert-sst2-tiny, or $ONYX_DEFAULT_MODEL):
// output format, transformers' function_to_apply rules, batching, and every bad input of issue 4.
// Folders with a file removed or config.json edited are built in a temp dir from the default model's files.
#include "onyx/pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "onyx/session.h"

namespace onyx {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string model_dir() { return *Pipeline::default_model("sentiment-analysis"); }

std::unique_ptr<Pipeline> make(const std::string& task = "sentiment-analysis", std::string dir = "",
                               PipelineOptions options = {}) {
  options.threads = 1;
  auto p = Pipeline::create(task, dir.empty() ? model_dir() : dir, options);
  EXPECT_TRUE(p.ok()) << p.status().to_string();
  return p.ok() ? std::move(p).value() : nullptr;
}

// A copy of the default model folder in a fresh temp dir, minus `drop`, with config.json edited by `edit`.
class TempModel {
 public:
  explicit TempModel(const std::string& name, const std::vector<std::string>& drop = {},
                     const std::function<void(Json&)>& edit = nullptr) {
    dir_ = fs::temp_directory_path() / ("onyx_pipeline_test_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::copy(model_dir(), dir_, fs::copy_options::recursive);
    for (const auto& f : drop) fs::remove(dir_ / f);
    if (edit) {
      Json cfg = Json::parse(std::ifstream(dir_ / "config.json"));
      edit(cfg);
      std::ofstream(dir_ / "config.json") << cfg.dump(2);
    }
  }
  ~TempModel() { fs::remove_all(dir_); }
  std::string path() const { return dir_.string(); }

 private:
  fs::path dir_;
};

TEST(PipelineTest, SentimentOutputIsTransformersFormat) {
  auto p = make();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->task(), "text-classification");
  auto r = p->run(std::vector<std::string>{"a wonderful , moving and beautifully acted film .",
                                           "a dull , boring and badly acted mess ."});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0]["label"], "POSITIVE");
  EXPECT_EQ((*r)[1]["label"], "NEGATIVE");
  for (const auto& item : *r) {
    EXPECT_EQ(item.size(), 2u);  // exactly {"label", "score"}
    EXPECT_GT(item["score"].get<double>(), 0.5);
    EXPECT_LE(item["score"].get<double>(), 1.0);
  }
}

TEST(PipelineTest, TopKSortedAndAllLabelsSumToOne) {
  auto p = make();
  ASSERT_TRUE(p);
  auto r = p->run({Json("not bad at all")}, Json{{"top_k", nullptr}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  const Json& all = (*r)[0];
  ASSERT_TRUE(all.is_array());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_GE(all[0]["score"].get<double>(), all[1]["score"].get<double>());
  EXPECT_NEAR(all[0]["score"].get<double>() + all[1]["score"].get<double>(), 1.0, 1e-6);
  auto r1 = p->run({Json("not bad at all")}, Json{{"top_k", 1}});
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE((*r1)[0].is_array());
  EXPECT_EQ((*r1)[0].size(), 1u);
  EXPECT_EQ((*r1)[0][0], all[0]);
  auto bad = p->run({Json("x")}, Json{{"top_k", 0}});
  EXPECT_FALSE(bad.ok());
}

TEST(PipelineTest, FunctionToApplyFollowsTransformers) {
  auto p = make();
  ASSERT_TRUE(p);
  const std::vector<std::string> text{"an uneven but often funny movie"};
  auto logits = classify(*p, text, {.top_k = std::nullopt, .function = ClassificationFunction::kNone});
  auto soft = classify(*p, text, {.top_k = std::nullopt});
  ASSERT_TRUE(logits.ok() && soft.ok());
  // single_label_classification, 2 labels -> softmax.
  auto find = [](const std::vector<LabelScore>& v, const std::string& l) {
    for (const auto& x : v)
      if (x.label == l) return x.score;
    return NAN;
  };
  const float lp = find((*logits)[0], "POSITIVE"), ln = find((*logits)[0], "NEGATIVE");
  EXPECT_NEAR(find((*soft)[0], "POSITIVE"), 1.0 / (1.0 + std::exp(ln - lp)), 1e-6);
  // problem_type multi_label_classification -> sigmoid per label.
  TempModel multi("multi", {}, [](Json& c) { c["problem_type"] = "multi_label_classification"; });
  auto pm = make("text-classification", multi.path());
  ASSERT_TRUE(pm);
  auto sig = classify(*pm, text, {.top_k = std::nullopt});
  ASSERT_TRUE(sig.ok());
  EXPECT_NEAR(find((*sig)[0], "POSITIVE"), 1.0 / (1.0 + std::exp(-lp)), 1e-6);
  EXPECT_NEAR(find((*sig)[0], "NEGATIVE"), 1.0 / (1.0 + std::exp(-ln)), 1e-6);
  // Explicit function_to_apply wins over the config.
  auto forced = pm->run({Json(text[0])}, Json{{"function_to_apply", "softmax"}});
  ASSERT_TRUE(forced.ok());
  EXPECT_NEAR((*forced)[0]["score"].get<double>(), std::max(find((*soft)[0], "POSITIVE"), find((*soft)[0], "NEGATIVE")),
              1e-6);
  EXPECT_FALSE(pm->run({Json("x")}, Json{{"function_to_apply", "relu"}}).ok());
}

TEST(PipelineTest, BatchedEqualsOneByOne) {
  std::vector<std::string> texts{"good",
                                 "a very long and rather tedious film that never finds its footing , sadly",
                                 "",
                                 "bad",
                                 "an absolute joy from start to finish",
                                 "meh .",
                                 "worst film of the year",
                                 "i loved every minute of it",
                                 "it 's fine"};
  PipelineOptions batched;
  batched.batch_size = 4;
  PipelineOptions single;
  single.batch_size = 1;
  auto pb = make("sentiment-analysis", "", batched);
  auto ps = make("sentiment-analysis", "", single);
  ASSERT_TRUE(pb && ps);
  auto rb = classify(*pb, texts, {.top_k = std::nullopt});
  auto rs = classify(*ps, texts, {.top_k = std::nullopt});
  ASSERT_TRUE(rb.ok() && rs.ok());
  for (size_t i = 0; i < texts.size(); ++i) {
    ASSERT_EQ((*rb)[i].size(), (*rs)[i].size());
    for (size_t k = 0; k < (*rb)[i].size(); ++k) {
      EXPECT_EQ((*rb)[i][k].label, (*rs)[i][k].label) << texts[i];
      EXPECT_NEAR((*rb)[i][k].score, (*rs)[i][k].score, 1e-5) << texts[i];
    }
  }
}

// Bad input: empty and whitespace-only texts are valid ([CLS] [SEP]) and get a label, as in transformers.
TEST(PipelineBadInputTest, EmptyAndWhitespaceOnlyText) {
  auto p = make();
  ASSERT_TRUE(p);
  auto r = p->run(std::vector<std::string>{"", "   \t\n  "});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  for (const auto& item : *r) {
    EXPECT_TRUE(item["label"] == "POSITIVE" || item["label"] == "NEGATIVE");
    EXPECT_GE(item["score"].get<double>(), 0.5);
  }
  EXPECT_EQ((*r)[0], (*r)[1]);  // both tokenize to [CLS] [SEP]
}

TEST(PipelineBadInputTest, InvalidUtf8IsAnErrorNamingTheInput) {
  auto p = make();
  ASSERT_TRUE(p);
  auto r = p->run(std::vector<std::string>{"fine", std::string("bad \xff\xfe byte")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("input 1"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("UTF-8"), std::string::npos) << r.status().message();
}

TEST(PipelineBadInputTest, LongTextIsTruncatedWithAWarning) {
  std::vector<std::string> warnings;
  PipelineOptions o;
  o.on_warning = [&](const std::string& m) { warnings.push_back(m); };
  auto p = make("sentiment-analysis", "", o);
  ASSERT_TRUE(p);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "a truly wonderful , moving film . ";
  auto r = p->run(std::vector<std::string>{"short", text});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("input 1"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("truncated to " + std::to_string(p->model().max_length)), std::string::npos)
      << warnings[0];
  EXPECT_EQ((*r)[1]["label"], "POSITIVE");
}

TEST(PipelineBadInputTest, MissingConfigJsonIsNamed) {
  TempModel m("noconfig", {"config.json"});
  auto p = Pipeline::create("sentiment-analysis", m.path());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("config.json"), std::string::npos) << p.status().message();
}

TEST(PipelineBadInputTest, MissingTokenizerIsNamed) {
  TempModel m("notok", {"tokenizer.json", "vocab.txt"});
  auto p = Pipeline::create("sentiment-analysis", m.path());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("tokenizer.json"), std::string::npos) << p.status().message();
}

TEST(PipelineBadInputTest, MissingModelOnnxIsNamed) {
  TempModel m("noonnx", {"onnx/model.onnx", "model.onnx"});
  auto p = Pipeline::create("sentiment-analysis", m.path());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_NE(p.status().message().find("model.onnx"), std::string::npos) << p.status().message();
  auto missing = Pipeline::create("sentiment-analysis", m.path() + "/does-not-exist");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("does not exist"), std::string::npos);
}

TEST(PipelineBadInputTest, ConfigWithoutId2LabelGivesLabelI) {
  TempModel m("noid2label", {}, [](Json& c) {
    c.erase("id2label");
    c.erase("label2id");
  });
  auto p = make("text-classification", m.path());
  ASSERT_TRUE(p);
  auto r = p->run({Json("a wonderful film")}, Json{{"top_k", nullptr}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  std::set<std::string> labels;
  for (const auto& item : (*r)[0]) labels.insert(item["label"].get<std::string>());
  EXPECT_EQ(labels, (std::set<std::string>{"LABEL_0", "LABEL_1"}));
}

TEST(PipelineBadInputTest, UnknownTaskListsKnownTasks) {
  auto p = Pipeline::create("sentiment-analyse", model_dir());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  for (const auto& t : Pipeline::tasks()) EXPECT_NE(p.status().message().find(t), std::string::npos) << t;
  EXPECT_NE(p.status().message().find("sentiment-analysis"), std::string::npos);
  EXPECT_NE(p.status().message().find("text-classification"), std::string::npos);
}

TEST(PipelineTest, ModelFolderFindsOnnxAndLimits) {
  auto m = ModelFolder::load(model_dir());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_TRUE(m->onnx_path.ends_with("model.onnx"));
  EXPECT_EQ(m->label(0), "NEGATIVE");
  EXPECT_EQ(m->label(1), "POSITIVE");
  EXPECT_EQ(m->label(7), "LABEL_7");
  EXPECT_GT(m->max_length, 8u);
}

}  // namespace
}  // namespace onyx
