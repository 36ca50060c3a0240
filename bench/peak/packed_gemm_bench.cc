// onyx_packed_gemm_bench: GFLOP/s of the transformer GEMM shapes through the three fp32/bf16 paths (issue #6).
//
//   onyx_packed_gemm_bench [--threads 2] [--rounds 7] [--seconds 0.1] [--m 35,128,1024]
//
// Variants, per M x (K x N) in {768x768, 768x3072, 3072x768, 768x2304}:
//   sgemm         gemm_f32 (oneDNN's dnnl_sgemm with unpacked W, the MatMul path before PackedGemm)
//   packed fp32   PackedGemm, W packed once (onyx's AVX-512 kernel on AVX-512 CPUs)
//   onednn fp32   PackedGemm with options.onednn (oneDNN's brgemm, W in its blocked layout)
//   packed bf16   PackedGemm with bf16 weights (skipped without AVX512-BF16); includes converting X to bf16
// Each round times every variant once (about --seconds each) in turn, so the variants alternate and share the
// machine's noise; the table shows the median over rounds. Primitive creation for the M happens in a warm-up.
// W is hot in cache here (one matrix, run over and over); a model streams each W from memory once per run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/peak/bench_util.h"
#include "src/core/cpu_features.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/gemm/packed_gemm.h"

namespace {

using onyx::bench::median;
using onyx::bench::parse_list;
using onyx::bench::rate;

std::vector<float> random_floats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, rounds = 7;
  double seconds = 0.1;
  std::vector<int64_t> ms = {35, 128, 1024};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seconds"))
      seconds = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--m"))
      ms = parse_list(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  onyx::set_intra_op_threads(threads);
  const bool bf16 = onyx::cpu_features().avx512bf16;
  std::printf("threads=%d rounds=%d (median GFLOP/s)\n%6s %11s %10s %12s %12s %12s %10s %10s\n", threads, rounds, "M",
              "KxN", "sgemm", "packed_fp32", "onednn_fp32", "packed_bf16", "fp32/sg", "bf16/fp32");
  const std::pair<int64_t, int64_t> shapes[] = {{768, 768}, {768, 3072}, {3072, 768}, {768, 2304}};
  for (int64_t m : ms)
    for (auto [k, n] : shapes) {
      const auto w = random_floats(static_cast<size_t>(k * n), 1), x = random_floats(static_cast<size_t>(m * k), 2);
      std::vector<float> y(static_cast<size_t>(m * n));
      auto fp32 = onyx::cpu::PackedGemm::create(w.data(), k, n, false, nullptr, {});
      onyx::cpu::PackedGemmOptions od;
      od.onednn = true;
      auto dn = onyx::cpu::PackedGemm::create(w.data(), k, n, false, nullptr, od);
      onyx::cpu::PackedGemmOptions ob;
      ob.bf16 = true;
      auto pb = bf16 ? onyx::cpu::PackedGemm::create(w.data(), k, n, false, nullptr, ob)
                     : onyx::Result<std::unique_ptr<onyx::cpu::PackedGemm>>(onyx::not_implemented("no bf16"));
      if (!fp32.ok() || !dn.ok()) {
        std::fprintf(stderr, "%s\n", (fp32.ok() ? dn.status() : fp32.status()).to_string().c_str());
        return 1;
      }
      std::vector<std::function<void()>> variants = {
          [&] { (void)onyx::cpu::gemm_f32({.m = m, .n = n, .k = k}, x.data(), w.data(), y.data()); },
          [&] { (void)(*fp32)->run(x.data(), m, k, y.data(), n); },
          [&] { (void)(*dn)->run(x.data(), m, k, y.data(), n); },
      };
      if (pb.ok()) variants.push_back([&] { (void)(*pb)->run(x.data(), m, k, y.data(), n); });
      for (auto& v : variants) v();  // warm-up: primitive creation, page faults
      std::vector<std::vector<double>> gflops(variants.size());
      for (int r = 0; r < rounds; ++r)
        for (size_t v = 0; v < variants.size(); ++v)
          gflops[v].push_back(rate(variants[v], seconds) * 2.0 * static_cast<double>(m * k * n) * 1e-9);
      const double sg = median(gflops[0]), pf = median(gflops[1]), od_rate = median(gflops[2]);
      const double pbf = pb.ok() ? median(gflops[3]) : 0.0;
      std::printf("%6lld %5lldx%-5lld %10.1f %12.1f %12.1f %12.1f %10.2f %10.2f\n", static_cast<long long>(m),
                  static_cast<long long>(k), static_cast<long long>(n), sg, pf, od_rate, pbf, pf / sg, pbf / pf);
      std::fflush(stdout);
    }
  return 0;
}
