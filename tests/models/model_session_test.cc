// In-process checks on every committed test model (tests/models/data/<model>/model.onnx, case_*/ folders of
// input_<name>.npy and output_<name>.npy made by scripts/export_test_models.py from PyTorch):
//   - outputs equal the PyTorch references within 1e-4 (max abs);
//   - repeated runs do not grow the session's buffer pool after the first run;
//   - concurrent runs on one session give the sequential results bit for bit.
// (ONNX Runtime agreement and batched == one-by-one are checked by ort_compare.js.)
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <thread>

#include "onyx/session.h"
#include "src/core/npy.h"

namespace onyx::test {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string model;
  fs::path dir;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  const fs::path root = fs::path(ONYX_SOURCE_DIR) / "tests/models/data";
  if (!fs::is_directory(root)) return cases;
  for (const auto& m : fs::directory_iterator(root)) {
    if (!fs::exists(m.path() / "model.onnx")) continue;
    for (const auto& c : fs::directory_iterator(m.path()))
      if (c.is_directory() && c.path().filename().string().rfind("case_", 0) == 0) cases.push_back({m.path().string(), c.path()});
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.dir < b.dir; });
  return cases;
}

// name -> tensor for every <prefix><name>.npy in dir
NamedTensors read_prefixed(const fs::path& dir, const std::string& prefix) {
  NamedTensors out;
  for (const auto& f : fs::directory_iterator(dir)) {
    const std::string file = f.path().filename().string();
    if (file.rfind(prefix, 0) != 0 || f.path().extension() != ".npy") continue;
    auto t = read_npy(f.path().string());
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    if (t.ok()) out.emplace_back(file.substr(prefix.size(), file.size() - prefix.size() - 4), std::move(t).value());
  }
  return out;
}

double max_abs_diff_f32(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != DType::kFloat32 || b.dtype() != DType::kFloat32) return INFINITY;
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(double(a.data<float>()[i]) - b.data<float>()[i]));
  return m;
}

TEST(Models, MatchPyTorchReuseMemoryAndRunConcurrently) {
  const auto cases = all_cases();
  ASSERT_FALSE(cases.empty()) << "no test models under tests/models/data (run scripts/export_test_models.py)";
  std::map<std::string, std::unique_ptr<Session>> sessions;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.dir.string());
    auto& session = sessions[c.model];
    if (!session) {
      auto s = Session::create(c.model + "/model.onnx");
      ASSERT_TRUE(s.ok()) << s.status().to_string();
      session = std::move(s).value();
    }
    const NamedTensors inputs = read_prefixed(c.dir, "input_");
    const NamedTensors expected = read_prefixed(c.dir, "output_");
    auto first = session->run(inputs);
    ASSERT_TRUE(first.ok()) << first.status().to_string();
    for (const auto& [name, want] : expected) {
      const Tensor* got = nullptr;
      for (const auto& [n, t] : *first)
        if (n == name) got = &t;
      ASSERT_NE(got, nullptr) << "output " << name;
      EXPECT_LE(max_abs_diff_f32(*got, want), 1e-4) << "output " << name;
    }
    // Steady state: after this warm-up the pool must not grow.
    { auto warm = session->run(inputs); ASSERT_TRUE(warm.ok()); }
    const size_t pooled = session->pooled_bytes();
    for (int r = 0; r < 3; ++r) ASSERT_TRUE(session->run(inputs).ok());
    EXPECT_EQ(session->pooled_bytes(), pooled) << "buffer pool grew across identical runs";

    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < 3; ++t)
      threads.emplace_back([&] {
        for (int r = 0; r < 3; ++r) {
          auto out = session->run(inputs);
          if (!out.ok()) { ++mismatches; continue; }
          for (size_t k = 0; k < out->size(); ++k)
            if (max_abs_diff_f32((*out)[k].second, (*first)[k].second) != 0 &&
                (*out)[k].second.dtype() == DType::kFloat32) ++mismatches;
        }
      });
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0) << "concurrent runs differ from the sequential run";
  }
}

}  // namespace
}  // namespace onyx::test
