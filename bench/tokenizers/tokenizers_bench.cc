// Encode throughput of onyx's tokenizers (tokens/s), one configuration per run; driven by
// run_bench.py, which runs the Rust reference (rust_bench.js) on the same inputs.
//
//   onyx_tokenizers_bench --tokenizer DIR --inputs FILE --threads N [--min-seconds S]
//
// FILE is a JSON array of input texts (as run_bench.py writes it). The
// tokenizer is loaded with truncation and padding off; encode adds special tokens, as the Rust
// side does. Prints one JSON object: texts, tokens (per pass), passes, seconds, tokens_per_s.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "onyx/tokenizer.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: onyx_tokenizers_bench --tokenizer DIR --inputs FILE --threads N [--min-seconds S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, inputs;
  size_t threads = 1;
  double min_seconds = 2.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--tokenizer") {
      dir = argv[i + 1];
    } else if (k == "--inputs") {
      inputs = argv[i + 1];
    } else if (k == "--threads") {
      threads = std::strtoul(argv[i + 1], nullptr, 10);
    } else if (k == "--min-seconds") {
      min_seconds = std::strtod(argv[i + 1], nullptr);
    } else {
      return usage();
    }
  }
  if (dir.empty() || inputs.empty() || threads == 0) return usage();

  std::ifstream in(inputs);
  std::stringstream buf;
  buf << in.rdbuf();
  auto j = nlohmann::json::parse(buf.str(), nullptr, false);
  if (!j.is_array()) {
    std::fprintf(stderr, "%s: not a JSON array of strings\n", inputs.c_str());
    return 1;
  }
  const auto texts = j.get<std::vector<std::string>>();
  auto loaded = onyx::tok::Tokenizer::from_directory(dir);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().to_string().c_str());
    return 1;
  }
  onyx::tok::Tokenizer tok = std::move(loaded).value();
  if (auto st = tok.set_truncation(std::nullopt); !st.ok()) return 1;
  tok.set_padding(std::nullopt);

  auto run_once = [&](size_t& tokens) -> bool {
    auto r = tok.encode_batch(std::span<const std::string>(texts), onyx::tok::EncodeOptions{}, threads);
    if (!r.ok()) {
      std::fprintf(stderr, "encode_batch: %s\n", r.status().to_string().c_str());
      return false;
    }
    tokens = 0;
    for (const auto& e : *r) tokens += e.size();
    return true;
  };
  size_t tokens = 0;
  if (!run_once(tokens)) return 1;  // warm-up
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  size_t passes = 0;
  double seconds = 0;
  do {
    if (!run_once(tokens)) return 1;
    ++passes;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (seconds < min_seconds);
  std::printf("{\"texts\": %zu, \"tokens\": %zu, \"passes\": %zu, \"seconds\": %.4f, \"tokens_per_s\": %.1f}\n",
              texts.size(), tokens, passes, seconds, static_cast<double>(tokens) * passes / seconds);
  return 0;
}
