// `onyx optimize` end to end: file and folder inputs, statistics (text and --json), levels, errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "src/onnx/model_loader.h"
#include "tests/passes/pass_test_util.h"
#include "tests/unit/cli_runner.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = ONYX_SOURCE_DIR;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

TEST(OptimizeCli, FileInputWritesALoadableModelAndJsonStatistics) {
  const fs::path dir = temp_dir("optimize_cli_file");
  const fs::path in = kSource / "tests/models/data/bert_opset14/model.onnx";
  CliResult r = run_cli("optimize " + q(in) + " -O2 -o " + q(dir / "out.onnx") + " --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["level"], 2);
  EXPECT_GT(j["nodes_before"].get<int>(), 0);
  EXPECT_LT(j["nodes_after"].get<int>(), j["nodes_before"].get<int>());
  EXPECT_TRUE(j["fused"].is_object());
  EXPECT_NE(r.err.find("saving"), std::string::npos) << "progress lines go to stderr";
  auto g = onnx_io::load_model_file((dir / "out.onnx").string());
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->nodes.size(), j["nodes_after"].get<size_t>());
}

TEST(OptimizeCli, FolderInputCopiesTheOtherFiles) {
  const fs::path dir = temp_dir("optimize_cli_folder");
  const fs::path in = kSource / "models/distilbert-sst2-tiny";
  CliResult r = run_cli("optimize " + q(in) + " -O1 -o " + q(dir / "opt"));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("nodes:"), std::string::npos);
  for (const char* f : {"config.json", "tokenizer.json", "onnx/model.onnx"}) EXPECT_TRUE(fs::exists(dir / "opt" / f)) << f;
  // The copy is a model folder the pipelines load.
  CliResult p = run_cli("pipeline sentiment-analysis --model " + q(dir / "opt") + " 'a great movie'");
  EXPECT_EQ(p.rc, 0) << p.err;
  EXPECT_NE(p.out.find("POSITIVE"), std::string::npos) << p.out;
}

TEST(OptimizeCli, ListPassesNamesEveryPassWithItsLevel) {
  CliResult r = run_cli("optimize --list-passes");
  ASSERT_EQ(r.rc, 0) << r.err;
  for (const auto& name : opt::pass_names()) EXPECT_NE(r.out.find(name), std::string::npos) << name;
}

TEST(OptimizeCli, BadInputsAreClearErrors) {
  const fs::path dir = temp_dir("optimize_cli_errors");
  const fs::path in = kSource / "tests/models/data/bert_opset14/model.onnx";
  CliResult missing = run_cli("optimize " + q(dir / "nope.onnx") + " -o " + q(dir / "x.onnx"));
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  CliResult level = run_cli("optimize " + q(in) + " -O7 -o " + q(dir / "x.onnx"));
  EXPECT_NE(level.rc, 0);
  EXPECT_NE(level.err.find("7"), std::string::npos) << level.err;
  CliResult no_out = run_cli("optimize " + q(in));
  EXPECT_EQ(no_out.rc, 1);
  EXPECT_NE(no_out.err.find("-o OUT"), std::string::npos) << no_out.err;
  CliResult pass = run_cli("optimize " + q(in) + " --disable-pass NoSuchPass -o " + q(dir / "x.onnx"));
  EXPECT_EQ(pass.rc, 1);
  EXPECT_NE(pass.err.find("NoSuchPass"), std::string::npos) << pass.err;
  // Overwriting the input is refused.
  fs::copy_file(in, dir / "m.onnx");
  CliResult same = run_cli("optimize " + q(dir / "m.onnx") + " -o " + q(dir / "m.onnx"));
  EXPECT_EQ(same.rc, 1);
  EXPECT_NE(same.err.find("overwrite"), std::string::npos) << same.err;
}

}  // namespace
}  // namespace onyx::test
