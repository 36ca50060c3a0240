// ONNX backend node conformance runner (Debian's libonnx-testdata).
//
// Runs every test in <data>/node/test_*/ (model.onnx + test_data_set_N/{input,output}_K.pb) whose ops all have
// an onyx CPU kernel, compares outputs with |got - want| <= atol + rtol * |want| (atol 1e-5, rtol 1e-3, as
// ONNX Runtime's onnx_test_runner; exact for integers and bool; NaN == NaN), and prints per op: passed /
// failed / not implemented, like onnx_test_runner, plus totals.
//
// A test whose ops are all registered must pass unless tests/conformance/exceptions.txt lists it with a reason.
// Exit code: 0 when every such test passed or is listed; 1 otherwise (and when a listed test passes:
// keep the list honest).
//
//   onnx_conformance [--data DIR] [--filter SUBSTR] [--exceptions FILE] [--verbose]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "onyx/session.h"
#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/registry.h"
#include "src/onnx/model_loader.h"
#include "src/onnx/tensor_proto.h"

namespace fs = std::filesystem;
using namespace onyx;

namespace {

enum class Outcome { kPassed, kFailed, kNotImplemented, kExcepted };

struct TestResult {
  std::string name;
  Outcome outcome = Outcome::kPassed;
  std::string detail;
  std::set<std::string> ops;
  std::set<std::string> missing_ops;
};

template <typename T>
double as_double(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) return to_float(v);
  else return static_cast<double>(v);
}

// Empty string when equal within tolerance, otherwise a description of the first mismatch.
std::string compare(const Tensor& got, const Tensor& want, double atol, double rtol) {
  if (got.dtype() != want.dtype())
    return "dtype " + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  if (got.shape() != want.shape())
    return "shape " + shape_to_string(got.shape()) + ", expected " + shape_to_string(want.shape());
  std::string mismatch;
  Status s = visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t,
                         int64_t, uint64_t, bool>(got.dtype(), "compare", [&]<typename T>() {
    const T* g = got.data<T>();
    const T* w = want.data<T>();
    for (int64_t i = 0; i < got.numel(); ++i) {
      bool ok;
      if constexpr (std::is_integral_v<T>) {
        ok = g[i] == w[i];
      } else {
        const double a = as_double(g[i]), b = as_double(w[i]);
        if (std::isnan(a) || std::isnan(b)) ok = std::isnan(a) && std::isnan(b);
        else if (std::isinf(a) || std::isinf(b)) ok = a == b;
        else ok = std::fabs(a - b) <= atol + rtol * std::fabs(b);
      }
      if (!ok) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "element %lld: got %.9g, expected %.9g", static_cast<long long>(i),
                      as_double(g[i]), as_double(w[i]));
        mismatch = buf;
        return ok_status();
      }
    }
    return ok_status();
  });
  if (!s.ok()) return s.message();
  return mismatch;
}

// ONNX 1.12's backend test data stores bfloat16 tensors with data_type UINT16 (the same 16 bits): read them as
// bfloat16 where the model declares bfloat16.
Tensor bfloat16_from_uint16_quirk(const Tensor& t, DType declared) {
  if (t.dtype() == DType::kUInt16 && declared == DType::kBFloat16) return Tensor(DType::kBFloat16, t.shape(), t.buffer());
  return t;
}

std::vector<fs::path> sorted_files(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) files.push_back(e.path());
  // input_10 after input_9: sort by the number.
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    return std::stoi(a.stem().string().substr(prefix.size())) < std::stoi(b.stem().string().substr(prefix.size()));
  });
  return files;
}

TestResult run_test(const fs::path& dir) {
  TestResult r;
  r.name = dir.filename().string();
  const std::string model_path = (dir / "model.onnx").string();
  auto graph = onnx_io::load_model_file(model_path);
  if (!graph.ok()) {
    r.outcome = graph.status().code() == StatusCode::kNotImplemented ? Outcome::kNotImplemented : Outcome::kFailed;
    r.detail = graph.status().to_string();
    return r;
  }
  for (const auto& n : graph->nodes) {
    const std::string op = (n.domain.empty() ? "" : n.domain + ".") + n.op_type;
    r.ops.insert(op);
    if (n.has_subgraph() || !cpu::find_cpu_kernel(n.op_type, n.domain, graph->opset(n.domain))) r.missing_ops.insert(op);
  }
  if (!r.missing_ops.empty()) {
    r.outcome = Outcome::kNotImplemented;
    r.detail = "no kernel";
    return r;
  }
  auto session = Session::create(model_path);
  if (!session.ok()) {
    r.outcome = session.status().code() == StatusCode::kNotImplemented ? Outcome::kNotImplemented : Outcome::kFailed;
    r.detail = session.status().to_string();
    return r;
  }
  const auto& declared_inputs = (*session)->inputs();
  const auto& declared_outputs = (*session)->outputs();
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory() || entry.path().filename().string().rfind("test_data_set_", 0) != 0) continue;
    const fs::path set_dir = entry.path();
    NamedTensors inputs;
    const auto input_files = sorted_files(set_dir, "input_");
    for (size_t k = 0; k < input_files.size(); ++k) {
      std::string name;
      auto t = onnx_io::read_tensor_proto_file(input_files[k].string(), &name);
      if (!t.ok()) {
        r.outcome = t.status().code() == StatusCode::kNotImplemented ? Outcome::kNotImplemented : Outcome::kFailed;
        r.detail = t.status().to_string();
        return r;
      }
      if (name.empty() && k < declared_inputs.size()) name = declared_inputs[k].name;
      Tensor value = std::move(t).value();
      if (k < declared_inputs.size()) value = bfloat16_from_uint16_quirk(value, declared_inputs[k].dtype);
      inputs.emplace_back(name, std::move(value));
    }
    auto outputs = (*session)->run(inputs);
    if (!outputs.ok()) {
      r.outcome = outputs.status().code() == StatusCode::kNotImplemented ? Outcome::kNotImplemented : Outcome::kFailed;
      r.detail = set_dir.filename().string() + ": " + outputs.status().to_string();
      return r;
    }
    const auto output_files = sorted_files(set_dir, "output_");
    for (size_t k = 0; k < output_files.size() && k < outputs->size(); ++k) {
      auto want = onnx_io::read_tensor_proto_file(output_files[k].string());
      if (!want.ok()) {
        r.outcome = want.status().code() == StatusCode::kNotImplemented ? Outcome::kNotImplemented : Outcome::kFailed;
        r.detail = want.status().to_string();
        return r;
      }
      const std::string diff =
          compare((*outputs)[k].second, bfloat16_from_uint16_quirk(*want, (*outputs)[k].second.dtype()), 1e-5, 1e-3);
      if (!diff.empty()) {
        r.outcome = Outcome::kFailed;
        r.detail = set_dir.filename().string() + " output '" + declared_outputs[k].name + "': " + diff;
        return r;
      }
    }
  }
  return r;
}

std::map<std::string, std::string> read_exceptions(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.find_first_of(" \t");
    std::string name = line.substr(0, sp);
    std::string reason = sp == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", sp));
    out[name] = reason;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "/usr/share/libonnx-testdata/data/node";
  std::string filter;
  std::string exceptions_path = std::string(ONYX_SOURCE_DIR) + "/tests/conformance/exceptions.txt";
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--data" && i + 1 < argc) data = argv[++i];
    else if (a == "--filter" && i + 1 < argc) filter = argv[++i];
    else if (a == "--exceptions" && i + 1 < argc) exceptions_path = argv[++i];
    else if (a == "--verbose" || a == "-v") verbose = true;
    else {
      std::fprintf(stderr, "usage: onnx_conformance [--data DIR] [--filter SUBSTR] [--exceptions FILE] [--verbose]\n");
      return 2;
    }
  }
  if (!fs::is_directory(data)) {
    std::fprintf(stderr, "onnx_conformance: %s not found (install Debian's libonnx-testdata)\n", data.c_str());
    return 1;
  }
  const auto exceptions = read_exceptions(exceptions_path);
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(data))
    if (e.is_directory() && e.path().filename().string().find(filter) != std::string::npos) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());

  struct OpStats {
    int passed = 0, failed = 0, not_implemented = 0, excepted = 0;
  };
  std::map<std::string, OpStats> by_op;
  int passed = 0, failed = 0, not_implemented = 0, excepted = 0, stale_exceptions = 0;
  std::vector<std::string> failures, stale;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& dir : dirs) {
    TestResult r = run_test(dir);
    auto ex = exceptions.find(r.name);
    const bool listed = ex != exceptions.end();
    // A registered-op test that fails or reports NotImplemented at run time is a failure unless listed.
    if (r.outcome == Outcome::kNotImplemented && r.missing_ops.empty() && !r.ops.empty()) r.outcome = Outcome::kFailed;
    if (r.outcome == Outcome::kFailed && listed) r.outcome = Outcome::kExcepted;
    if (r.outcome == Outcome::kPassed && listed) {
      ++stale_exceptions;
      stale.push_back(r.name);
    }
    const std::set<std::string>& ops = r.outcome == Outcome::kNotImplemented && !r.missing_ops.empty() ? r.missing_ops : r.ops;
    for (const auto& op : ops.empty() ? std::set<std::string>{"(unloadable)"} : ops) {
      OpStats& s = by_op[op];
      switch (r.outcome) {
        case Outcome::kPassed: ++s.passed; break;
        case Outcome::kFailed: ++s.failed; break;
        case Outcome::kNotImplemented: ++s.not_implemented; break;
        case Outcome::kExcepted: ++s.excepted; break;
      }
    }
    switch (r.outcome) {
      case Outcome::kPassed: ++passed; break;
      case Outcome::kFailed: ++failed; failures.push_back(r.name + ": " + r.detail); break;
      case Outcome::kNotImplemented: ++not_implemented; break;
      case Outcome::kExcepted: ++excepted; break;
    }
    if (verbose) {
      const char* tag[] = {"PASS", "FAIL", "N/I ", "EXC "};
      std::printf("%s %s%s%s\n", tag[static_cast<int>(r.outcome)], r.name.c_str(), r.detail.empty() ? "" : "  ",
                  r.detail.c_str());
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("ONNX node conformance (%s)\n", data.c_str());
  std::printf("Stats by operator type (tests using the op):\n");
  std::printf("  %-34s %7s %7s %9s %9s\n", "op", "passed", "failed", "excepted", "not impl");
  std::vector<std::string> not_impl_ops;
  for (const auto& [op, s] : by_op) {
    if (s.passed + s.failed + s.excepted == 0) {
      not_impl_ops.push_back(op + "(" + std::to_string(s.not_implemented) + ")");
      continue;
    }
    std::printf("  %-34s %7d %7d %9d %9d\n", op.c_str(), s.passed, s.failed, s.excepted, s.not_implemented);
  }
  std::printf("Not implemented ops (tests): ");
  for (size_t i = 0; i < not_impl_ops.size(); ++i) std::printf("%s%s", i ? ", " : "", not_impl_ops[i].c_str());
  std::printf("\n\nresult:\n  Models: %zu\n  Succeeded: %d\n  Failed: %d\n  Excepted (listed in exceptions.txt): %d\n"
              "  Not implemented: %d\n  Time: %.1f s\n",
              dirs.size(), passed, failed, excepted, not_implemented, secs);
  if (!failures.empty()) {
    std::printf("\nFailed test cases:\n");
    for (const auto& f : failures) std::printf("  %s\n", f.c_str());
  }
  if (!stale.empty()) {
    std::printf("\nListed in exceptions.txt but passing now (remove them):\n");
    for (const auto& s : stale) std::printf("  %s\n", s.c_str());
  }
  std::printf("\n%d passed, %d failed\n", passed, failed + stale_exceptions);
  return failed + stale_exceptions == 0 ? 0 : 1;
}
