// `onyx bench` end to end: the JSON report (fields, consistency of the statistics), synthetic / .npy / text / file
// inputs, GPT-2 past inputs, and the errors users can cause. No timing assertions: only relations that hold for
// any timings (min <= p50 <= p90 <= p99 <= max, throughput = runs / time) and counts known in advance.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "onyx/tensor.h"
#include "onyx/tokenizer.h"
#include "src/core/npy.h"
#include "tests/unit/cli_runner.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const fs::path kSource = ONYX_SOURCE_DIR;
const fs::path kBert = kSource / "tests/models/data/bert_opset14/model.onnx";  // vocab 120 (its config.json)
const fs::path kTinyFolder = kSource / "models/distilbert-sst2-tiny";          // bert-base-uncased vocab

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("onyx_bench_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

Json run_json(const std::string& args) {
  CliResult r = run_cli("bench " + args + " --json");
  EXPECT_EQ(r.rc, 0) << r.err;
  if (r.rc != 0) return Json::object();
  return Json::parse(r.out);
}

void expect_consistent_stats(const Json& j) {
  const Json& l = j["latency_ms"];
  EXPECT_GT(l["min"].get<double>(), 0.0);
  EXPECT_LE(l["min"].get<double>(), l["p50"].get<double>());
  EXPECT_LE(l["p50"].get<double>(), l["p90"].get<double>());
  EXPECT_LE(l["p90"].get<double>(), l["p99"].get<double>());
  EXPECT_LE(l["p99"].get<double>(), l["max"].get<double>());
  EXPECT_LE(l["min"].get<double>(), l["mean"].get<double>());
  EXPECT_LE(l["mean"].get<double>(), l["max"].get<double>());
  // Throughput is runs (and sequences) over the timed loop's wall time, which includes every timed run.
  const double total_s = j["total_s"].get<double>();
  EXPECT_NEAR(j["throughput"]["inferences_per_s"].get<double>(), j["runs"].get<double>() / total_s, 1e-6);
  EXPECT_NEAR(j["throughput"]["sequences_per_s"].get<double>(), j["sequences"].get<double>() / total_s, 1e-6);
  EXPECT_GE(total_s * 1e3, l["mean"].get<double>() * j["runs"].get<double>() * 0.999);
  EXPECT_GT(j["session_create_ms"].get<double>(), 0.0);
  EXPECT_GT(j["first_run_ms"].get<double>(), 0.0);
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 0.0);
  EXPECT_GE(j["peak_rss_mb"].get<double>(), j["rss_before_load_mb"].get<double>());
}

TEST(BenchCli, SyntheticInputsJsonReport) {
  Json j = run_json(q(kBert) + " --seq 9 --batch 3 --warmup 2 --runs 7 --threads 1");
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j["engine"], "onyx");
  EXPECT_EQ(j["inputs"], "synthetic");
  EXPECT_EQ(j["precision"], "fp32");
  EXPECT_EQ(j["optimization_level"], 99);
  EXPECT_EQ(j["batch"], 3);
  EXPECT_EQ(j["seq"], 9);
  EXPECT_EQ(j["warmup"], 2);
  EXPECT_EQ(j["runs"], 7);
  EXPECT_EQ(j["sequences"], 7 * 3);
  EXPECT_EQ(j["tokens"]["padded"], 7 * 3 * 9);
  EXPECT_EQ(j["tokens"]["real"], 7 * 3 * 9);  // synthetic attention_mask is all ones
  EXPECT_EQ(j["tokenization_included"], false);
  expect_consistent_stats(j);
}

TEST(BenchCli, TableOutputNamesTheProtocolAndStatistics) {
  CliResult r = run_cli("bench " + q(kBert) + " --seq 5 --warmup 1 --runs 3 --threads 1");
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const char* s :
       {"p50", "p90", "p99", "inferences/s", "sequences/s", "1 first run, 1 warm-up, 3 timed runs", "peak RSS"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << " in\n" << r.out;
  EXPECT_NE(r.err.find("creating the session"), std::string::npos) << "progress goes to stderr";
}

TEST(BenchCli, ProfileReportsTimePerOpTypeAndNode) {
  Json j = run_json(q(kBert) + " --seq 9 --warmup 1 --runs 5 --threads 1 --profile");
  ASSERT_TRUE(j.contains("profile"));
  const Json& p = j["profile"];
  ASSERT_FALSE(p["by_op_type"].empty());
  ASSERT_FALSE(p["nodes"].empty());
  double by_type = 0.0, by_node = 0.0;
  for (const Json& t : p["by_op_type"]) {
    EXPECT_GT(t["calls_per_run"].get<double>(), 0.0);
    by_type += t["ms_per_run"].get<double>();
  }
  for (const Json& n : p["nodes"]) by_node += n["ms_per_run"].get<double>();
  EXPECT_NEAR(by_type, by_node, 1e-9);
  EXPECT_NEAR(by_node, p["nodes_ms_per_run"].get<double>(), 1e-9);
  // Nodes run inside Session::run: their time per run cannot exceed the mean latency.
  EXPECT_LE(by_node, j["latency_ms"]["mean"].get<double>() * 1.0001);
  EXPECT_FALSE(run_json(q(kBert) + " --seq 9 --warmup 0 --runs 1 --threads 1").contains("profile"));
  CliResult table = run_cli("bench " + q(kBert) + " --seq 5 --warmup 0 --runs 2 --threads 1 --profile");
  EXPECT_EQ(table.rc, 0) << table.err;
  EXPECT_NE(table.out.find("profile"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Session::run outside the nodes"), std::string::npos) << table.out;
}

TEST(BenchCli, NpyInputOverridesTheSyntheticOne) {
  const fs::path dir = temp_dir("npy");
  // Batch 2 x 6 tokens; ids inside the test model's vocab (120). attention_mask/token_type_ids stay synthetic
  // and follow --batch/--seq, which must therefore match.
  std::vector<int64_t> ids{2, 10, 11, 12, 13, 3, 2, 20, 21, 22, 23, 3};
  ASSERT_TRUE(write_npy((dir / "ids.npy").string(), Tensor::from_vector<int64_t>({2, 6}, ids)).ok());
  Json j = run_json(q(kBert) + " --batch 2 --seq 6 --warmup 0 --runs 2 --input input_ids=" + q(dir / "ids.npy"));
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j["inputs"], "npy");
  EXPECT_EQ(j["batch"], 2);
  EXPECT_EQ(j["seq"], 6);
  EXPECT_EQ(j["sequences"], 4);
  CliResult bad = run_cli("bench " + q(kBert) + " --runs 1 --input nosuch=" + q(dir / "ids.npy"));
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("no input of that name"), std::string::npos) << bad.err;
}

TEST(BenchCli, TextIsTokenizedByTheFoldersTokenizer) {
  // "hello world" -> [CLS] hello world [SEP]: both words are whole entries of the bert-base-uncased vocab.txt
  // (lines 7593 and 2089), so WordPiece keeps each as one token.
  Json j = run_json(q(kTinyFolder) + " --text 'hello world' --batch 2 --warmup 1 --runs 3 --threads 1");
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j["inputs"], "text");
  EXPECT_EQ(j["seq"], 4);
  EXPECT_EQ(j["tokens"]["real"], 3 * 2 * 4);
  EXPECT_EQ(j["tokenization_included"], false);
  Json inc = run_json(q(kTinyFolder) + " --text 'hello world' --warmup 0 --runs 2 --include-tokenization");
  EXPECT_EQ(inc["tokenization_included"], true);
  EXPECT_EQ(inc["tokens"]["real"], 2 * 4);
}

TEST(BenchCli, FileIsBatchedInOrderAndPaddedPerBatch) {
  const fs::path dir = temp_dir("file");
  const std::vector<std::string> sentences{"a charming and often affecting journey .", "bleak", "it 's a film",
                                           "the movie was surprisingly good , i think", "no"};
  {
    std::ofstream f(dir / "data.tsv");
    f << "sentence\tlabel\n";
    for (const auto& s : sentences) f << s << "\t1\n";
  }
  // Expected counts from onyx's tokenizer library (itself checked token for token against Hugging Face
  // tokenizers in tests/tokenizers): batches {0,1} {2,3} {4}, each padded to its longest row.
  auto tok = tok::Tokenizer::from_directory(kTinyFolder.string());
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  std::vector<size_t> len;
  for (const auto& s : sentences) len.push_back(tok->encode(s)->size());
  const size_t real = len[0] + len[1] + len[2] + len[3] + len[4];
  const size_t padded = 2 * std::max(len[0], len[1]) + 2 * std::max(len[2], len[3]) + len[4];
  Json j = run_json(q(kTinyFolder) + " --file " + q(dir / "data.tsv") + " --batch 2 --warmup 0 --threads 1");
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j["inputs"], "file");
  EXPECT_EQ(j["batches"], 3);
  EXPECT_EQ(j["runs"], 3) << "default: one pass over the batches";
  EXPECT_TRUE(j["seq"].is_null());
  EXPECT_EQ(j["sequences"], 5);
  EXPECT_EQ(j["tokens"]["real"], real);
  EXPECT_EQ(j["tokens"]["padded"], padded);
  expect_consistent_stats(j);
}

TEST(BenchCli, Gpt2PastInputs) {
  const fs::path gpt2 = kSource / "tests/models/data/gpt2_past_opset14/model.onnx";
  Json j = run_json(q(gpt2) + " --past 5 --seq 1 --batch 2 --warmup 0 --runs 2 --threads 1");
  ASSERT_FALSE(j.empty());
  EXPECT_EQ(j["past"], 5);
  EXPECT_EQ(j["sequences"], 4);
}

TEST(BenchCli, PrecisionChoices) {
  // int8 (issue #7): dynamic INT8 session (SessionOptions::Precision::kInt8); the report says so.
  Json int8 = run_json(q(kBert) + " --precision int8 --seq 4 --warmup 0 --runs 1 --threads 1");
  ASSERT_FALSE(int8.empty());
  EXPECT_EQ(int8["precision"], "int8");
  CliResult int8_table = run_cli("bench " + q(kBert) + " --precision int8 --seq 4 --warmup 0 --runs 1 --threads 1");
  EXPECT_EQ(int8_table.rc, 0) << int8_table.err;
  EXPECT_NE(int8_table.out.find("precision    int8"), std::string::npos) << int8_table.out;
  CliResult fp16 = run_cli("bench " + q(kBert) + " --precision fp16 --runs 1");
  EXPECT_EQ(fp16.rc, 1);
  EXPECT_NE(fp16.err.find("--precision must be fp32, bf16 or int8, got 'fp16'"), std::string::npos) << fp16.err;
  CliResult bad_padding = run_cli("bench " + q(kBert) + " --remove-padding maybe --runs 1");
  EXPECT_EQ(bad_padding.rc, 1);
  EXPECT_NE(bad_padding.err.find("--remove-padding must be auto, on or off"), std::string::npos) << bad_padding.err;
  // bf16 is a session precision (packed bf16 weights), independent of the optimization level. On a CPU without
  // AVX512-BF16 the session refuses it with a clear error instead of silently running fp32.
  CliResult bf16 = run_cli("bench " + q(kBert) + " --precision bf16 -O 2 --seq 4 --warmup 0 --runs 1 --threads 1 --json");
  if (bf16.rc == 0) {
    Json j = Json::parse(bf16.out);
    EXPECT_EQ(j["optimization_level"], 2);
    EXPECT_EQ(j["precision"], "bf16");
    EXPECT_EQ(j["remove_padding"], false);
  } else {
    EXPECT_NE(bf16.err.find("AVX512-BF16"), std::string::npos) << bf16.err;
  }
}

TEST(BenchCli, UserErrorsAreClear) {
  CliResult missing = run_cli("bench /nonexistent/model.onnx");
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  CliResult text_on_file = run_cli("bench " + q(kBert) + " --text hi --runs 1");
  EXPECT_EQ(text_on_file.rc, 1);
  EXPECT_NE(text_on_file.err.find("model folder"), std::string::npos) << text_on_file.err;
  CliResult tok_alone = run_cli("bench " + q(kBert) + " --include-tokenization --runs 1");
  EXPECT_EQ(tok_alone.rc, 1);
  EXPECT_NE(tok_alone.err.find("needs --text or --file"), std::string::npos) << tok_alone.err;
}

}  // namespace
}  // namespace onyx::test
