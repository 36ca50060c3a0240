// FuseMatMulBiasGelu (session-only): MatMul (constant weight) + BiasGelu / Gelu / FastGelu ->
// com.onyx.MatMulBiasGelu. Pattern built in code, pass on vs off (outputs and node counts); cases that must not
// fuse; every exported test model run by a Session with the fusion on vs disabled by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "src/onnx/model_loader.h"
#include "tests/passes/pass_test_util.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;

// Runs the levels up to extended plus (or without) the runtime fusions on `bytes`.
PassResult optimize_bytes(const std::string& bytes, bool runtime_fusions, opt::Level level = opt::Level::kExtended,
                          std::vector<std::string> disabled = {}) {
  PassResult r;
  auto g = onnx_io::load_model_bytes(bytes, ".", {.run_onnx_checker = false});
  if (!g.ok()) {
    ADD_FAILURE() << g.status().to_string();
    return r;
  }
  r.graph = std::move(g).value();
  opt::OptimizeOptions o;
  o.level = level;
  o.runtime_fusions = runtime_fusions;
  o.disabled_passes = std::move(disabled);
  auto report = opt::optimize(r.graph, o);
  if (!report.ok()) {
    ADD_FAILURE() << report.status().to_string();
    return r;
  }
  r.report = std::move(report).value();
  return r;
}

enum class Act { kBiasGelu, kGelu, kFastGelu, kFastGeluBias };

// x [2, 5, 16] -> MatMul(W [16, 24]) -> activation -> y; `extra_reader` also sends the MatMul output to a graph
// output (so the fusion must not fire).
std::string dense_gelu_model(Act act, bool extra_reader = false, bool weight_is_input = false) {
  ModelBuilder m(17);
  m.opset("com.microsoft", 1);
  m.input("x", DType::kFloat32, {2, 5, 16});
  if (weight_is_input)
    m.input("w", DType::kFloat32, {16, 24});
  else
    m.initializer("w", random_floats({16, 24}, 7, -0.5f, 0.5f));
  m.initializer("b", random_floats({24}, 8, -0.5f, 0.5f));
  m.node("MatMul", {"x", "w"}, {"h"});
  switch (act) {
    case Act::kBiasGelu: m.node("BiasGelu", {"h", "b"}, {"y"}, "com.microsoft"); break;
    case Act::kGelu: m.node("Gelu", {"h"}, {"y"}, "com.microsoft"); break;
    case Act::kFastGelu: m.node("FastGelu", {"h"}, {"y"}, "com.microsoft"); break;
    case Act::kFastGeluBias: m.node("FastGelu", {"h", "b"}, {"y"}, "com.microsoft"); break;
  }
  m.output("y", DType::kFloat32, {2, 5, 24});
  if (extra_reader) m.output("h", DType::kFloat32, {2, 5, 24});
  return m.bytes();
}

NamedTensors dense_inputs(bool weight_is_input = false) {
  NamedTensors in = {{"x", random_floats({2, 5, 16}, 3, -2.f, 2.f)}};
  if (weight_is_input) in.emplace_back("w", random_floats({16, 24}, 7, -0.5f, 0.5f));
  return in;
}

TEST(FuseMatMulBiasGelu, EachActivationFormFusesAndMatchesTheUnfusedGraph) {
  for (Act act : {Act::kBiasGelu, Act::kGelu, Act::kFastGelu, Act::kFastGeluBias}) {
    SCOPED_TRACE(static_cast<int>(act));
    const std::string bytes = dense_gelu_model(act);
    PassResult r = optimize_bytes(bytes, true);
    EXPECT_EQ(count_ops(r.graph, "MatMulBiasGelu"), 1);
    EXPECT_EQ(count_ops(r.graph, "MatMul"), 0);
    EXPECT_EQ(r.graph.nodes.size(), 1u);
    EXPECT_EQ(r.report.created["MatMulBiasGelu"], 1);
    // The epilogue's GELU (oneDNN's erf / tanh) and the row kernels' differ by a few float ulps.
    expect_same_outputs(bytes, r, dense_inputs(), 1e-5);
  }
}

// Precision::kInt8: the fused kernel packs the weight as int8 (pack_int8_weights) and applies bias + GELU in the
// int8 GEMM's epilogue; the unfused graph runs the int8 MatMul and then the fp32 activation: the same int32
// accumulation and scaling, so they agree to float rounding.
TEST(FuseMatMulBiasGelu, Int8SessionsMatchWithAndWithoutTheFusion) {
  for (Act act : {Act::kBiasGelu, Act::kGelu, Act::kFastGeluBias}) {
    SCOPED_TRACE(static_cast<int>(act));
    const std::string bytes = dense_gelu_model(act);
    SessionOptions on, off;
    on.precision = off.precision = SessionOptions::Precision::kInt8;
    off.disabled_passes = {"FuseMatMulBiasGelu"};
    auto a = Session::create_from_bytes(bytes, on, ".");
    auto b = Session::create_from_bytes(bytes, off, ".");
    ASSERT_TRUE(a.ok() && b.ok()) << (a.ok() ? b.status().to_string() : a.status().to_string());
    auto ya = (*a)->run(dense_inputs());
    auto yb = (*b)->run(dense_inputs());
    ASSERT_TRUE(ya.ok() && yb.ok());
    const Tensor& p = (*ya)[0].second;
    const Tensor& q = (*yb)[0].second;
    ASSERT_EQ(p.shape(), q.shape());
    double worst = 0;
    for (int64_t k = 0; k < p.numel(); ++k)
      worst = std::max(worst, static_cast<double>(std::fabs(p.data<float>()[k] - q.data<float>()[k])));
    EXPECT_LE(worst, 1e-5);
  }
}

TEST(FuseMatMulBiasGelu, OnlyWhenAsked) {
  const std::string bytes = dense_gelu_model(Act::kBiasGelu);
  EXPECT_EQ(count_ops(optimize_bytes(bytes, false).graph, "MatMulBiasGelu"), 0);  // `onyx optimize`: ORT-loadable
  EXPECT_EQ(count_ops(optimize_bytes(bytes, true, opt::Level::kNone).graph, "MatMulBiasGelu"), 0);  // -O 0
  EXPECT_EQ(count_ops(optimize_bytes(bytes, true, opt::Level::kExtended, {"FuseMatMulBiasGelu"}).graph,
                      "MatMulBiasGelu"),
            0);
}

TEST(FuseMatMulBiasGelu, NotWhenTheMatMulOutputHasAnotherReaderOrTheWeightIsNotConstant) {
  {
    const std::string bytes = dense_gelu_model(Act::kBiasGelu, /*extra_reader=*/true);
    PassResult r = optimize_bytes(bytes, true);
    EXPECT_EQ(count_ops(r.graph, "MatMulBiasGelu"), 0);
    expect_same_outputs(bytes, r, dense_inputs(), 1e-6);
  }
  {
    const std::string bytes = dense_gelu_model(Act::kBiasGelu, false, /*weight_is_input=*/true);
    PassResult r = optimize_bytes(bytes, true);
    EXPECT_EQ(count_ops(r.graph, "MatMulBiasGelu"), 0);
    expect_same_outputs(bytes, r, dense_inputs(true), 1e-6);
  }
}

TEST(FuseMatMulBiasGelu, RemovePaddingCanBeDisabledByNameToo) {
  opt::OptimizeOptions o;
  o.disabled_passes = {"RemovePadding", "FuseMatMulBiasGelu"};
  ir::Graph g;
  EXPECT_TRUE(opt::optimize(g, o).ok());
  o.disabled_passes = {"NoSuchPass"};
  EXPECT_FALSE(opt::optimize(g, o).ok());
}

// ---- every exported encoder: Session with the fusion (the default) vs disabled by name ----

fs::path models_root() { return fs::path(ONYX_SOURCE_DIR) / "tests/models/data"; }

NamedTensors model_inputs(const Session& s, int64_t batch, int64_t seq) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int64_t> id(1, 90);  // every test model's vocab is larger
  NamedTensors in;
  for (const ValueInfo& v : s.inputs()) {
    std::vector<int64_t> vals(batch * seq, 0);
    if (v.name == "input_ids")
      for (auto& x : vals) x = id(rng);
    else if (v.name == "attention_mask")
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t t = 0; t < seq; ++t) vals[b * seq + t] = t < seq - b ? 1 : 0;  // row b has b padding tokens
    else if (v.name != "token_type_ids")
      return {};  // past key/values etc.: not this test's business
    in.emplace_back(v.name, Tensor::from_vector<int64_t>({batch, seq}, vals));
  }
  return in;
}

// Regression (CI of 966e6bc: pass_remove_padding_test saw nonzero values at padding positions): the fusion ran
// before RemovePadding, which does not know com.onyx.MatMulBiasGelu as token-wise, so the FFN was unpacked and run
// on the padded batch. It runs after RemovePadding now: the FFN stays packed and still fuses.
TEST(FuseMatMulBiasGeluModels, RunsAfterRemovePaddingSoTheFeedForwardStaysPacked) {
  for (const char* name : {"distilbert_opset17", "bert_opset14"}) {
    SCOPED_TRACE(name);
    const fs::path dir = models_root() / name;
    const std::string bytes = read_file(dir / "model.onnx");
    auto count_after = [&](bool runtime_fusions, const std::string& op) {
      auto g = onnx_io::load_model_bytes(bytes, dir.string(), {.run_onnx_checker = false});
      EXPECT_TRUE(g.ok());
      if (!g.ok()) return -1;
      opt::OptimizeOptions o;
      o.remove_padding = true;
      o.runtime_fusions = runtime_fusions;
      EXPECT_TRUE(opt::optimize(*g, o).ok());
      return count_ops(*g, op);
    };
    const int layers = layer_count(dir.string());
    EXPECT_EQ(count_after(true, "MatMulBiasGelu"), layers);
    EXPECT_EQ(count_after(true, "UnpackTokens"), count_after(false, "UnpackTokens"));
    EXPECT_EQ(count_after(true, "PackTokens"), 1);
  }
}

TEST(FuseMatMulBiasGeluModels, SessionsWithTheFusionMatchSessionsWithout) {
  int fused_models = 0, checked = 0;
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(models_root()))
    if (fs::exists(d.path() / "model.onnx")) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    const std::string bytes = read_file(dir / "model.onnx");
    PassResult r = optimize_bytes(bytes, true);
    const int fused = count_ops(r.graph, "MatMulBiasGelu");
    fused_models += fused > 0;
    SessionOptions on, off;
    on.threads = off.threads = 2;
    off.disabled_passes = {"FuseMatMulBiasGelu"};
    auto a = Session::create_from_bytes(bytes, on, dir.string());
    auto b = Session::create_from_bytes(bytes, off, dir.string());
    ASSERT_TRUE(a.ok() && b.ok()) << (a.ok() ? b.status().to_string() : a.status().to_string());
    const NamedTensors in = model_inputs(**a, 3, 9);
    if (in.empty()) continue;
    auto ya = (*a)->run(in);
    auto yb = (*b)->run(in);
    ASSERT_TRUE(ya.ok() && yb.ok());
    ASSERT_EQ(ya->size(), yb->size());
    for (size_t i = 0; i < ya->size(); ++i) {
      const Tensor& p = (*ya)[i].second;
      const Tensor& q = (*yb)[i].second;
      ASSERT_EQ(p.shape(), q.shape());
      if (p.dtype() != DType::kFloat32) continue;
      double worst = 0;
      for (int64_t k = 0; k < p.numel(); ++k)
        worst = std::max(worst, static_cast<double>(std::fabs(p.data<float>()[k] - q.data<float>()[k])));
      EXPECT_LE(worst, 1e-4) << (*ya)[i].first;
    }
    ++checked;
  }
  EXPECT_GE(checked, 24);
  // BERT-family FFNs (erf GELU) and GPT-2's (tanh) fuse; T5's ReLU FFNs do not.
  EXPECT_GE(fused_models, 20);
}

}  // namespace
}  // namespace onyx::test
