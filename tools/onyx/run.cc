// onyx run MODEL.onnx --input NAME=FILE.npy ... [--output-dir DIR]: run a model once on .npy inputs.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "onyx/session.h"
#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/core/npy.h"
#include "tools/onyx/commands.h"

namespace onyx::cli {

namespace {

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::string output_dir;
  int threads = 0;
  int level = 99;
  SessionOptions::Precision precision = SessionOptions::Precision::kFp32;
  std::vector<std::string> disabled;
  bool no_check = false;
};

nlohmann::json tensor_json(const std::string& name, const Tensor& t) {
  nlohmann::json data = nlohmann::json::array();
  Status s = visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t,
                         int64_t, uint64_t, bool>(t.dtype(), "json", [&]<typename T>() {
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) data.push_back(to_float(t.data<T>()[i]));
      else data.push_back(t.data<T>()[i]);
    }
    return ok_status();
  });
  (void)s;
  return {{"name", name}, {"dtype", dtype_name(t.dtype())}, {"shape", t.shape()}, {"data", data}};
}

// Output names may contain '/' or ':'; keep file names safe.
std::string file_name_for(const std::string& name) {
  std::string f = name;
  for (char& c : f)
    if (c == '/' || c == '\\' || c == ':') c = '_';
  return f + ".npy";
}

int run_model(const RunOptions& o) {
  SessionOptions options;
  options.threads = o.threads;
  options.run_onnx_checker = !o.no_check;
  options.optimization_level = o.level;
  options.disabled_passes = o.disabled;
  options.precision = o.precision;
  auto session = Session::create(o.model, options);
  if (!session.ok()) return fail(session.status().to_string());
  NamedTensors inputs;
  for (const auto& spec : o.inputs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail("--input expects NAME=FILE.npy, got '" + spec + "'");
    auto t = read_npy(spec.substr(eq + 1));
    if (!t.ok()) return fail("input '" + spec.substr(0, eq) + "': " + t.status().message());
    inputs.emplace_back(spec.substr(0, eq), std::move(t).value());
  }
  auto outputs = (*session)->run(inputs);
  if (!outputs.ok()) return fail(outputs.status().to_string());
  if (!o.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.output_dir, ec);
    if (ec) return fail("cannot create output directory '" + o.output_dir + "': " + ec.message());
    for (const auto& [name, t] : *outputs) {
      const std::string path = (std::filesystem::path(o.output_dir) / file_name_for(name)).string();
      Status s = write_npy(path, t);
      if (!s.ok()) return fail(s.to_string());
      std::cerr << "wrote " << path << " " << dtype_name(t.dtype()) << " " << shape_to_string(t.shape()) << "\n";
    }
    return 0;
  }
  nlohmann::json j;
  j["outputs"] = nlohmann::json::array();
  for (const auto& [name, t] : *outputs) j["outputs"].push_back(tensor_json(name, t));
  std::cout << j.dump() << "\n";
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a model once on inputs from .npy files; print the outputs as JSON "
                                            "or write them as .npy files");
  cmd->add_option("model", o->model, "Path to the .onnx file")->required();
  cmd->add_option("-i,--input", o->inputs, "Input as NAME=FILE.npy (repeat for each model input)");
  cmd->add_option("-o,--output-dir", o->output_dir, "Write each output to DIR/<output name>.npy instead of JSON");
  cmd->add_option("--threads", o->threads, "Intra-op threads (0 = all cores)");
  cmd->add_option("-O,--level", o->level,
                  "Graph optimization level: 0 none, 1 basic, 2 extended, 3 approximate gelu, 4 bf16; 99 = all "
                  "exact (= 2)")
      ->capture_default_str();
  add_precision_option(cmd, o->precision);
  cmd->add_option("--disable-pass", o->disabled, "Skip an optimizer pass by name (repeatable)");
  cmd->add_flag("--no-check", o->no_check, "Skip ONNX's model checker");
  cmd->callback([o] {
    if (int rc = run_model(*o)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
