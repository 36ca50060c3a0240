// onyx quantize IN -o OUT --mode dynamic|static [--per-channel | --per-tensor] [--format qoperator|qdq]
//                [--calibration minmax|entropy|percentile --calib-data FILE [--calib-size N]] [--exclude NODES]
//                [-O LEVEL] [--threads N] [--json]
//
// INT8 quantization (issue #7): optimizes IN at -O (default 2, so Attention / SkipLayerNorm / BiasGelu are fused
// first), rewrites it with quant::quantize (src/quant/quantize.h) into ONNX Runtime's quantized ops, and saves it.
// IN is an .onnx file or a model folder (model.onnx or onnx/model.onnx inside); for a folder, OUT is a folder that
// receives a copy of every other file (config.json, tokenizer files...) and the quantized model at IN's relative
// path, so the pipelines load it as they loaded IN. Static mode calibrates on the sentences of --calib-data (.tsv:
// a header row, the sentence in the first column; .txt: one per line), tokenized with the model's tokenizer in
// batches of 16. Progress on stderr, a summary (or --json) on stdout.
#include "src/quant/quantize.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "src/onnx/model_loader.h"
#include "src/onnx/model_saver.h"
#include "src/opt/pass_manager.h"
#include "tools/onyx/commands.h"
#include "tools/onyx/model_paths.h"
#include "tools/onyx/progress.h"

#ifdef ONYX_HAVE_PIPELINES
#include "onyx/pipeline.h"
#include "src/pipelines/text_batch.h"
#endif

namespace onyx::cli {

namespace {

namespace fs = std::filesystem;

constexpr size_t kCalibrationBatch = 16;

struct QuantizeCliOptions {
  std::string in;
  std::string out;
  std::string mode;
  std::string format = "qoperator";
  bool per_channel = false;
  bool per_tensor = false;
  std::string calibration = "minmax";
  double percentile = 99.999;
  std::string calib_data;
  size_t calib_size = 500;
  std::vector<std::string> exclude;
  int level = 2;
  int threads = 0;
  bool json = false;
};

// Bytes of a model file plus its external data file, if any.
uint64_t model_bytes(const fs::path& model) {
  std::error_code ec;
  uint64_t total = 0;
  for (const fs::path& f : {model, fs::path(model.string() + ".data")})
    if (fs::is_regular_file(f, ec)) total += fs::file_size(f, ec);
  return total;
}

// Sentences of a calibration file: .tsv (header row, sentence in the first column) or .txt (one per line).
Result<std::vector<std::string>> read_sentences(const std::string& path, size_t limit) {
  const std::string ext = fs::path(path).extension().string();
  if (ext != ".tsv" && ext != ".txt")
    return invalid_argument("--calib-data '" + path + "': unknown file type '" + ext +
                            "' (expected .tsv with a header row and the sentence in the first column, or .txt "
                            "with one sentence per line)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open calibration data file '" + path + "'");
  std::vector<std::string> out;
  std::string line;
  bool header = ext == ".tsv";
  while (out.size() < limit && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header) {
      header = false;
      continue;
    }
    if (ext == ".tsv") line = line.substr(0, line.find('\t'));
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    out.push_back(std::move(line));
  }
  if (out.empty())
    return invalid_argument("calibration data file '" + path + "' has no sentences" +
                            (ext == ".tsv" ? " (after its header row)" : ""));
  return out;
}

// Tokenized calibration batches for the model at `paths`, with its folder's tokenizer.
Result<std::vector<NamedTensors>> calibration_feeds(const QuantizeCliOptions& o, const ModelPaths& paths) {
#ifdef ONYX_HAVE_PIPELINES
  // The tokenizer: IN's folder, or for an .onnx file the folder holding it (or the one above, for onnx/model.onnx).
  std::vector<fs::path> dirs;
  if (paths.folder) {
    dirs.push_back(o.in);
  } else {
    const fs::path parent = fs::absolute(paths.in_model).parent_path();
    dirs = {parent, parent.parent_path()};
  }
  Result<ModelFolder> folder = not_found("");
  Status first_error;
  for (const fs::path& d : dirs) {
    folder = ModelFolder::load(d.string(), fs::absolute(paths.in_model).string());
    if (folder.ok()) break;
    if (first_error.ok()) first_error = folder.status();
  }
  if (!folder.ok()) {
    if (!paths.folder)
      return invalid_argument(
          "static quantization tokenizes --calib-data with the model's tokenizer, and none was "
          "found beside '" +
          o.in + "' (" + first_error.message() +
          "); pass the model folder (config.json + tokenizer.json) as IN instead");
    return folder.status();
  }
  ONYX_ASSIGN_OR_RETURN(std::vector<std::string> texts, read_sentences(o.calib_data, o.calib_size));
  std::cerr << "calibration data: " << texts.size() << " sentences from " << o.calib_data << "\n";
  ONYX_ASSIGN_OR_RETURN(std::vector<tok::Encoding> enc,
                        detail::encode_texts(*folder, folder->max_length, texts, {}, nullptr));
  // A session over the fp32 model only to learn its input names and dtypes (make_model_inputs reads them).
  SessionOptions so;
  so.optimization_level = 0;
  so.threads = 1;
  ONYX_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Session::create(paths.in_model.string(), so));
  std::vector<NamedTensors> feeds;
  const std::vector<size_t> order = detail::order_by_length(enc);
  for (size_t begin = 0; begin < order.size(); begin += kCalibrationBatch) {
    const size_t n = std::min(kCalibrationBatch, order.size() - begin);
    ONYX_ASSIGN_OR_RETURN(NamedTensors inputs,
                          detail::make_model_inputs(*session, *folder, enc, std::span(order).subspan(begin, n)));
    feeds.push_back(std::move(inputs));
  }
  return feeds;
#else
  (void)o;
  (void)paths;
  return failed_precondition(
      "this onyx was built without tokenizers/pipelines, so static quantization cannot "
      "tokenize --calib-data; use --mode dynamic");
#endif
}

std::string counts_line(const std::map<std::string, int>& m) {
  if (m.empty()) return "none";
  std::string s;
  for (const auto& [op, n] : m) s += (s.empty() ? "" : ", ") + op + " " + std::to_string(n);
  return s;
}

int run_quantize(const QuantizeCliOptions& o) {
  if (o.in.empty() || o.out.empty()) return fail("quantize needs IN and -o OUT (see onyx quantize --help)");
  quant::QuantizeOptions q;
  if (o.mode == "dynamic") {
    q.mode = quant::QuantMode::kDynamic;
  } else if (o.mode == "static") {
    q.mode = quant::QuantMode::kStatic;
  } else {
    return fail(o.mode.empty() ? "quantize needs --mode dynamic or --mode static"
                               : "unknown --mode '" + o.mode + "' (expected dynamic or static)");
  }
  if (o.format == "qoperator") {
    q.format = quant::QuantFormat::kQOperator;
  } else if (o.format == "qdq") {
    q.format = quant::QuantFormat::kQdq;
  } else {
    return fail("unknown --format '" + o.format + "' (expected qoperator or qdq)");
  }
  if (o.calibration == "minmax") {
    q.calibration = quant::CalibrationMethod::kMinMax;
  } else if (o.calibration == "entropy") {
    q.calibration = quant::CalibrationMethod::kEntropy;
  } else if (o.calibration == "percentile") {
    q.calibration = quant::CalibrationMethod::kPercentile;
  } else {
    return fail("unknown --calibration '" + o.calibration + "' (expected minmax, entropy or percentile)");
  }
  if (o.per_channel && o.per_tensor) return fail("--per-channel and --per-tensor exclude each other");
  if (!(o.percentile > 0.0 && o.percentile <= 100.0)) return fail("--percentile must be in (0, 100]");
  if (o.calib_size == 0) return fail("--calib-size must be at least 1");
  if (q.mode == quant::QuantMode::kStatic && o.calib_data.empty())
    return fail(
        "--mode static needs --calib-data FILE (.tsv with a header row and the sentence in the first "
        "column, or .txt with one sentence per line), or use --mode dynamic");
  if (q.mode == quant::QuantMode::kDynamic && !o.calib_data.empty())
    std::cerr << "note: --calib-data is only used by --mode static; ignored\n";
  q.per_channel = !o.per_tensor;
  q.percentile = o.percentile;
  q.threads = o.threads;
  q.exclude_nodes = o.exclude;
  auto level = opt::level_from_int(o.level);
  if (!level.ok()) return fail(level.status().message());
  auto paths = resolve_model_paths(o.in, o.out);
  if (!paths.ok()) return fail(paths.status().message());

  const auto t0 = std::chrono::steady_clock::now();
  std::cerr << "loading " << paths->in_model.string() << "\n";
  auto graph = onnx_io::load_model_file(paths->in_model.string());
  if (!graph.ok()) return fail(graph.status().to_string());
  if (o.level > 0) {
    std::cerr << "optimizing at " << opt::level_name(*level) << " (" << graph->nodes.size() << " nodes)\n";
    opt::OptimizeOptions oo;
    oo.level = *level;
    auto r = opt::optimize(*graph, oo);
    if (!r.ok()) return fail(r.status().to_string());
  }
  ProgressBar progress(true, "calibration batches");
  if (q.mode == quant::QuantMode::kStatic) {
    auto feeds = calibration_feeds(o, *paths);
    if (!feeds.ok()) return fail(feeds.status().to_string());
    q.calibration_feeds = std::move(feeds).value();
    q.progress = [&progress](size_t done, size_t total) { progress.update(done, total); };
  }
  std::cerr << "quantizing (" << o.mode << ", " << o.format << ", " << (q.per_channel ? "per-channel" : "per-tensor")
            << ")\n";
  auto report = quant::quantize(*graph, q);
  if (!report.ok()) return fail(report.status().to_string());
  const auto t1 = std::chrono::steady_clock::now();

  std::error_code ec;
  if (paths->folder) {
    fs::create_directories(o.out, ec);
    if (ec) return fail("cannot create folder '" + o.out + "': " + ec.message());
    Status s = copy_companion_files(o.in, o.out, paths->in_model);
    if (!s.ok()) return fail(s.to_string());
  }
  if (paths->out_model.has_parent_path()) fs::create_directories(paths->out_model.parent_path(), ec);
  std::cerr << "saving " << paths->out_model.string() << "\n";
  Status saved = onnx_io::save_model_file(*graph, paths->out_model.string());
  if (!saved.ok()) return fail(saved.to_string());
  const double mb_before = model_bytes(paths->in_model) / 1e6, mb_after = model_bytes(paths->out_model) / 1e6;
  const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();

  if (o.json) {
    nlohmann::json j;
    j["input"] = paths->in_model.string();
    j["output"] = paths->out_model.string();
    j["mode"] = o.mode;
    j["format"] = o.format;
    j["per_channel"] = q.per_channel;
    j["level"] = o.level;
    j["quantized"] = report->quantized;
    j["created"] = report->created;
    j["excluded"] = report->excluded;
    j["skipped"] = report->skipped;
    if (q.mode == quant::QuantMode::kStatic) {
      j["calibration"] = o.calibration;
      j["calibration_batches"] = report->calibration_batches;
    }
    j["mb_before"] = mb_before;
    j["mb_after"] = mb_after;
    j["quantize_ms"] = ms;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  char sizes[96];
  std::snprintf(sizes, sizeof(sizes), "%.2f MB -> %.2f MB", mb_before, mb_after);
  std::cout << "quantized " << paths->in_model.string() << " -> " << paths->out_model.string() << " (" << o.mode << ", "
            << o.format << ", " << (q.per_channel ? "per-channel" : "per-tensor") << " int8 weights, "
            << static_cast<int>(ms) << " ms)\n";
  std::cout << "quantized ops: " << counts_line(report->quantized) << "\n";
  std::cout << "created ops: " << counts_line(report->created) << "\n";
  if (q.mode == quant::QuantMode::kStatic)
    std::cout << "calibration: " << o.calibration << " over " << report->calibration_batches << " batches\n";
  for (const std::string& e : report->excluded) std::cout << "excluded: " << e << "\n";
  for (const std::string& s : report->skipped) std::cout << "skipped: " << s << "\n";
  std::cout << "size: " << sizes << "\n";
  return 0;
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  auto o = std::make_shared<QuantizeCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "quantize",
      "Quantize a model to INT8 (MatMul / Gemm / Attention weights int8, activations uint8) in ONNX Runtime's "
      "quantized ops, so the result loads in onyx and ONNX Runtime");
  cmd->add_option("in", o->in, "Input .onnx file or model folder (model.onnx or onnx/model.onnx inside)");
  cmd->add_option("-o,--output", o->out,
                  "Output .onnx file (or folder: for a folder input, the whole folder is copied with the model "
                  "replaced)");
  cmd->add_option("--mode", o->mode,
                  "dynamic (activation scales computed per run) or static (activation scales from calibration "
                  "over --calib-data)");
  cmd->add_option("--format", o->format,
                  "qoperator (DynamicQuantizeMatMul / MatMulIntegerToFloat / QAttention) or qdq "
                  "(QuantizeLinear/DequantizeLinear pairs around the fp32 ops)")
      ->capture_default_str();
  cmd->add_flag("--per-channel", o->per_channel, "One weight scale per output channel (the default)");
  cmd->add_flag("--per-tensor", o->per_tensor, "One weight scale per weight tensor");
  cmd->add_option("--calibration", o->calibration,
                  "Static mode: how activation ranges are chosen: minmax, entropy (KL divergence) or percentile")
      ->capture_default_str();
  cmd->add_option("--percentile", o->percentile, "--calibration percentile: the share of |values| kept, in percent")
      ->capture_default_str();
  cmd->add_option("--calib-data", o->calib_data,
                  "Static mode: sentences to calibrate on (.tsv with a header row, sentence in the first column; "
                  ".txt with one sentence per line), tokenized with the model folder's tokenizer");
  cmd->add_option("--calib-size", o->calib_size, "Static mode: use the first N sentences")->capture_default_str();
  cmd->add_option("--exclude", o->exclude,
                  "Node names to leave in fp32 (comma-separated or repeated; names after -O optimization)")
      ->delimiter(',');
  cmd->add_option("-O,--level", o->level, "Optimization level run before quantizing (0 = none; 2 fuses Attention)")
      ->check(CLI::Range(0, 4))
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads for the calibration runs (0 = all cores)")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the report as JSON");
  cmd->callback([o] {
    if (int rc = run_quantize(*o)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
