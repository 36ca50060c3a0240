#include "tests/passes/pass_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <random>

#include "src/onnx/model_loader.h"
#include "src/onnx/model_saver.h"

namespace onyx::test {

PassResult run_passes(const std::string& model_bytes, const std::vector<std::string>& passes, opt::Level level,
                      bool any_ep) {
  PassResult r;
  auto g = onnx_io::load_model_bytes(model_bytes, ".", {.run_onnx_checker = false});
  if (!g.ok()) {
    ADD_FAILURE() << "loading the test model failed: " << g.status().to_string();
    return r;
  }
  r.graph = std::move(g).value();
  opt::OptimizeOptions o;
  o.level = level;
  o.only_passes = passes;
  if (any_ep) o.ep_supports = [](const ir::Graph&, std::string_view, std::string_view) { return true; };
  auto report = opt::optimize(r.graph, o);
  if (!report.ok()) {
    ADD_FAILURE() << "optimize failed: " << report.status().to_string();
    return r;
  }
  r.report = std::move(report).value();
  return r;
}

int count_ops(const ir::Graph& graph, const std::string& op) {
  int n = 0;
  for (const auto& node : graph.nodes) n += node.op_type == op;
  return n;
}

namespace {

Result<NamedTensors> run_bytes(const std::string& bytes, const NamedTensors& inputs) {
  SessionOptions options;
  options.optimization_level = 0;
  options.threads = 1;
  options.run_onnx_checker = false;
  ONYX_ASSIGN_OR_RETURN(auto session, Session::create_from_bytes(bytes, options, "."));
  return session->run(inputs);
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.dtype() != DType::kFloat32 || b.dtype() != DType::kFloat32) {
    // Non-float outputs must be bitwise equal.
    if (a.nbytes() != b.nbytes()) return INFINITY;
    return std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0 ? 0.0 : INFINITY;
  }
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double d = std::fabs(static_cast<double>(a.data<float>()[i]) - b.data<float>()[i]);
    if (std::isnan(d)) return INFINITY;
    m = std::max(m, d);
  }
  return m;
}

}  // namespace

double expect_same_outputs(const std::string& model_bytes, const PassResult& optimized, const NamedTensors& inputs,
                           double tol) {
  auto expected = run_bytes(model_bytes, inputs);
  if (!expected.ok()) {
    ADD_FAILURE() << "running the unoptimized model failed: " << expected.status().to_string();
    return INFINITY;
  }
  auto saved = onnx_io::save_model_bytes(optimized.graph);
  if (!saved.ok()) {
    ADD_FAILURE() << "saving the optimized graph failed: " << saved.status().to_string();
    return INFINITY;
  }
  auto got = run_bytes(*saved, inputs);
  if (!got.ok()) {
    ADD_FAILURE() << "running the optimized model failed: " << got.status().to_string();
    return INFINITY;
  }
  double worst = 0;
  EXPECT_EQ(expected->size(), got->size());
  for (size_t i = 0; i < expected->size() && i < got->size(); ++i) {
    const Tensor& a = (*expected)[i].second;
    const Tensor& b = (*got)[i].second;
    EXPECT_EQ(a.shape(), b.shape()) << "output " << (*expected)[i].first;
    if (a.shape() != b.shape()) return INFINITY;
    const double d = max_abs_diff(a, b);
    EXPECT_LE(d, tol) << "output " << (*expected)[i].first;
    worst = std::max(worst, d);
  }
  return worst;
}

Tensor random_floats(Shape shape, unsigned seed, float lo, float hi) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

int layer_count(const std::string& dir) {
  std::ifstream f(dir + "/config.json");
  if (!f) return -1;
  const auto c = nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
  if (!c.is_object()) return -1;
  for (const char* key : {"num_hidden_layers", "n_layers", "n_layer", "num_layers"})
    if (c.contains(key) && c[key].is_number_integer()) return c[key].get<int>();
  return -1;
}

}  // namespace onyx::test
