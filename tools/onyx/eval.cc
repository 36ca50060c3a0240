// `onyx eval text-classification --model DIR --data FILE.tsv [--batch-size N] [--json]`: accuracy, per-class
// precision/recall and latency percentiles of a text-classification model on a labelled TSV file
// (sentence<TAB>label per line; label = class index or label name; a first line "sentence<TAB>label" is skipped).
// Latency is measured per model call (tokenize + run + post-process) of --batch-size inputs, in milliseconds.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "onyx/pipeline.h"
#include "tools/onyx/commands.h"
#include "tools/onyx/progress.h"

namespace onyx::cli {
namespace {

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
  bool json = false;
};

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

int run_eval(const EvalOptions& o) {
  if (Pipeline::canonical_task(o.task) != "text-classification")
    return fail("onyx eval supports text-classification (and its alias sentiment-analysis), got '" + o.task + "'");
  std::string model = o.model.empty() ? Pipeline::default_model(o.task).value_or("") : o.model;
  auto data = read_tsv(o.data);
  if (!data.ok()) return fail(data.status().to_string());
  std::vector<Example> examples = std::move(data).value();
  if (o.limit > 0 && examples.size() > o.limit) examples.resize(o.limit);
  PipelineOptions options;
  options.threads = o.threads;
  options.optimization_level = o.level;
  options.precision = o.precision;
  options.batch_size = o.batch_size;
  auto created = Pipeline::create(o.task, model, options);
  if (!created.ok()) return fail(created.status().to_string());
  const Pipeline& pipeline = **created;

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
    if (!r.ok()) return fail(r.status().to_string());
  }
  std::vector<double> latencies_ms;
  std::vector<std::string> predicted;
  ProgressBar progress(!o.json, "examples");
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t begin = 0; begin < examples.size(); begin += o.batch_size) {
    const size_t n = std::min(o.batch_size, examples.size() - begin);
    std::vector<std::string> texts;
    for (size_t i = 0; i < n; ++i) texts.push_back(examples[begin + i].text);
    const auto s = std::chrono::steady_clock::now();
    auto r = classify(pipeline, texts);
    const auto e = std::chrono::steady_clock::now();
    if (!r.ok()) return fail(r.status().with_context("example " + std::to_string(begin + 1)).to_string());
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(e - s).count());
    for (const auto& list : *r) predicted.push_back(list.front().label);
    progress.update(begin + n, examples.size());
  }
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  size_t correct = 0;
  std::map<std::string, std::array<size_t, 3>> per_class;  // tp, fp, fn
  for (size_t i = 0; i < examples.size(); ++i) {
    const std::string gold = gold_name(examples[i].label);
    if (predicted[i] == gold) {
      ++correct;
      per_class[gold][0]++;
    } else {
      per_class[predicted[i]][1]++;
      per_class[gold][2]++;
    }
  }
  const double accuracy = static_cast<double>(correct) / examples.size();
  Json j;
  j["task"] = *Pipeline::canonical_task(o.task);
  j["model"] = model;
  j["data"] = o.data;
  j["examples"] = examples.size();
  j["correct"] = correct;
  j["accuracy"] = accuracy;
  j["classes"] = Json::object();
  for (const auto& [label, c] : per_class) {
    const double precision = c[0] + c[1] ? static_cast<double>(c[0]) / (c[0] + c[1]) : 0.0;
    const double recall = c[0] + c[2] ? static_cast<double>(c[0]) / (c[0] + c[2]) : 0.0;
    j["classes"][label] = {{"precision", precision}, {"recall", recall}, {"support", c[0] + c[2]}};
  }
  j["batch_size"] = o.batch_size;
  j["latency_ms"] = {{"p50", percentile(latencies_ms, 50)},
                     {"p90", percentile(latencies_ms, 90)},
                     {"p99", percentile(latencies_ms, 99)}};
  j["throughput_per_s"] = examples.size() / total_s;
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("model:      %s\ndata:       %s (%zu examples)\n", model.c_str(), o.data.c_str(), examples.size());
  std::printf("accuracy:   %.4f (%zu/%zu)\n", accuracy, correct, examples.size());
  for (const auto& [label, c] : j["classes"].items()) {
    std::printf("  %-12s precision %.4f  recall %.4f  support %zu\n", label.c_str(), c["precision"].get<double>(),
                c["recall"].get<double>(), c["support"].get<size_t>());
  }
  std::printf("latency:    p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  (per call of %zu input%s)\n",
              j["latency_ms"]["p50"].get<double>(), j["latency_ms"]["p90"].get<double>(),
              j["latency_ms"]["p99"].get<double>(), o.batch_size, o.batch_size == 1 ? "" : "s");
  std::printf("throughput: %.1f inputs/s\n", j["throughput_per_s"].get<double>());
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Evaluate a text-classification model on a TSV file: accuracy, precision/recall, latency");
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
  cmd->add_flag("--json", o->json, "print the results as JSON");
  cmd->callback([o]() {
    int rc = run_eval(*o);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
