// Sub-commands of the `onyx` CLI. Each add_*_command registers itself (options, help, callback) on the app.
#pragma once

#include <CLI/CLI.hpp>

#include "onyx/session.h"

namespace onyx::cli {

void add_info_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_ops_command(CLI::App& app);
void add_optimize_command(CLI::App& app);  // tools/onyx/optimize.cc
void add_quantize_command(CLI::App& app);  // tools/onyx/quantize.cc
void add_tokenize_command(CLI::App& app);
void add_pipeline_command(CLI::App& app);  // tools/onyx/pipeline.cc
void add_eval_command(CLI::App& app);      // tools/onyx/eval.cc
void add_bench_command(CLI::App& app);     // tools/onyx/bench.cc

// Prints "onyx: error: <message>" to stderr and returns the exit code for failures (1).
int fail(const std::string& message);

// `--precision fp32|bf16|int8` (the run, pipeline and eval commands; bench validates its own string option with the
// same choices): adds the option to `cmd`, storing the choice in `precision` (validated by CLI11: anything else is a
// usage error naming the choices).
void add_precision_option(CLI::App* cmd, SessionOptions::Precision& precision);

}  // namespace onyx::cli
