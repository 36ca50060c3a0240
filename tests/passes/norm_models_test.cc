// The normalization fusions alone on every committed test model (tests/models/data, scripts/export_test_models.py),
// fused as if the EP implemented every op (so this runs before the CPU kernels exist):
//   - SkipLayerNormalization (T5: SkipSimplifiedLayerNormalization) >= 2 * layers - 1,
//   - EmbedLayerNormalization == 1 on every model with an embedding LayerNorm (all but T5: its first norm reads the
//     bare word embedding, there is no embedding LayerNorm),
//   - no decomposed LayerNorm / RMSNorm left (no ReduceMean).
// With ONYX_NORM_SAVE_DIR set, the fused models are saved there as <model>.onnx, so ONNX Runtime can run them
// against the originals (tests/passes/norm_models_ort.js).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "src/onnx/model_saver.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(ONYX_SOURCE_DIR) / "tests/models/data";



TEST(NormFusionsOnTestModels, CountsPerModel) {
  int models = 0;
  const char* save_dir = std::getenv("ONYX_NORM_SAVE_DIR");
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(kRoot))
    if (fs::exists(d.path() / "model.onnx")) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    const std::string name = dir.filename().string();
    SCOPED_TRACE(name);
    const int layers = layer_count(dir);
    ASSERT_GT(layers, 0);
    PassResult r = run_passes(read_file(dir / "model.onnx"),
                              {"FuseLayerNorm", "FuseSimplifiedLayerNorm", "FuseEmbedLayerNorm", "FuseSkipLayerNorm"},
                              opt::Level::kExtended, /*any_ep=*/true);
    const bool t5 = name.rfind("t5", 0) == 0;
    const int skip = count_ops(r.graph, t5 ? "SkipSimplifiedLayerNormalization" : "SkipLayerNormalization");
    const int embed = count_ops(r.graph, "EmbedLayerNormalization");
    std::printf(
        "%-28s layers %d  SkipLayerNormalization %d  SkipSimplifiedLayerNormalization %d  "
        "EmbedLayerNormalization %d  LayerNormalization %d  SimplifiedLayerNormalization %d\n",
        name.c_str(), layers, count_ops(r.graph, "SkipLayerNormalization"),
        count_ops(r.graph, "SkipSimplifiedLayerNormalization"), embed, count_ops(r.graph, "LayerNormalization"),
        count_ops(r.graph, "SimplifiedLayerNormalization"));
    EXPECT_GE(skip, 2 * layers - 1);
    EXPECT_EQ(embed, t5 ? 0 : 1);
    EXPECT_EQ(count_ops(r.graph, "ReduceMean"), 0);
    if (save_dir) {
      auto bytes = onnx_io::save_model_bytes(r.graph);
      ASSERT_TRUE(bytes.ok()) << bytes.status().to_string();
      std::ofstream(fs::path(save_dir) / (name + ".onnx"), std::ios::binary) << *bytes;
    }
    ++models;
  }
  EXPECT_GE(models, 26);
}

}  // namespace
}  // namespace onyx::test
