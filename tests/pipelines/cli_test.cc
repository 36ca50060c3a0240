// `onyx pipeline` and `onyx eval` end to end: output format, default model, file inputs, errors (exit 1 and
// "onyx: error: ..." on stderr).
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "onyx/pipeline.h"
#include "tests/unit/cli_runner.h"

namespace onyx {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

using test::CliResult;
using test::run_cli;

std::string model_arg() { return "--model '" + *Pipeline::default_model("sentiment-analysis") + "'"; }

TEST(CliTest, SentimentSingleTextPrintsAListWithOneDict) {
  // No --model: the embedded default model (or $ONYX_DEFAULT_MODEL).
  CliResult r = run_cli("pipeline sentiment-analysis 'a wonderful , moving film .'");
  ASSERT_EQ(r.rc, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["label"], "POSITIVE");
  EXPECT_TRUE(j[0]["score"].is_number());
}

TEST(CliTest, SeveralTextsAndTopK) {
  CliResult r = run_cli("pipeline sentiment-analysis " + model_arg() + " --top-k 2 'great' 'awful'");
  ASSERT_EQ(r.rc, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  ASSERT_TRUE(j[0].is_array());
  EXPECT_EQ(j[0].size(), 2u);
  CliResult one = run_cli("pipeline sentiment-analysis " + model_arg() + " --top-k 2 'great'");
  ASSERT_EQ(one.rc, 0) << one.err;
  Json k = Json::parse(one.out);
  ASSERT_EQ(k.size(), 2u);  // a single text with top_k: the list itself, as transformers returns it
  EXPECT_TRUE(k[0].is_object());
}

TEST(CliTest, FileInputDrawsProgressAndKeepsOrder) {
  const fs::path f = fs::temp_directory_path() / ("onyx_cli_test_in_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(f) << "great fun\n\nterrible\r\na b c\n";
  CliResult r = run_cli("pipeline sentiment-analysis " + model_arg() + " --batch-size 2 --file " + f.string());
  fs::remove(f);
  ASSERT_EQ(r.rc, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j.size(), 4u);
  EXPECT_NE(r.err.find("4/4 inputs"), std::string::npos) << r.err;
}

TEST(CliTest, UnknownTaskFailsListingTasks) {
  CliResult r = run_cli("pipeline summarise 'x'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("onyx: error: unknown task 'summarise'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sentiment-analysis"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("text-classification"), std::string::npos) << r.err;
}

TEST(CliTest, MissingModelFolderFails) {
  CliResult r = run_cli("pipeline sentiment-analysis --model /nonexistent/folder 'x'");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("onyx: error: NotFound"), std::string::npos) << r.err;
}

TEST(CliTest, InvalidUtf8Fails) {
  CliResult r = run_cli("pipeline sentiment-analysis " + model_arg() +
                        " \"$(printf 'ok \\377')\"");  // /bin/sh is dash: no $'...'
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("UTF-8"), std::string::npos) << r.err;
}

TEST(CliTest, EvalPrintsAccuracyPrecisionRecallLatency) {
  const std::string data = std::string(ONYX_SHARED_DIR) + "/data/sst2/dev.tsv";
  CliResult r = run_cli("eval text-classification " + model_arg() + " --data " + data + " --limit 60 --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["examples"], 60);
  EXPECT_GT(j["accuracy"].get<double>(), 0.6);
  EXPECT_TRUE(j["classes"].contains("POSITIVE"));
  EXPECT_TRUE(j["classes"]["NEGATIVE"].contains("precision"));
  EXPECT_TRUE(j["classes"]["NEGATIVE"].contains("recall"));
  EXPECT_LE(j["latency_ms"]["p50"].get<double>(), j["latency_ms"]["p99"].get<double>());
  CliResult text = run_cli("eval sentiment-analysis " + model_arg() + " --data " + data + " --limit 20");
  ASSERT_EQ(text.rc, 0) << text.err;
  EXPECT_NE(text.out.find("accuracy:"), std::string::npos);
  EXPECT_NE(text.out.find("p99"), std::string::npos);
}

}  // namespace
}  // namespace onyx
