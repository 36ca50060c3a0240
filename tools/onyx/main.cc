// onyx: Transformer inference engine CLI. `onyx --help` lists the sub-commands.
#include <cstdio>
#include <iostream>
#include <string>

#include "tools/onyx/commands.h"

namespace onyx::cli {
int fail(const std::string& message) {
  std::fprintf(stderr, "onyx: error: %s\n", message.c_str());
  return 1;
}

void add_precision_option(CLI::App* cmd, SessionOptions::Precision& precision) {
  cmd->add_option_function<std::string>(
         "--precision",
         [&precision](const std::string& p) {
           precision = p == "bf16"   ? SessionOptions::Precision::kBf16
                       : p == "int8" ? SessionOptions::Precision::kInt8
                                     : SessionOptions::Precision::kFp32;
         },
         "fp32 (exact), bf16 (MatMul/Gemm/Attention weights packed in bfloat16, fp32 accumulation; needs "
         "AVX512-BF16) or int8 (dynamic INT8, as `onyx quantize --mode dynamic`: the constant MatMul/Gemm/Attention "
         "weights quantized to int8 per output column at session creation, activations to uint8 per run, int32 "
         "accumulation; everything else stays fp32). A model that is already quantized runs as it is")
      ->check(CLI::IsMember({"fp32", "bf16", "int8"}))
      ->default_str("fp32");
}
}  // namespace onyx::cli

int main(int argc, char** argv) {
  CLI::App app{"onyx: load, run and inspect ONNX Transformer models on CPU"};
  app.require_subcommand(1);
  onyx::cli::add_info_command(app);
  onyx::cli::add_run_command(app);
  onyx::cli::add_ops_command(app);
  onyx::cli::add_optimize_command(app);
  onyx::cli::add_quantize_command(app);
  onyx::cli::add_bench_command(app);
#ifdef ONYX_HAVE_TOKENIZERS
  onyx::cli::add_tokenize_command(app);
#endif
#ifdef ONYX_HAVE_PIPELINES
  onyx::cli::add_pipeline_command(app);
  onyx::cli::add_eval_command(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    return onyx::cli::fail(e.what());
  }
  return 0;
}
