// `onyx eval text-classification [--model DIR] --data FILE.tsv [--batch-size N] [--precision fp32|bf16|int8]
// [--compare-model PATH] [--json]`: accuracy, per-class precision/recall and latency percentiles of a
// text-classification model on a labelled TSV file (sentence<TAB>label per line; label = class index or label
// name; a first line "sentence<TAB>label" is skipped).
// Latency is measured per model call (tokenize + run + post-process) of --batch-size inputs, in milliseconds.
//
// Side by side (issue #7): with `--precision bf16|int8` the model is evaluated twice, in fp32 and in that
// precision; with `--compare-model PATH` (a second model folder, e.g. the output of `onyx quantize`, or an .onnx
// file read with --model's tokenizer and config) --model in fp32 is evaluated next to PATH (in --precision).
// Both accuracies are printed side by side with the agreement rate (share of examples given the same label by
// both) and the number of disagreements. The two runs happen one after the other (one model in memory at a time).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "onyx/pipeline.h"
#include "tools/onyx/commands.h"
#include "tools/onyx/progress.h"

namespace onyx::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct EvalOptions {
  std::string task;
  std::string model;
  std::string data;
  size_t batch_size = 1;
  size_t limit = 0;
  int threads = 0;
  int level = 99;
  SessionOptions::Precision precision = SessionOptions::Precision::kFp32;
  std::string compare_model;  // second model (folder or .onnx) evaluated next to --model in fp32
  bool json = false;
};

// Disagreements listed one by one in the JSON report (the count covers all of them).
constexpr size_t kListedDisagreements = 20;

struct Example {
  std::string text;
  std::string label;  // as written in the file
};

Result<std::vector<Example>> read_tsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open data file '" + path + "'");
  std::vector<Example> out;
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t tab = line.rfind('\t');
    if (tab == std::string::npos)
      return invalid_argument(path + ":" + std::to_string(line_no) + ": expected sentence<TAB>label");
    Example e{line.substr(0, tab), line.substr(tab + 1)};
    if (line_no == 1 && (e.label == "label" || e.text == "sentence")) continue;  // header
    out.push_back(std::move(e));
  }
  if (out.empty()) return invalid_argument(path + ": no examples");
  return out;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * (v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

const char* precision_name(SessionOptions::Precision p) {
  switch (p) {
    case SessionOptions::Precision::kBf16:
      return "bf16";
    case SessionOptions::Precision::kInt8:
      return "int8";
    case SessionOptions::Precision::kFp32:
      break;
  }
  return "fp32";
}

// One evaluated (model, precision): the predicted label of every example and the report fields.
struct EvalRun {
  std::vector<std::string> predicted;
  size_t correct = 0;
  Json json;
};

// Evaluates `model_dir` (with `model_file` when not empty) at `precision` on `examples`. `what` names the run in
// errors and progress ("fp32", "int8", "--compare-model 'DIR'").
Result<EvalRun> evaluate(const EvalOptions& o, const std::vector<Example>& examples, const std::string& model_dir,
                         const std::string& model_file, SessionOptions::Precision precision, const std::string& what) {
  PipelineOptions options;
  options.model_file = model_file;
  options.threads = o.threads;
  options.optimization_level = o.level;
  options.precision = precision;
  options.batch_size = o.batch_size;
  auto created = Pipeline::create(o.task, model_dir, options);
  if (!created.ok()) return created.status().with_context(what);
  const Pipeline& pipeline = **created;
  EvalRun run;

  // Gold labels: a class index names the model's label; anything else is a label name.
  auto gold_name = [&](const std::string& s) {
    char* end = nullptr;
    const long i = std::strtol(s.c_str(), &end, 10);
    if (end != s.c_str() && *end == '\0' && i >= 0) return pipeline.model().label(static_cast<size_t>(i));
    return s;
  };
  // Warm-up (first-run allocations) so the latency percentiles describe steady state.
  {
    std::vector<std::string> warm{examples.front().text};
    auto r = classify(pipeline, warm);
    if (!r.ok()) return r.status().with_context(what);
  }
  std::vector<double> latencies_ms;
  ProgressBar progress(!o.json, "examples");
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t begin = 0; begin < examples.size(); begin += o.batch_size) {
    const size_t n = std::min(o.batch_size, examples.size() - begin);
    std::vector<std::string> texts;
    for (size_t i = 0; i < n; ++i) texts.push_back(examples[begin + i].text);
    const auto s = std::chrono::steady_clock::now();
    auto r = classify(pipeline, texts);
    const auto e = std::chrono::steady_clock::now();
    if (!r.ok()) return r.status().with_context(what + ", example " + std::to_string(begin + 1));
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(e - s).count());
    for (const auto& list : *r) run.predicted.push_back(list.front().label);
    progress.update(begin + n, examples.size());
  }
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::map<std::string, std::array<size_t, 3>> per_class;  // tp, fp, fn
  for (size_t i = 0; i < examples.size(); ++i) {
    const std::string gold = gold_name(examples[i].label);
    if (run.predicted[i] == gold) {
      ++run.correct;
      per_class[gold][0]++;
    } else {
      per_class[run.predicted[i]][1]++;
      per_class[gold][2]++;
    }
  }
  Json& j = run.json;
  j["model"] = model_file.empty() ? pipeline.model().dir : pipeline.model().onnx_path;
  j["precision"] = precision_name(precision);
  j["correct"] = run.correct;
  j["accuracy"] = static_cast<double>(run.correct) / examples.size();
  j["classes"] = Json::object();
  for (const auto& [label, c] : per_class) {
    const double class_precision = c[0] + c[1] ? static_cast<double>(c[0]) / (c[0] + c[1]) : 0.0;
    const double recall = c[0] + c[2] ? static_cast<double>(c[0]) / (c[0] + c[2]) : 0.0;
    j["classes"][label] = {{"precision", class_precision}, {"recall", recall}, {"support", c[0] + c[2]}};
  }
  j["latency_ms"] = {{"p50", percentile(latencies_ms, 50)},
                     {"p90", percentile(latencies_ms, 90)},
                     {"p99", percentile(latencies_ms, 99)}};
  j["throughput_per_s"] = examples.size() / total_s;
  return run;
}

std::string latency_text(const Json& run) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "p50 %.3f  p90 %.3f  p99 %.3f", run["latency_ms"]["p50"].get<double>(),
                run["latency_ms"]["p90"].get<double>(), run["latency_ms"]["p99"].get<double>());
  return buf;
}

int print_single(const EvalOptions& o, const std::string& model, size_t n, const EvalRun& run) {
  Json j;
  j["task"] = *Pipeline::canonical_task(o.task);
  j["model"] = model;
  j["data"] = o.data;
  j["examples"] = n;
  for (const char* key : {"correct", "accuracy", "classes"}) j[key] = run.json[key];
  j["batch_size"] = o.batch_size;
  j["latency_ms"] = run.json["latency_ms"];
  j["throughput_per_s"] = run.json["throughput_per_s"];
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("model:      %s\ndata:       %s (%zu examples)\n", model.c_str(), o.data.c_str(), n);
  std::printf("accuracy:   %.4f (%zu/%zu)\n", j["accuracy"].get<double>(), run.correct, n);
  for (const auto& [label, c] : j["classes"].items()) {
    std::printf("  %-12s precision %.4f  recall %.4f  support %zu\n", label.c_str(), c["precision"].get<double>(),
                c["recall"].get<double>(), c["support"].get<size_t>());
  }
  std::printf("latency:    %s ms  (per call of %zu input%s)\n", latency_text(j).c_str(), o.batch_size,
              o.batch_size == 1 ? "" : "s");
  std::printf("throughput: %.1f inputs/s\n", j["throughput_per_s"].get<double>());
  return 0;
}

// Side by side: `base` (--model, fp32) and `other` (the chosen precision or --compare-model).
int print_side_by_side(const EvalOptions& o, const std::vector<Example>& examples, const EvalRun& base,
                       const EvalRun& other, const std::string& base_name, const std::string& other_name) {
  const size_t n = examples.size();
  size_t agree = 0;
  Json disagreements = Json::array();
  for (size_t i = 0; i < n; ++i) {
    if (base.predicted[i] == other.predicted[i]) {
      ++agree;
    } else if (disagreements.size() < kListedDisagreements) {
      disagreements.push_back({{"example", i + 1},
                               {"text", examples[i].text},
                               {"gold", examples[i].label},
                               {"baseline", base.predicted[i]},
                               {"compared", other.predicted[i]}});
    }
  }
  const double agreement = static_cast<double>(agree) / n;
  const double base_acc = base.json["accuracy"].get<double>();
  const double other_acc = other.json["accuracy"].get<double>();
  Json j;
  j["task"] = *Pipeline::canonical_task(o.task);
  j["data"] = o.data;
  j["examples"] = n;
  j["batch_size"] = o.batch_size;
  // "baseline" is --model in fp32; "compared" the other run. Each: name, model, precision, correct, accuracy,
  // classes, latency_ms, throughput_per_s.
  j["baseline"] = base.json;
  j["baseline"]["name"] = base_name;
  j["compared"] = other.json;
  j["compared"]["name"] = other_name;
  j["accuracy_difference_points"] = 100.0 * (other_acc - base_acc);
  j["agreement"] = agreement;
  j["agreements"] = agree;
  j["disagreements"] = n - agree;
  j["disagreement_examples"] = disagreements;  // the first kListedDisagreements
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("data:        %s (%zu examples)\n", o.data.c_str(), n);
  std::printf("%-12s %s (%s)\n", (base_name + ":").c_str(), base.json["model"].get<std::string>().c_str(),
              base.json["precision"].get<std::string>().c_str());
  std::printf("%-12s %s (%s)\n", (other_name + ":").c_str(), other.json["model"].get<std::string>().c_str(),
              other.json["precision"].get<std::string>().c_str());
  std::printf("\n%-12s %-36s %-36s\n", "", base_name.c_str(), other_name.c_str());
  auto acc = [n](const EvalRun& r) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.4f (%zu/%zu)", r.json["accuracy"].get<double>(), r.correct, n);
    return std::string(buf);
  };
  std::printf("%-12s %-36s %-36s\n", "accuracy", acc(base).c_str(), acc(other).c_str());
  std::set<std::string> labels;
  for (const EvalRun* r : {&base, &other})
    for (const auto& [label, c] : r->json["classes"].items()) labels.insert(label);
  for (const std::string& label : labels) {
    auto recall = [&](const EvalRun& r) {
      if (!r.json["classes"].contains(label)) return std::string("-");
      char buf[64];
      std::snprintf(buf, sizeof(buf), "P %.4f R %.4f", r.json["classes"][label]["precision"].get<double>(),
                    r.json["classes"][label]["recall"].get<double>());
      return std::string(buf);
    };
    std::printf("  %-10s %-36s %-36s\n", label.c_str(), recall(base).c_str(), recall(other).c_str());
  }
  std::printf("%-12s %-36s %-36s (ms per call of %zu input%s)\n", "latency", latency_text(base.json).c_str(),
              latency_text(other.json).c_str(), o.batch_size, o.batch_size == 1 ? "" : "s");
  auto rate = [](const EvalRun& r) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.1f inputs/s", r.json["throughput_per_s"].get<double>());
    return std::string(buf);
  };
  std::printf("%-12s %-36s %-36s\n", "throughput", rate(base).c_str(), rate(other).c_str());
  std::printf("\naccuracy difference: %+.2f points (%s - %s)\n", 100.0 * (other_acc - base_acc), other_name.c_str(),
              base_name.c_str());
  std::printf("agreement:   %.4f (%zu/%zu examples given the same label; %zu disagreement%s)\n", agreement, agree, n,
              n - agree, n - agree == 1 ? "" : "s");
  return 0;
}

int run_eval(const EvalOptions& o) {
  if (Pipeline::canonical_task(o.task) != "text-classification")
    return fail("onyx eval supports text-classification (and its alias sentiment-analysis), got '" + o.task + "'");
  std::string model = o.model.empty() ? Pipeline::default_model(o.task).value_or("") : o.model;
  // --compare-model: a folder is a model folder of its own; an .onnx file uses --model's tokenizer and config.
  std::string other_dir, other_file;
  if (!o.compare_model.empty()) {
    std::error_code ec;
    if (fs::is_directory(o.compare_model, ec)) {
      other_dir = o.compare_model;
    } else if (fs::is_regular_file(o.compare_model, ec)) {
      if (fs::path(o.compare_model).extension() != ".onnx")
        return fail("--compare-model '" + o.compare_model +
                    "' is not an .onnx file: give a model folder (e.g. the output of `onyx quantize`) or an .onnx "
                    "file (read with --model's tokenizer and config)");
      other_dir = model;
      other_file = fs::absolute(o.compare_model, ec).string();
    } else {
      return fail("--compare-model '" + o.compare_model +
                  "' does not exist: give a model folder (e.g. the output of `onyx quantize`) or an .onnx file");
    }
  }
  if (!other_dir.empty()) {
    // Before the first evaluation: the second folder loads (config, tokenizer, model file present) and classifies
    // into the same labels as --model, else the agreement rate would mean nothing.
    auto base_folder = ModelFolder::load(model);
    if (!base_folder.ok()) return fail(base_folder.status().with_context("--model '" + model + "'").to_string());
    auto other_folder = ModelFolder::load(other_dir, other_file);
    if (!other_folder.ok())
      return fail(other_folder.status().with_context("--compare-model '" + o.compare_model + "'").to_string());
    if (other_folder->id2label != base_folder->id2label) {
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return "[" + s + "]";
      };
      return fail("--compare-model '" + o.compare_model + "' has the labels " + join(other_folder->id2label) +
                  " but --model has " + join(base_folder->id2label) +
                  " (config.json id2label): side by side needs two models with the same labels");
    }
  }
  auto data = read_tsv(o.data);
  if (!data.ok()) return fail(data.status().to_string());
  std::vector<Example> examples = std::move(data).value();
  if (o.limit > 0 && examples.size() > o.limit) examples.resize(o.limit);

  const bool side_by_side = !o.compare_model.empty() || o.precision != SessionOptions::Precision::kFp32;
  if (!side_by_side) {
    auto run = evaluate(o, examples, model, "", SessionOptions::Precision::kFp32, "--model '" + model + "'");
    if (!run.ok()) return fail(run.status().to_string());
    return print_single(o, model, examples.size(), *run);
  }
  const std::string base_name = o.compare_model.empty() ? "fp32" : "model";
  std::string other_name = o.compare_model.empty() ? precision_name(o.precision) : "compare";
  if (!o.compare_model.empty() && o.precision != SessionOptions::Precision::kFp32)
    other_name += std::string(" ") + precision_name(o.precision);
  if (!o.json) std::cerr << "onyx eval: " << base_name << ": " << model << " in fp32\n";
  auto base = evaluate(o, examples, model, "", SessionOptions::Precision::kFp32, "--model '" + model + "' (fp32)");
  if (!base.ok()) return fail(base.status().to_string());
  const std::string other_what = o.compare_model.empty()
                                     ? "--model '" + model + "' (" + precision_name(o.precision) + ")"
                                     : "--compare-model '" + o.compare_model + "'";
  if (!o.json)
    std::cerr << "onyx eval: " << other_name << ": " << (o.compare_model.empty() ? model : o.compare_model) << " in "
              << precision_name(o.precision) << "\n";
  auto other = evaluate(o, examples, other_dir.empty() ? model : other_dir, other_file, o.precision, other_what);
  if (!other.ok()) return fail(other.status().to_string());
  return print_side_by_side(o, examples, *base, *other, base_name, other_name);
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval",
      "Evaluate a text-classification model on a TSV file: accuracy, precision/recall, latency; with --precision "
      "bf16|int8 or --compare-model, two evaluations side by side with their agreement rate");
  cmd->add_option("task", o->task, "text-classification (or sentiment-analysis)")->required();
  cmd->add_option("--model", o->model, "model folder (default: the embedded default model)");
  cmd->add_option("--data", o->data, "TSV file: sentence<TAB>label per line (header line allowed)")->required();
  cmd->add_option("--batch-size", o->batch_size, "inputs per call (default 1: per-sentence latency)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--limit", o->limit, "only the first N examples");
  cmd->add_option("--threads", o->threads, "threads per model run (0 = all cores)");
  cmd->add_option("-O,--level", o->level,
                  "graph optimization level: 0 none, 1 basic, 2 extended (fusions), 3 + approximate gelu, 4 + bf16; "
                  "99 = all exact (= 2)")
      ->capture_default_str();
  add_precision_option(cmd, o->precision);
  cmd->add_option("--compare-model", o->compare_model,
                  "evaluate this model too, next to --model in fp32, and print both side by side with the agreement "
                  "rate: a model folder (e.g. the output of `onyx quantize`) or an .onnx file (read with --model's "
                  "tokenizer and config); it runs in --precision. Without it, --precision bf16|int8 compares --model "
                  "in fp32 and in that precision");
  cmd->add_flag("--json", o->json, "print the results as JSON");
  cmd->callback([o]() {
    int rc = run_eval(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
