// onyx optimize IN -O1|-O2|-O3|-O4 -o OUT: run the graph optimizer offline and save the result.
//
// IN is an .onnx file or a model folder (model.onnx or onnx/model.onnx inside); for a folder, OUT is a folder that
// receives a copy of every other file (config.json, tokenizer files...) and the optimized model at the same
// relative path, so pipelines load it as they loaded IN. Prints what was fused (and --json for scripts).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "src/onnx/model_loader.h"
#include "src/onnx/model_saver.h"
#include "src/opt/pass_manager.h"
#include "tools/onyx/commands.h"
#include "tools/onyx/model_paths.h"

namespace onyx::cli {

namespace {

namespace fs = std::filesystem;

struct OptimizeCliOptions {
  std::string in;
  std::string out;
  int level = 2;
  std::vector<std::string> disabled;
  bool json = false;
  bool no_check = false;
  bool list_passes = false;
};

int run_optimize(const OptimizeCliOptions& o) {
  if (o.list_passes) {
    for (const auto& p : opt::registered_passes())
      std::cout << p->name() << "\t" << opt::level_name(p->level()) << "\n";
    return 0;
  }
  if (o.in.empty() || o.out.empty()) return fail("optimize needs IN and -o OUT (see onyx optimize --help)");
  auto level = opt::level_from_int(o.level);
  if (!level.ok()) return fail(level.status().message());
  auto paths = resolve_model_paths(o.in, o.out);
  if (!paths.ok()) return fail(paths.status().message());
  const bool folder = paths->folder;
  const fs::path in_model = paths->in_model, out_model = paths->out_model;
  std::error_code ec;

  const auto t0 = std::chrono::steady_clock::now();
  std::cerr << "loading " << in_model.string() << "\n";
  auto graph = onnx_io::load_model_file(in_model.string(), {.run_onnx_checker = !o.no_check});
  if (!graph.ok()) return fail(graph.status().to_string());
  std::cerr << "optimizing at " << opt::level_name(*level) << " (" << graph->nodes.size() << " nodes)\n";
  opt::OptimizeOptions options;
  options.level = *level;
  options.disabled_passes = o.disabled;
  auto report = opt::optimize(*graph, options);
  if (!report.ok()) return fail(report.status().to_string());
  const auto t1 = std::chrono::steady_clock::now();

  if (folder) {
    fs::create_directories(o.out, ec);
    if (ec) return fail("cannot create folder '" + o.out + "': " + ec.message());
    Status s = copy_companion_files(o.in, o.out, in_model);
    if (!s.ok()) return fail(s.to_string());
  }
  if (out_model.has_parent_path()) fs::create_directories(out_model.parent_path(), ec);
  std::cerr << "saving " << out_model.string() << "\n";
  Status saved = onnx_io::save_model_file(*graph, out_model.string());
  if (!saved.ok()) return fail(saved.to_string());
  const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();

  if (o.json) {
    nlohmann::json j;
    j["input"] = in_model.string();
    j["output"] = out_model.string();
    j["level"] = o.level;
    j["nodes_before"] = report->nodes_before;
    j["nodes_after"] = report->nodes_after;
    j["rounds"] = report->rounds;
    j["fused"] = report->created;
    j["rewrites"] = report->rewrites;
    j["optimize_ms"] = ms;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "optimized " << in_model.string() << " -> " << out_model.string() << " at "
            << opt::level_name(*level) << "\n";
  std::cout << "nodes: " << report->nodes_before << " -> " << report->nodes_after << " (" << report->rounds
            << " rounds, " << static_cast<int>(ms) << " ms)\n";
  std::cout << "fused ops:";
  if (report->created.empty()) std::cout << " none";
  for (const auto& [op, n] : report->created) std::cout << "\n  " << op << ": " << n;
  std::cout << "\nrewrites:";
  if (report->rewrites.empty()) std::cout << " none";
  for (const auto& [pass, n] : report->rewrites) std::cout << "\n  " << pass << ": " << n;
  std::cout << "\n";
  return 0;
}

}  // namespace

void add_optimize_command(CLI::App& app) {
  auto o = std::make_shared<OptimizeCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "optimize",
      "Optimize a model offline (constant folding, pruning, transformer fusions into com.microsoft ops) and save it; "
      "the result loads in onyx and ONNX Runtime");
  cmd->add_option("in", o->in, "Input .onnx file or model folder (model.onnx or onnx/model.onnx inside)");
  cmd->add_option("-o,--output", o->out,
                  "Output .onnx file (or folder: for a folder input, the whole folder is copied with the model "
                  "replaced)");
  cmd->add_option("-O,--level", o->level,
                  "1 basic (folding, no-op elimination, CSE, pruning), 2 extended (+ fusions: LayerNorm, Gelu, "
                  "SkipLayerNorm, Attention, EmbedLayerNorm, ...), 3 (+ Gelu -> FastGelu approximation), "
                  "4 (+ bf16 on CPUs with AVX512-BF16)")
      ->check(CLI::Range(0, 4))
      ->capture_default_str();
  cmd->add_option("--disable-pass", o->disabled, "Skip an optimizer pass by name (repeatable; see --list-passes)");
  cmd->add_flag("--list-passes", o->list_passes, "List the passes with their levels and exit");
  cmd->add_flag("--json", o->json, "Print the statistics as JSON");
  cmd->add_flag("--no-check", o->no_check, "Skip ONNX's model checker when loading");
  cmd->callback([o] {
    if (int rc = run_optimize(*o)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
