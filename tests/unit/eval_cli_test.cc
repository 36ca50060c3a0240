// `onyx eval` end to end (issue #7's side by side): the fp32 report, `--precision int8|bf16` (fp32 and that
// precision side by side) and `--compare-model` (a second folder or .onnx file), their JSON fields and the
// relations that hold whatever the model predicts: accuracy = correct / examples, agreements + disagreements =
// examples, agreement in [0, 1], a model compared with itself agrees on every example; and the errors a user can
// cause with --compare-model. Model: models/distilbert-sst2-tiny (the embedded default model).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/unit/cli_runner.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kSource = ONYX_SOURCE_DIR;
const fs::path kTinyFolder = kSource / "models/distilbert-sst2-tiny";

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("onyx_eval_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Ten SST-2-style sentences (the first ten of ../shared/data/sst2/dev.tsv, gold labels as there), written as a
// TSV with a header line, one label given by name to exercise both label forms.
fs::path write_data(const fs::path& dir) {
  const fs::path path = dir / "dev.tsv";
  std::ofstream f(path);
  f << "sentence\tlabel\n"
    << "it 's a charming and often affecting journey . \t1\n"
    << "unflinchingly bleak and desperate \t0\n"
    << "allows us to hope that nolan is poised to embark a major career as a commercial yet inventive filmmaker . "
       "\t1\n"
    << "the acting , costumes , music , cinematography and sound are all astounding given the production 's "
       "austere locales . \t1\n"
    << "it 's slow -- very , very slow . \t0\n"
    << "although laced with humor and a few fanciful touches , the film is a refreshingly serious look at young "
       "women . \t1\n"
    << "a sometimes tedious film . \tNEGATIVE\n"
    << "or doing last year 's taxes with your ex-wife . \t0\n"
    << "you do n't have to know about music to appreciate the film 's easygoing blend of comedy and romance . \t1\n"
    << "in exactly 89 minutes , most of which passed as slowly as if i 'd been sitting naked on an igloo , formula "
       "51 sank from quirky to jerky to utter turkey . \t0\n";
  return path;
}
constexpr size_t kExamples = 10;

Json run_json(const std::string& args) {
  CliResult r = run_cli("eval text-classification " + args + " --threads 1 --json");
  EXPECT_EQ(r.rc, 0) << r.err;
  if (r.rc != 0) return Json::object();
  return Json::parse(r.out);
}

// One run's fields (a single report, or "baseline"/"compared" of a side-by-side one).
void expect_consistent_run(const Json& run, size_t n) {
  ASSERT_TRUE(run.contains("accuracy")) << run.dump(1);
  EXPECT_LE(run["correct"].get<size_t>(), n);
  EXPECT_DOUBLE_EQ(run["accuracy"].get<double>(), static_cast<double>(run["correct"].get<size_t>()) / n);
  size_t support = 0;
  for (const auto& [label, c] : run["classes"].items()) support += c["support"].get<size_t>();
  EXPECT_EQ(support, n) << "every example has one gold label";
  EXPECT_LE(run["latency_ms"]["p50"].get<double>(), run["latency_ms"]["p90"].get<double>());
  EXPECT_LE(run["latency_ms"]["p90"].get<double>(), run["latency_ms"]["p99"].get<double>());
  EXPECT_GT(run["throughput_per_s"].get<double>(), 0.0);
}

void expect_consistent_side_by_side(const Json& j, size_t n) {
  ASSERT_TRUE(j.contains("baseline") && j.contains("compared")) << j.dump(1);
  EXPECT_EQ(j["examples"], n);
  expect_consistent_run(j["baseline"], n);
  expect_consistent_run(j["compared"], n);
  EXPECT_EQ(j["baseline"]["precision"], "fp32");
  const size_t agree = j["agreements"].get<size_t>();
  EXPECT_EQ(agree + j["disagreements"].get<size_t>(), n);
  EXPECT_DOUBLE_EQ(j["agreement"].get<double>(), static_cast<double>(agree) / n);
  EXPECT_GE(j["agreement"].get<double>(), 0.0);
  EXPECT_LE(j["agreement"].get<double>(), 1.0);
  EXPECT_EQ(j["disagreement_examples"].size(), std::min<size_t>(20, n - agree));
  EXPECT_NEAR(j["accuracy_difference_points"].get<double>(),
              100.0 * (j["compared"]["accuracy"].get<double>() - j["baseline"]["accuracy"].get<double>()), 1e-9);
  // Labels differ between the runs exactly where the accuracies can differ: |correct difference| <= disagreements.
  const long dc = static_cast<long>(j["compared"]["correct"].get<size_t>()) -
                  static_cast<long>(j["baseline"]["correct"].get<size_t>());
  EXPECT_LE(static_cast<size_t>(std::labs(dc)), j["disagreements"].get<size_t>());
}

TEST(EvalCli, Fp32AloneIsOneReport) {
  const fs::path dir = temp_dir("fp32");
  Json j = run_json("--model " + q(kTinyFolder) + " --data " + q(write_data(dir)));
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j["examples"], kExamples) << "the header line is skipped";
  expect_consistent_run(j, kExamples);
  EXPECT_FALSE(j.contains("agreement")) << "fp32 alone: no side by side";
  EXPECT_FALSE(j.contains("baseline"));
}

TEST(EvalCli, CompareModelWithItselfAgreesOnEveryExample) {
  const fs::path dir = temp_dir("self");
  const fs::path data = write_data(dir);
  Json single = run_json("--model " + q(kTinyFolder) + " --data " + q(data));
  for (const fs::path& other : {kTinyFolder, kTinyFolder / "onnx" / "model.onnx"}) {
    SCOPED_TRACE(other.string());
    Json j = run_json("--model " + q(kTinyFolder) + " --data " + q(data) + " --compare-model " + q(other));
    ASSERT_FALSE(j.empty());
    expect_consistent_side_by_side(j, kExamples);
    EXPECT_EQ(j["compared"]["precision"], "fp32");
    EXPECT_EQ(j["agreement"], 1.0);
    EXPECT_EQ(j["disagreements"], 0);
    EXPECT_TRUE(j["disagreement_examples"].empty());
    EXPECT_EQ(j["baseline"]["correct"], j["compared"]["correct"]);
    EXPECT_EQ(j["baseline"]["correct"], single["correct"]) << "the baseline is the fp32 report";
    EXPECT_EQ(j["accuracy_difference_points"], 0.0);
  }
}

TEST(EvalCli, PrecisionInt8IsFp32AndInt8SideBySide) {
  const fs::path dir = temp_dir("int8");
  const fs::path data = write_data(dir);
  Json j = run_json("--model " + q(kTinyFolder) + " --data " + q(data) + " --precision int8");
  ASSERT_FALSE(j.empty());
  expect_consistent_side_by_side(j, kExamples);
  EXPECT_EQ(j["baseline"]["name"], "fp32");
  EXPECT_EQ(j["compared"]["name"], "int8");
  EXPECT_EQ(j["compared"]["precision"], "int8");
  Json single = run_json("--model " + q(kTinyFolder) + " --data " + q(data));
  EXPECT_EQ(j["baseline"]["correct"], single["correct"]) << "the baseline is the fp32 report";
}

TEST(EvalCli, CompareModelFromOnyxQuantize) {
  // The issue #7 workflow: quantize the folder, then evaluate the quantized copy next to the fp32 original.
  const fs::path dir = temp_dir("quantized");
  const fs::path quantized = dir / "int8";
  CliResult quantize =
      run_cli("quantize " + q(kTinyFolder) + " -o " + q(quantized) + " --mode dynamic --format qoperator");
  ASSERT_EQ(quantize.rc, 0) << quantize.err;
  Json j = run_json("--model " + q(kTinyFolder) + " --data " + q(write_data(dir)) + " --compare-model " + q(quantized));
  ASSERT_FALSE(j.empty());
  expect_consistent_side_by_side(j, kExamples);
  EXPECT_EQ(j["baseline"]["name"], "model");
  EXPECT_EQ(j["compared"]["name"], "compare");
  EXPECT_EQ(j["compared"]["model"], quantized.string());
  EXPECT_EQ(j["compared"]["precision"], "fp32") << "a quantized file runs as it is";
}

TEST(EvalCli, PrecisionBf16SideBySideOrAClearError) {
  const fs::path dir = temp_dir("bf16");
  CliResult r = run_cli("eval text-classification --model " + q(kTinyFolder) + " --data " + q(write_data(dir)) +
                        " --precision bf16 --threads 1 --json");
  if (r.rc == 0) {
    Json j = Json::parse(r.out);
    expect_consistent_side_by_side(j, kExamples);
    EXPECT_EQ(j["compared"]["precision"], "bf16");
  } else {
    // A CPU without AVX512-BF16: the session refuses bf16 (see bench_cli_test's PrecisionChoices).
    EXPECT_NE(r.err.find("AVX512-BF16"), std::string::npos) << r.err;
  }
}

TEST(EvalCli, SideBySideTableNamesBothRunsAndTheAgreement) {
  const fs::path dir = temp_dir("table");
  CliResult r = run_cli("eval text-classification --model " + q(kTinyFolder) + " --data " + q(write_data(dir)) +
                        " --compare-model " + q(kTinyFolder) + " --threads 1");
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const char* s : {"accuracy", "agreement:", "1.0000 (10/10 examples given the same label; 0 disagreements)",
                        "accuracy difference: +0.00 points", "model", "compare", "latency", "throughput"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " in\n" << r.out;
  EXPECT_NE(r.err.find("onyx eval: compare:"), std::string::npos) << "progress goes to stderr\n" << r.err;
}

TEST(EvalCli, BadCompareModelIsAClearError) {
  const fs::path dir = temp_dir("bad");
  const fs::path data = write_data(dir);
  const std::string base = "eval text-classification --model " + q(kTinyFolder) + " --data " + q(data);

  CliResult missing = run_cli(base + " --compare-model /nonexistent/quantized");
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find("--compare-model '/nonexistent/quantized' does not exist"), std::string::npos)
      << missing.err;

  CliResult not_onnx = run_cli(base + " --compare-model " + q(data));
  EXPECT_EQ(not_onnx.rc, 1);
  EXPECT_NE(not_onnx.err.find("is not an .onnx file"), std::string::npos) << not_onnx.err;

  const fs::path empty = dir / "empty_folder";
  fs::create_directories(empty);
  CliResult no_model = run_cli(base + " --compare-model " + q(empty));
  EXPECT_EQ(no_model.rc, 1);
  EXPECT_NE(no_model.err.find("--compare-model '" + empty.string() + "'"), std::string::npos) << no_model.err;

  const fs::path garbage = dir / "garbage.onnx";
  std::ofstream(garbage) << "not a protobuf";
  CliResult bad_file = run_cli(base + " --compare-model " + q(garbage));
  EXPECT_EQ(bad_file.rc, 1);
  EXPECT_NE(bad_file.err.find("--compare-model"), std::string::npos) << bad_file.err;

  // The same model with other label names (config.json id2label): agreement would be meaningless.
  const fs::path relabelled = dir / "relabelled";
  fs::create_directories(relabelled);
  for (const char* name : {"onnx", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"})
    fs::create_symlink(kTinyFolder / name, relabelled / name);
  {
    std::ifstream in(kTinyFolder / "config.json");
    Json config = Json::parse(in);
    config["id2label"] = {{"0", "NEG"}, {"1", "POS"}};
    config["label2id"] = {{"NEG", 0}, {"POS", 1}};
    std::ofstream(relabelled / "config.json") << config.dump(2);
  }
  CliResult labels = run_cli(base + " --compare-model " + q(relabelled));
  EXPECT_EQ(labels.rc, 1);
  EXPECT_NE(labels.err.find("the same labels"), std::string::npos) << labels.err;
  EXPECT_NE(labels.err.find("[NEG, POS]"), std::string::npos) << labels.err;
}

}  // namespace
}  // namespace onyx::test
