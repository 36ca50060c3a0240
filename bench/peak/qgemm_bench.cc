// onyx_qgemm_bench: GOPS of the int8 GEMM (PackedQGemm, issue #7) at the transformer shapes, next to onyx's fp32
// PackedGemm on the same shapes.
//
//   onyx_qgemm_bench [--threads 2] [--rounds 3] [--seconds 0.1] [--m 35,128] [--isa auto|avx512vnni|avx2|reference]
//                    [--peak GOPS]
//
// Variants, per M x (K x N) in {768x2304, 768x768, 768x3072, 3072x768}:
//   dynamic     run_dynamic: fp32 X -> min/max, quantize (into per-thread scratch), int8 GEMM, fp32 Y (the
//               DynamicQuantizeMatMul path; the figure that counts)
//   quantized   run_quantized: uint8 X already quantized -> fp32 Y (the GEMM alone)
//   fp32        PackedGemm fp32 (oneDNN where built in), GFLOP/s
// OPS = 2 M K N for all three. --peak (e.g. onyx_peak's int8_dot on the same threads) adds "% of peak" for the
// dynamic column. Each round times every variant once (about --seconds each) in turn; the table shows the median.
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
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/packed_gemm.h"
#include "src/ep/cpu/gemm/qgemm.h"

namespace {

using onyx::bench::median;
using onyx::bench::parse_list;
using onyx::bench::rate;

}  // namespace

int main(int argc, char** argv) {
  int threads = 2, rounds = 3;
  double seconds = 0.1, peak = 0;
  std::vector<int64_t> ms = {35, 128};
  onyx::cpu::QGemmIsa isa = onyx::cpu::QGemmIsa::kAuto;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--threads")
      threads = std::atoi(v.c_str());
    else if (a == "--rounds")
      rounds = std::atoi(v.c_str());
    else if (a == "--seconds")
      seconds = std::atof(v.c_str());
    else if (a == "--m")
      ms = parse_list(v.c_str());
    else if (a == "--peak")
      peak = std::atof(v.c_str());
    else if (a == "--isa")
      isa = v == "avx512vnni"  ? onyx::cpu::QGemmIsa::kAvx512Vnni
            : v == "avx2"      ? onyx::cpu::QGemmIsa::kAvx2
            : v == "reference" ? onyx::cpu::QGemmIsa::kReference
                               : onyx::cpu::QGemmIsa::kAuto;
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  onyx::set_intra_op_threads(threads);
  std::printf("threads=%d rounds=%d (median; int8 in GOPS, fp32 in GFLOP/s)\n%6s %11s %10s %10s %8s %10s %9s\n",
              threads, rounds, "M", "KxN", "dynamic", "quantized", "%peak", "fp32", "dyn/fp32");
  const std::pair<int64_t, int64_t> shapes[] = {{768, 2304}, {768, 768}, {768, 3072}, {3072, 768}};
  for (int64_t m : ms)
    for (auto [k, n] : shapes) {
      std::mt19937 rng(1);
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      std::vector<float> wf(static_cast<size_t>(k * n)), x(static_cast<size_t>(m * k)), y(static_cast<size_t>(m * n));
      for (float& v : wf) v = dist(rng);
      for (float& v : x) v = dist(rng);
      std::vector<int8_t> wq(wf.size());
      std::vector<float> sw(static_cast<size_t>(n)), bias(static_cast<size_t>(n), 0.1f);
      onyx::cpu::quantize_weights_symmetric(wf.data(), k, n, false, true, wq.data(), sw.data());
      auto q = onyx::cpu::PackedQGemm::create({.data = wq.data(), .k = k, .n = n, .scales = sw.data(), .num_scales = n},
                                              bias.data(), {.isa = isa});
      auto f = onyx::cpu::PackedGemm::create(wf.data(), k, n, false, bias.data(), {});
      if (!q.ok() || !f.ok()) {
        std::fprintf(stderr, "%s %s\n", q.status().to_string().c_str(), f.status().to_string().c_str());
        return 1;
      }
      std::vector<uint8_t> xq(x.size());
      const onyx::cpu::QuantParams qp = onyx::cpu::dynamic_quant_params(-1.0f, 1.0f);
      onyx::cpu::quantize_u8(x.data(), m, k, k, qp, xq.data(), k);
      std::vector<std::function<void()>> variants = {
          [&] { (void)(*q)->run_dynamic(x.data(), m, k, y.data(), n); },
          [&] { (void)(*q)->run_quantized(xq.data(), m, k, qp, y.data(), n); },
          [&] { (void)(*f)->run(x.data(), m, k, y.data(), n); },
      };
      for (auto& v : variants) v();  // warm-up: scratch, primitive creation, page faults
      std::vector<std::vector<double>> gops(variants.size());
      for (int r = 0; r < rounds; ++r)
        for (size_t v = 0; v < variants.size(); ++v)
          gops[v].push_back(rate(variants[v], seconds) * 2.0 * static_cast<double>(m * k * n) * 1e-9);
      const double dyn = median(gops[0]), qu = median(gops[1]), fp = median(gops[2]);
      std::printf("%6lld %5lldx%-5lld %10.1f %10.1f %8s %10.1f %9.2f\n", static_cast<long long>(m),
                  static_cast<long long>(k), static_cast<long long>(n), dyn, qu,
                  peak > 0 ? (std::to_string(static_cast<int>(100.0 * dyn / peak + 0.5)) + "%").c_str() : "-", fp,
                  dyn / fp);
      std::fflush(stdout);
    }
  return 0;
}
