// `onyx bench MODEL`: latency and throughput of one model, the classic protocol (issue #6).
//
//   onyx bench MODEL [--seq 128] [--batch 1] [--threads 2] [--precision fp32|bf16|int8] [-O N]
//                    [--remove-padding auto|on|off] [--warmup 50] [--runs 1000] [--past N] [--vocab N] [--input NAME=FILE.npy ...]
//                    [--text "..." | --file FILE [--include-tokenization]] [--json] [--profile]
//
// MODEL is an .onnx file or a model folder (model.onnx or onnx/model.onnx; tokenizer files for --text/--file).
// Protocol: create the session (timed), run once (the first run, timed apart), then --warmup untimed runs, then
// --runs timed runs. Each timed run is one Session::run on the same inputs; latency percentiles are over the
// timed runs, throughput is runs (and runs x batch sequences) over the wall time of the timed loop.
//
// Inputs:
//   synthetic (default)  shapes from --batch/--seq (and --past for GPT-2 style past_key_values inputs):
//                        input_ids uniform in [1000, 2000) (seeded; the range shrinks to fit a smaller vocab read
//                        from config.json beside the model, or --vocab), attention_mask ones, token_type_ids
//                        zeros, position_ids past..past+seq-1, other int inputs zeros, float inputs zeros
//   --input NAME=F.npy   that input from a .npy file instead (the others stay synthetic)
//   --text "..."         the text through the folder's tokenizer, --batch copies of it
//   --file FILE          one sentence per line (a TSV keeps its first column; a header "sentence..." is skipped),
//                        tokenized, cut into batches of --batch in file order, each padded to its longest row;
//                        a timed run is one batch, cycling through the file; --runs defaults to one pass
// Tokenization runs before timing unless --include-tokenization (then each timed run tokenizes its batch).
//
// Output: a table on stdout, or one JSON object with --json (schema in docs/benchmarks.md, shared by the
// PyTorch and ONNX Runtime runners of bench/compare). Progress goes to stderr.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "onyx/session.h"
#include "src/core/cpu_features.h"
#include "src/core/npy.h"
#include "tools/onyx/commands.h"
#include "tools/onyx/progress.h"
#ifdef ONYX_HAVE_PIPELINES
#include "onyx/pipeline.h"
#include "src/pipelines/text_batch.h"
#endif

namespace onyx::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::string model;
  int64_t seq = 128;
  int64_t batch = 1;
  int64_t past = 0;
  int64_t vocab = 0;
  int threads = 0;
  std::string precision = "fp32";
  int level = 99;
  std::vector<std::string> disabled;   // optimizer passes to skip (A/B of one fusion)
  std::string remove_padding = "auto";  // auto: on for --text/--file (padded real batches), off for synthetic
  int warmup = -1;  // -1: auto (50; 5 batches with --file)
  int runs = -1;    // -1: auto (1000; one pass over the batches with --file)
  std::vector<std::string> inputs;
  std::string text;
  std::string file;
  bool include_tokenization = false;
  bool json = false;
  bool profile = false;
  uint64_t seed = 1234;
};

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Peak resident set of this process so far (getrusage ru_maxrss is in KiB on Linux), in MiB.
double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Current resident set (from /proc/self/statm), in MiB; 0 when unavailable.
double current_rss_mb() {
  std::ifstream in("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(in >> pages_total >> pages_resident)) return 0.0;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

Json latency_json(const std::vector<double>& ms) {
  double sum = 0, sq = 0;
  for (double x : ms) sum += x;
  const double mean = ms.empty() ? 0.0 : sum / static_cast<double>(ms.size());
  for (double x : ms) sq += (x - mean) * (x - mean);
  const double stddev = ms.size() > 1 ? std::sqrt(sq / static_cast<double>(ms.size() - 1)) : 0.0;
  return {{"mean", mean},
          {"p50", percentile(ms, 50)},
          {"p90", percentile(ms, 90)},
          {"p99", percentile(ms, 99)},
          {"min", ms.empty() ? 0.0 : *std::min_element(ms.begin(), ms.end())},
          {"max", ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end())},
          {"stddev", stddev}};
}

// --profile: time per run by op type (descending) and per node (execution order), from Session::profile() summed over
// the timed runs. "other" = mean latency - the nodes' sum: Session::run's own work (input checks, slots).
Json profile_json(const std::vector<NodeProfile>& nodes, int runs, double mean_latency_ms) {
  std::map<std::string, std::pair<int64_t, double>> by_type;  // op_type -> (calls, ms)
  double sum_ms = 0.0;
  Json per_node = Json::array();
  for (const NodeProfile& n : nodes) {
    auto& t = by_type[n.op_type];
    t.first += n.calls;
    t.second += n.total_ms;
    sum_ms += n.total_ms;
    per_node.push_back({{"node", n.node}, {"op_type", n.op_type}, {"ms_per_run", n.total_ms / runs}});
  }
  std::vector<std::pair<std::string, std::pair<int64_t, double>>> types(by_type.begin(), by_type.end());
  std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  Json by_op = Json::array();
  for (const auto& [type, t] : types)
    by_op.push_back({{"op_type", type},
                     {"calls_per_run", static_cast<double>(t.first) / runs},
                     {"ms_per_run", t.second / runs},
                     {"percent_of_latency", 100.0 * t.second / runs / mean_latency_ms}});
  return {{"by_op_type", by_op},
          {"nodes", per_node},
          {"nodes_ms_per_run", sum_ms / runs},
          {"other_ms_per_run", mean_latency_ms - sum_ms / runs}};
}

void print_profile(const Json& p) {
  std::printf("profile      per run, timed runs only (op type: calls, ms, %% of mean latency)\n");
  for (const Json& t : p["by_op_type"])
    std::printf("  %-34s %5.1f  %8.3f  %5.1f%%\n", t["op_type"].get<std::string>().c_str(),
                t["calls_per_run"].get<double>(), t["ms_per_run"].get<double>(), t["percent_of_latency"].get<double>());
  std::printf("  %-34s %5s  %8.3f\n", "(Session::run outside the nodes)", "", p["other_ms_per_run"].get<double>());
}

// MODEL -> the .onnx file: the path itself, DIR/model.onnx or DIR/onnx/model.onnx.
Result<std::string> resolve_onnx(const std::string& model) {
  std::error_code ec;
  if (fs::is_regular_file(model, ec)) return model;
  if (!fs::is_directory(model, ec))
    return not_found("model '" + model +
                     "' does not exist (give an .onnx file or a "
                     "model folder holding model.onnx or onnx/model.onnx)");
  for (const fs::path& p : {fs::path(model) / "model.onnx", fs::path(model) / "onnx" / "model.onnx"})
    if (fs::is_regular_file(p, ec)) return p.string();
  return not_found("model folder '" + model + "' has no model.onnx or onnx/model.onnx");
}

// vocab_size from config.json beside the .onnx file or one folder up (onnx/model.onnx); 0 when not found.
int64_t config_vocab_size(const std::string& onnx_path) {
  const fs::path dir = fs::path(onnx_path).parent_path();
  for (const fs::path& cfg : {dir / "config.json", dir.parent_path() / "config.json"}) {
    std::ifstream in(cfg);
    if (!in) continue;
    Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("vocab_size") && j["vocab_size"].is_number_integer())
      return j["vocab_size"].get<int64_t>();
  }
  return 0;
}

// Size of one declared dim for the synthetic inputs: fixed dims as declared; symbolic ones from the options by
// their role (axis 0 = batch; a "past ... + ..." symbol = past + seq; "past" alone = past; else seq).
int64_t synthetic_dim(const ValueInfo& info, size_t axis, const BenchOptions& o) {
  if (axis < info.shape.size() && info.shape[axis].is_fixed()) return info.shape[axis].value;
  if (axis == 0) return o.batch;
  const std::string sym = axis < info.shape.size() ? info.shape[axis].symbol : "";
  const bool is_past_input = info.name.find("past") != std::string::npos;
  if (sym.find("past") != std::string::npos && sym.find('+') != std::string::npos) return o.past + o.seq;
  if (sym.find("past") != std::string::npos || is_past_input) return o.past;
  if (info.name == "attention_mask" && o.past > 0) return o.past + o.seq;
  return o.seq;
}

Result<Tensor> synthetic_input(const ValueInfo& info, const BenchOptions& o, int64_t vocab, std::mt19937_64& rng) {
  if (!info.has_shape) return invalid_argument("input '" + info.name + "' declares no shape; give it with --input");
  Shape shape;
  for (size_t a = 0; a < info.shape.size(); ++a) shape.push_back(synthetic_dim(info, a, o));
  Tensor t = Tensor::empty(info.dtype, shape);
  std::memset(t.data<uint8_t>(), 0, t.nbytes());
  const bool is_int = info.dtype == DType::kInt64 || info.dtype == DType::kInt32;
  if (!is_int) return t;  // float (past key/values, ...) and other types: zeros
  const int64_t hi = vocab > 0 ? std::min<int64_t>(2000, vocab) : 2000;
  const int64_t lo = vocab > 0 && vocab < 2000 ? std::min<int64_t>(hi - 1, std::max<int64_t>(0, vocab / 2)) : 1000;
  std::uniform_int_distribution<int64_t> ids(lo, hi - 1);
  const int64_t n = t.numel();
  const int64_t last = shape.empty() ? 1 : shape.back();
  auto value = [&](int64_t i) -> int64_t {
    if (info.name == "input_ids") return ids(rng);
    if (info.name == "attention_mask") return 1;
    if (info.name == "position_ids") return o.past + i % last;
    return 0;
  };
  for (int64_t i = 0; i < n; ++i) {
    if (info.dtype == DType::kInt64)
      t.data<int64_t>()[i] = value(i);
    else
      t.data<int32_t>()[i] = static_cast<int32_t>(value(i));
  }
  return t;
}

// One timed unit: a ready input batch, or (with tokenization included) the texts to encode first.
struct Batch {
  NamedTensors inputs;
  std::vector<std::string> texts;
  int64_t rows = 0;
  int64_t real_tokens = 0;
  int64_t padded_tokens = 0;
};

Result<std::vector<std::string>> read_sentences(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open --file '" + path + "'");
  std::vector<std::string> out;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) line.resize(tab);
    const bool header = first && line.rfind("sentence", 0) == 0 && tab != std::string::npos;
    first = false;
    if (header || line.empty()) continue;
    out.push_back(line);
  }
  if (out.empty()) return invalid_argument("--file '" + path + "' holds no sentences");
  return out;
}

#ifdef ONYX_HAVE_PIPELINES
// Encodes `texts` and builds the padded model inputs for them.
Status encode_batch(const Session& session, const ModelFolder& folder, Batch& b) {
  auto enc = detail::encode_texts(folder, folder.max_length, b.texts, {}, nullptr);
  if (!enc.ok()) return enc.status();
  std::vector<size_t> rows(enc->size());
  size_t width = 0;
  b.real_tokens = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i] = i;
    width = std::max(width, (*enc)[i].size());
    b.real_tokens += static_cast<int64_t>((*enc)[i].size());
  }
  b.padded_tokens = static_cast<int64_t>(width * rows.size());
  auto inputs = detail::make_model_inputs(session, folder, *enc, rows);
  if (!inputs.ok()) return inputs.status();
  b.inputs = std::move(inputs).value();
  return ok_status();
}
#endif

struct Prepared {
  std::vector<Batch> batches;
  std::string kind;  // synthetic | npy | text | file
};

Result<Prepared> prepare_inputs(const Session& session, const std::string& onnx_path, const BenchOptions& o) {
  Prepared p;
  if (!o.text.empty() || !o.file.empty()) {
#ifdef ONYX_HAVE_PIPELINES
    if (fs::is_regular_file(o.model))
      return invalid_argument("--text/--file need a model folder with tokenizer files, got the file '" + o.model + "'");
    auto folder = ModelFolder::load(o.model);
    if (!folder.ok()) return folder.status();
    std::vector<std::string> sentences;
    if (!o.text.empty()) {
      sentences.assign(static_cast<size_t>(o.batch), o.text);
      p.kind = "text";
    } else {
      auto read = read_sentences(o.file);
      if (!read.ok()) return read.status();
      sentences = std::move(read).value();
      p.kind = "file";
    }
    for (size_t begin = 0; begin < sentences.size(); begin += static_cast<size_t>(o.batch)) {
      const size_t end = std::min(sentences.size(), begin + static_cast<size_t>(o.batch));
      Batch b;
      b.texts.assign(sentences.begin() + begin, sentences.begin() + end);
      b.rows = static_cast<int64_t>(end - begin);
      ONYX_RETURN_IF_ERROR(encode_batch(session, *folder, b));
      p.batches.push_back(std::move(b));
    }
    return p;
#else
    return not_implemented("--text/--file need onyx built with the pipelines library (tokenizers)");
#endif
  }
  const int64_t vocab = o.vocab > 0 ? o.vocab : config_vocab_size(onnx_path);
  std::mt19937_64 rng(o.seed);
  Batch b;
  b.rows = o.batch;
  p.kind = o.inputs.empty() ? "synthetic" : "npy";
  for (const ValueInfo& info : session.inputs()) {
    std::string file;
    for (const auto& spec : o.inputs) {
      const size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0)
        return invalid_argument("--input expects NAME=FILE.npy, got '" + spec + "'");
      if (spec.substr(0, eq) == info.name) file = spec.substr(eq + 1);
    }
    if (!file.empty()) {
      auto t = read_npy(file);
      if (!t.ok()) return t.status().with_context("input '" + info.name + "'");
      b.inputs.emplace_back(info.name, std::move(t).value());
    } else {
      auto t = synthetic_input(info, o, vocab, rng);
      if (!t.ok()) return t.status();
      b.inputs.emplace_back(info.name, std::move(t).value());
    }
  }
  for (const auto& spec : o.inputs) {
    const std::string name = spec.substr(0, spec.find('='));
    const bool known = std::any_of(session.inputs().begin(), session.inputs().end(),
                                   [&](const ValueInfo& v) { return v.name == name; });
    if (!known) return invalid_argument("--input '" + name + "': the model has no input of that name");
  }
  for (const auto& [name, t] : b.inputs) {
    if (name == "input_ids") {
      b.rows = t.shape().empty() ? 1 : t.shape()[0];
      b.padded_tokens = t.numel();
      b.real_tokens = t.numel();
    }
  }
  for (const auto& [name, t] : b.inputs) {
    if (name != "attention_mask" || t.dtype() != DType::kInt64 || o.past > 0) continue;
    b.real_tokens = 0;
    for (int64_t i = 0; i < t.numel(); ++i) b.real_tokens += t.data<int64_t>()[i] != 0;
  }
  p.batches.push_back(std::move(b));
  return p;
}

int run_bench(const BenchOptions& o) {
  if (o.precision != "fp32" && o.precision != "bf16" && o.precision != "int8")
    return fail("--precision must be fp32, bf16 or int8, got '" + o.precision + "'");
  if (o.remove_padding != "auto" && o.remove_padding != "on" && o.remove_padding != "off")
    return fail("--remove-padding must be auto, on or off, got '" + o.remove_padding + "'");
  if (o.batch < 1 || o.seq < 1 || o.past < 0) return fail("--batch and --seq must be >= 1, --past >= 0");
  if (!o.text.empty() && !o.file.empty()) return fail("give --text or --file, not both");
  if (o.include_tokenization && o.text.empty() && o.file.empty())
    return fail("--include-tokenization needs --text or --file (synthetic inputs have no tokenization)");
  if (!o.inputs.empty() && (!o.text.empty() || !o.file.empty()))
    return fail("--input cannot be combined with --text/--file");
  const int level = o.level;
  const bool remove_padding =
      o.remove_padding == "on" || (o.remove_padding == "auto" && (!o.text.empty() || !o.file.empty()));

  auto onnx_path = resolve_onnx(o.model);
  if (!onnx_path.ok()) return fail(onnx_path.status().to_string());
  SessionOptions so;
  so.threads = o.threads;
  so.optimization_level = level;
  so.precision = o.precision == "bf16"   ? SessionOptions::Precision::kBf16
                 : o.precision == "int8" ? SessionOptions::Precision::kInt8
                                         : SessionOptions::Precision::kFp32;
  so.remove_padding = remove_padding;
  so.disabled_passes = o.disabled;
  so.profile = o.profile;
  const double rss_before_mb = current_rss_mb();
  std::cerr << "onyx bench: creating the session (" << o.precision << ", -O " << level << ", threads "
            << (o.threads > 0 ? std::to_string(o.threads) : std::string("all")) << ") for " << *onnx_path << "\n";
  const auto t_create = Clock::now();
  auto session = Session::create(*onnx_path, so);
  const double create_ms = ms_since(t_create);
  if (!session.ok()) return fail(session.status().to_string());
  const Session& s = **session;

  auto prepared = prepare_inputs(s, *onnx_path, o);
  if (!prepared.ok()) return fail(prepared.status().to_string());
  std::vector<Batch>& batches = prepared->batches;
  const bool file_mode = prepared->kind == "file";
  const int warmup = o.warmup >= 0 ? o.warmup : (file_mode ? 5 : 50);
  const int runs = o.runs >= 0 ? o.runs : (file_mode ? static_cast<int>(batches.size()) : 1000);
  if (runs < 1) return fail("--runs must be >= 1");

#ifdef ONYX_HAVE_PIPELINES
  std::unique_ptr<ModelFolder> folder;
  if (o.include_tokenization) {
    auto f = ModelFolder::load(o.model);
    if (!f.ok()) return fail(f.status().to_string());
    folder = std::make_unique<ModelFolder>(std::move(f).value());
  }
#endif
  // One timed unit: (tokenize +) run batch i.
  auto run_one = [&](size_t i) -> Status {
    Batch& b = batches[i % batches.size()];
#ifdef ONYX_HAVE_PIPELINES
    if (folder) ONYX_RETURN_IF_ERROR(encode_batch(s, *folder, b));
#endif
    auto out = s.run(b.inputs);
    return out.ok() ? ok_status() : out.status();
  };

  const auto t_first = Clock::now();
  if (Status st = run_one(0); !st.ok()) return fail(st.with_context("first run").to_string());
  const double first_run_ms = ms_since(t_first);

  ProgressBar progress(true, "runs");
  for (int i = 0; i < warmup; ++i) {
    if (Status st = run_one(static_cast<size_t>(i)); !st.ok()) return fail(st.to_string());
    progress.update(static_cast<size_t>(i + 1), static_cast<size_t>(warmup + runs));
  }
  s.reset_profile();  // --profile: the timed runs only
  std::vector<double> lat_ms;
  lat_ms.reserve(static_cast<size_t>(runs));
  int64_t sequences = 0, real_tokens = 0, padded_tokens = 0;
  const auto t_loop = Clock::now();
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    if (Status st = run_one(static_cast<size_t>(i)); !st.ok()) return fail(st.to_string());
    lat_ms.push_back(ms_since(t0));
    const Batch& b = batches[static_cast<size_t>(i) % batches.size()];
    sequences += b.rows;
    real_tokens += b.real_tokens;
    padded_tokens += b.padded_tokens;
    progress.update(static_cast<size_t>(warmup + i + 1), static_cast<size_t>(warmup + runs));
  }
  const double loop_s = ms_since(t_loop) / 1000.0;

  Json j;
  j["engine"] = "onyx";
  j["model"] = *onnx_path;
  j["precision"] = o.precision;
  j["optimization_level"] = level;
  j["remove_padding"] = remove_padding;
  j["threads"] = o.threads;
  j["batch"] = o.batch;
  // Tokens per sequence: null with --file (it varies per batch); the synthetic length, else input_ids' width.
  const int64_t width = batches[0].padded_tokens / std::max<int64_t>(1, batches[0].rows);
  j["seq"] = file_mode ? Json(nullptr) : Json(prepared->kind == "synthetic" ? o.seq : width);
  j["past"] = o.past;
  j["inputs"] = prepared->kind;
  j["tokenization_included"] = o.include_tokenization;
  j["batches"] = batches.size();
  j["warmup"] = warmup;
  j["runs"] = runs;
  j["session_create_ms"] = create_ms;
  j["first_run_ms"] = first_run_ms;
  j["rss_before_load_mb"] = rss_before_mb;
  j["peak_rss_mb"] = peak_rss_mb();
  j["latency_ms"] = latency_json(lat_ms);
  j["total_s"] = loop_s;
  j["throughput"] = {{"inferences_per_s", runs / loop_s},
                     {"sequences_per_s", static_cast<double>(sequences) / loop_s},
                     {"tokens_per_s", static_cast<double>(real_tokens) / loop_s}};
  j["sequences"] = sequences;
  j["tokens"] = {{"real", real_tokens}, {"padded", padded_tokens}};
  j["cpu_features"] = cpu_features().to_string();
  if (o.profile) j["profile"] = profile_json(s.profile(), runs, j["latency_ms"]["mean"].get<double>());
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  const Json& l = j["latency_ms"];
  std::printf("model        %s\n", onnx_path->c_str());
  std::printf("precision    %s (-O %d)%s\n", o.precision.c_str(), level,
              remove_padding ? ", padding removed (tokens packed)" : "");
  std::printf("threads      %s\n", o.threads > 0 ? std::to_string(o.threads).c_str() : "all cores");
  const std::string past_note = o.past > 0 ? ", past " + std::to_string(o.past) : "";
  int64_t total_rows = 0;
  for (const Batch& b : batches) total_rows += b.rows;
  if (file_mode)
    std::printf("inputs       %s: %zu sentences in %zu batches of <= %lld, padded per batch\n", o.file.c_str(),
                static_cast<size_t>(total_rows), batches.size(), static_cast<long long>(o.batch));
  else
    std::printf("inputs       %s, batch %lld, %lld tokens per sequence%s\n", prepared->kind.c_str(),
                static_cast<long long>(batches[0].rows), static_cast<long long>(width), past_note.c_str());
  if (prepared->kind == "text" || file_mode)
    std::printf("tokenization %s\n",
                o.include_tokenization ? "included in the timings" : "excluded (done before timing)");
  std::printf("protocol     1 first run, %d warm-up, %d timed runs\n", warmup, runs);
  std::printf("session      create %.1f ms, first run %.1f ms, peak RSS %.1f MiB\n", create_ms, first_run_ms,
              j["peak_rss_mb"].get<double>());
  std::printf("latency ms   mean %.3f  p50 %.3f  p90 %.3f  p99 %.3f  (min %.3f, max %.3f)\n", l["mean"].get<double>(),
              l["p50"].get<double>(), l["p90"].get<double>(), l["p99"].get<double>(), l["min"].get<double>(),
              l["max"].get<double>());
  std::printf("throughput   %.2f inferences/s, %.2f sequences/s\n", runs / loop_s,
              static_cast<double>(sequences) / loop_s);
  if (o.profile) print_profile(j["profile"]);
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench",
                                     "Measure latency (mean, p50, p90, p99) and throughput of a model: "
                                     "first run, warm-up runs, then timed runs of the same input");
  cmd->add_option("model", o->model, "An .onnx file or a model folder")->required();
  cmd->add_option("--seq", o->seq, "Tokens per sequence (synthetic inputs)")->capture_default_str();
  cmd->add_option("--batch", o->batch, "Sequences per run (with --file: sentences per batch)")->capture_default_str();
  cmd->add_option("--past", o->past, "Past length for past_key_values inputs (GPT-2 with past)")->capture_default_str();
  cmd->add_option("--vocab", o->vocab, "Vocabulary size for synthetic input_ids (default: config.json's vocab_size)");
  cmd->add_option("--threads", o->threads, "Intra-op threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--precision", o->precision,
                  "fp32, bf16 (weights packed in bfloat16, fp32 accumulation; needs AVX512-BF16) or int8 (dynamic "
                  "INT8: constant MatMul/Gemm/Attention weights quantized to int8 per output column at session "
                  "creation, activations to uint8 per run). A model already quantized (onyx quantize) runs as it "
                  "is: bench it with fp32")
      ->capture_default_str();
  cmd->add_option("-O,--level", o->level, "Graph optimization level (0-4; 99 = all exact = 2)")->capture_default_str();
  cmd->add_option("--disable-pass", o->disabled, "Skip an optimizer pass by name (repeatable; A/B of one fusion)");
  cmd->add_option("--remove-padding", o->remove_padding,
                  "Compute padded batches without the padding (SessionOptions::remove_padding): auto = on with "
                  "--text/--file, off for synthetic inputs; on; off")
      ->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Untimed runs after the first run (default 50; 5 with --file)");
  cmd->add_option("--runs", o->runs, "Timed runs (default 1000; one pass over the batches with --file)");
  cmd->add_option("-i,--input", o->inputs, "Input from a .npy file as NAME=FILE.npy (others stay synthetic)");
  cmd->add_option("--text", o->text, "Benchmark on this text, tokenized by the model folder's tokenizer");
  cmd->add_option("--file", o->file, "Benchmark on the sentences of FILE (one per line, or TSV: first column)");
  cmd->add_flag("--include-tokenization", o->include_tokenization, "Tokenize inside each timed run (--text/--file)");
  cmd->add_option("--seed", o->seed, "Seed of the synthetic input_ids")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON object instead of the table");
  cmd->add_flag("--profile", o->profile,
                "Time every node of the timed runs (SessionOptions::profile) and print the time per op type "
                "(with --json: a \"profile\" object with per-node times too)");
  cmd->callback([o] {
    if (int rc = run_bench(*o)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
