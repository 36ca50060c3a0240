// FuseAttention on the committed encoder test models (tests/models/data, scripts/export_test_models.py): one
// Attention per layer at both opsets, whatever the mask form (finfo.min or -10000 additive, Where, bool, SDPA),
// matched for a hypothetical EP with every op, so the pattern is checked whether or not the CPU kernel exists.
// When the CPU EP runs Attention, the fused model's outputs are also compared with the PyTorch reference outputs
// stored beside the model (1e-4, the manifest's tolerance).
//
// ONYX_ATTENTION_MODELS_DIR=DIR (optional) checks the models of another folder laid out the same way (<model>/
// model.onnx + config.json [+ case_*/]), e.g. exports without constant folding or real Hugging Face exports.
// ONYX_ATTENTION_SAVE_DIR=DIR (optional) saves each fused model as DIR/<model>/model.onnx (for running it in ONNX
// Runtime by hand).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "src/core/npy.h"
#include "src/onnx/model_saver.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;

fs::path models_root() {
  const char* dir = std::getenv("ONYX_ATTENTION_MODELS_DIR");
  return dir ? fs::path(dir) : fs::path(ONYX_SOURCE_DIR) / "tests/models/data";
}



bool is_encoder(const fs::path& dir) {
  std::ifstream f(dir / "config.json");
  const auto c = nlohmann::json::parse(f);
  return c.value("model_type", "") != "gpt2";
}

TEST(FuseAttentionModels, OneAttentionPerLayerOnEveryEncoderTestModel) {
  const fs::path root = models_root();
  ASSERT_TRUE(fs::is_directory(root)) << root;
  const char* save_dir = std::getenv("ONYX_ATTENTION_SAVE_DIR");
  int checked = 0;
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(root))
    if (fs::exists(d.path() / "model.onnx") && fs::exists(d.path() / "config.json")) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    if (!is_encoder(dir)) continue;
    const std::string name = dir.filename().string();
    SCOPED_TRACE(name);
    const std::string bytes = read_file(dir / "model.onnx");
    PassResult r = run_passes(bytes, {"FuseAttention"}, opt::Level::kReducedPrecision, /*any_ep=*/true);
    const int layers = layer_count(dir);
    EXPECT_EQ(count_ops(r.graph, "Attention"), layers);
    EXPECT_EQ(count_ops(r.graph, "Softmax"), 0);
    // Also after the other O2 passes (folding, LayerNorm/EmbedLayerNorm fusions run first and reshape the graph).
    PassResult o2 = run_passes(bytes, {}, opt::Level::kExtended, /*any_ep=*/true);
    EXPECT_EQ(count_ops(o2.graph, "Attention"), layers) << "with every O2 pass";
    std::printf("%-28s layers %d  Attention %d (alone)  %d (all O2 passes)\n", name.c_str(), layers,
                count_ops(r.graph, "Attention"), count_ops(o2.graph, "Attention"));
    ++checked;
    if (save_dir) {
      fs::create_directories(fs::path(save_dir) / name);
      auto saved = onnx_io::save_model_bytes(r.graph);
      ASSERT_TRUE(saved.ok()) << saved.status().to_string();
      std::ofstream(fs::path(save_dir) / name / "model.onnx", std::ios::binary) << *saved;
    }
    // Outputs against PyTorch, when the CPU EP has the kernel (then the pass fuses for it).
    PassResult cpu = run_passes(bytes, {"FuseAttention"});
    if (count_ops(cpu.graph, "Attention") != layers) continue;
    auto saved = onnx_io::save_model_bytes(cpu.graph);
    ASSERT_TRUE(saved.ok()) << saved.status().to_string();
    SessionOptions options;
    options.optimization_level = 0;
    options.run_onnx_checker = false;
    auto session = Session::create_from_bytes(*saved, options, dir.string());
    ASSERT_TRUE(session.ok()) << session.status().to_string();
    double worst_model = 0;
    for (const auto& c : fs::directory_iterator(dir)) {
      if (!c.is_directory() || c.path().filename().string().rfind("case_", 0) != 0) continue;
      NamedTensors inputs;
      std::vector<std::pair<std::string, Tensor>> expected;
      for (const auto& f : fs::directory_iterator(c.path())) {
        const std::string fn = f.path().filename().string();
        auto t = read_npy(f.path().string());
        ASSERT_TRUE(t.ok()) << fn;
        const std::string stem = f.path().stem().string();
        if (fn.rfind("input_", 0) == 0)
          inputs.emplace_back(stem.substr(6), *t);
        else if (fn.rfind("output_", 0) == 0)
          expected.emplace_back(stem.substr(7), *t);
      }
      auto got = (*session)->run(inputs);
      ASSERT_TRUE(got.ok()) << got.status().to_string();
      for (const auto& [out_name, want] : expected) {
        const Tensor* have = nullptr;
        for (const auto& [n, t] : *got)
          if (n == out_name) have = &t;
        ASSERT_NE(have, nullptr) << out_name;
        ASSERT_EQ(have->shape(), want.shape()) << out_name;
        double worst = 0;
        for (int64_t i = 0; i < want.numel(); ++i)
          worst = std::max(worst, static_cast<double>(std::fabs(have->data<float>()[i] - want.data<float>()[i])));
        EXPECT_LE(worst, 1e-4) << c.path().filename() << " " << out_name;
        worst_model = std::max(worst_model, worst);
      }
    }
    std::printf("%-28s CPU EP, FuseAttention only: max |fused - PyTorch| %.2e over all cases\n", name.c_str(),
                worst_model);
  }
  if (!std::getenv("ONYX_ATTENTION_MODELS_DIR")) {
    EXPECT_GE(checked, 30);  // 15 encoder models x 2 opsets
  }
}

}  // namespace
}  // namespace onyx::test
