// onyx_peak: this CPU's compute ceilings, so benchmark reports can state "% of peak" (issue #6, item 4).
//
//   onyx_peak [--threads 2] [--seconds 0.5] [--json] [--fp32-only]
//
// Variants (each run on 1 thread, then on --threads threads at once; best of 3 repeats):
//   fp32 fma      register-only loop of vfmadd231ps zmm (16 lanes x 2 flops = 32 FLOP per instruction)
//   bf16 dot      register-only loop of vdpbf16ps zmm (16 lanes x 2 pairs x 2 = 64 FLOP per instruction)
//   int8 dot      register-only loop of vpdpbusd zmm (64 u8*s8 products + 64 adds = 128 OP per instruction)
//   fp32 gemm     onyx::cpu::gemm_f32 (oneDNN sgemm when built with it) at transformer shapes
//                 (tokens x 768 x 3072 and tokens x 3072 x 768; tokens = 128 and 4096), the best reported
//   packed gemm   onyx's own PackedGemm (the weights packed once, what the engine runs) at the same shapes
// --fp32-only: the fp32 FMA loop alone (a few seconds; bench/compare measures it again in every round).
// The register loops keep 16 independent accumulators so that FMA latency (4-5 cycles) times the number of
// FMA pipes is covered; their inputs come from memory the compiler cannot see through, and their results
// are summed and printed, so the loops cannot be optimized away. Variants the CPU lacks are reported as
// unsupported (null in JSON).
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "src/core/cpu_features.h"
#include "src/core/parallel.h"
#include "src/ep/cpu/gemm/gemm.h"
#include "src/ep/cpu/gemm/packed_gemm.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kInner = 1 << 12;  // instructions per accumulator between clock checks = 16 * kInner

volatile float g_seed_f = 0.9999f;  // volatile: the compiler cannot fold the loops' inputs
volatile int g_seed_i = 3;

// g++ 12 warns "'__Y' is used uninitialized" inside its own _mm512_set1_* (they start from _mm512_undefined_*):
// a false positive of the header, silenced for the loops only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// Each loop runs `iters` blocks of 16 * kInner independent-chain instructions and returns a checksum.
__attribute__((target("avx512f"))) double fma_f32_loop(int64_t iters) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 a = _mm512_set1_ps(g_seed_f);
  const __m512 b = _mm512_set1_ps(1e-7f);  // acc -> b / (1 - a): stays normal, no denormal slow path
  for (int64_t it = 0; it < iters; ++it) {
    for (int64_t k = 0; k < kInner; ++k) {
      for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
  }
  __m512 s = acc[0];
  for (int i = 1; i < 16; ++i) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx512f,avx512bf16"))) double dot_bf16_loop(int64_t iters) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(g_seed_f), _mm512_set1_ps(g_seed_f));
  const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-9f), _mm512_set1_ps(-1e-9f));
  for (int64_t it = 0; it < iters; ++it) {
    for (int64_t k = 0; k < kInner; ++k) {
      for (int i = 0; i < 16; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    }
  }
  __m512 s = acc[0];
  for (int i = 1; i < 16; ++i) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx512f,avx512vnni"))) double dot_int8_loop(int64_t iters) {
  __m512i acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi8(static_cast<char>(g_seed_i));
  const __m512i b = _mm512_set1_epi8(-1);
  for (int64_t it = 0; it < iters; ++it) {
    for (int64_t k = 0; k < kInner; ++k) {
      for (int i = 0; i < 16; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
    }
  }
  __m512i s = acc[0];
  for (int i = 1; i < 16; ++i) s = _mm512_add_epi32(s, acc[i]);
  return static_cast<double>(_mm512_reduce_add_epi32(s));
}

#pragma GCC diagnostic pop

struct LoopKind {
  const char* name;
  const char* unit;
  double ops_per_instruction;
  bool supported;
  double (*loop)(int64_t);
};

// Runs `loop` on `threads` threads at once for about `seconds`; returns total ops per second (best of 3).
double measure_loop(const LoopKind& k, int threads, double seconds) {
  // Calibrate: how many blocks take ~seconds on one thread.
  int64_t iters = 1;
  for (;;) {
    const auto t0 = Clock::now();
    volatile double sink = k.loop(iters);
    (void)sink;
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s > 0.05) {
      iters = std::max<int64_t>(1, static_cast<int64_t>(iters * seconds / s));
      break;
    }
    iters *= 2;
  }
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    std::vector<double> sinks(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        ready.fetch_add(1);
        while (!go.load()) std::this_thread::yield();
        sinks[static_cast<size_t>(t)] = k.loop(iters);
      });
    }
    while (ready.load() < threads) std::this_thread::yield();
    const auto t0 = Clock::now();
    go.store(true);
    for (auto& th : pool) th.join();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    const double ops =
        static_cast<double>(threads) * static_cast<double>(iters) * 16.0 * kInner * k.ops_per_instruction;
    best = std::max(best, ops / s);
    if (sinks[0] == 12345.678) std::printf(" ");  // keep the results alive
  }
  return best;
}

struct GemmResult {
  int64_t m, n, k;
  double gflops;
};

// Best GFLOP/s of gemm_f32 (packed = false) or of a PackedGemm of the same weights (packed = true) on
// [m, k] x [k, n] with `threads` intra-op threads over ~seconds of repeats.
GemmResult measure_gemm(int64_t m, int64_t n, int64_t k, int threads, double seconds, bool packed) {
  std::vector<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), c(static_cast<size_t>(m * n));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>((i * 7 + 3) % 17) * 0.01f;
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>((i * 5 + 1) % 13) * 0.01f;
  onyx::set_intra_op_threads(threads);
  onyx::cpu::GemmParams p;
  p.m = m;
  p.n = n;
  p.k = k;
  std::unique_ptr<onyx::cpu::PackedGemm> pg;
  if (packed) {
    auto r = onyx::cpu::PackedGemm::create(b.data(), k, n, /*w_transposed=*/false, nullptr, {});
    if (!r.ok()) {
      std::fprintf(stderr, "onyx_peak: packed gemm failed: %s\n", r.status().to_string().c_str());
      return {m, n, k, 0.0};
    }
    pg = std::move(*r);
  }
  double best = 0;
  const auto start = Clock::now();
  int reps = 0;
  while (reps < 3 || std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    const auto t0 = Clock::now();
    onyx::Status s = pg ? pg->run(a.data(), m, k, c.data(), n) : onyx::cpu::gemm_f32(p, a.data(), b.data(), c.data());
    const double sec = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!s.ok()) {
      std::fprintf(stderr, "onyx_peak: gemm failed: %s\n", s.to_string().c_str());
      return {m, n, k, 0.0};
    }
    best = std::max(best, 2.0 * m * n * k / sec / 1e9);
    ++reps;
  }
  return {m, n, k, best};
}

// The GEMM shapes of a transformer layer, 1 and `threads` threads; the best of each.
nlohmann::json measure_gemms(const char* label, bool packed, int threads, double seconds, bool json) {
  std::fprintf(stderr, "onyx_peak: %s...\n", label);
  const int64_t shapes[][3] = {{128, 3072, 768}, {128, 768, 3072}, {4096, 3072, 768}, {4096, 768, 3072}};
  nlohmann::json gemms = nlohmann::json::array();
  GemmResult best1{0, 0, 0, 0}, bestn{0, 0, 0, 0};
  for (const auto& s : shapes) {
    const GemmResult r1 = measure_gemm(s[0], s[1], s[2], 1, seconds, packed);
    const GemmResult rn = measure_gemm(s[0], s[1], s[2], threads, seconds, packed);
    gemms.push_back(
        {{"m", s[0]}, {"n", s[1]}, {"k", s[2]}, {"gflops_1_thread", r1.gflops}, {"gflops_all_threads", rn.gflops}});
    if (r1.gflops > best1.gflops) best1 = r1;
    if (rn.gflops > bestn.gflops) bestn = rn;
    if (!json)
      std::printf("%-10s %5lldx%4lldx%4lld %12.1f %12.1f  GFLOP/s (m x n x k)\n", label, static_cast<long long>(s[0]),
                  static_cast<long long>(s[1]), static_cast<long long>(s[2]), r1.gflops, rn.gflops);
  }
  return {{"shapes", gemms}, {"best_1_thread", best1.gflops}, {"best_all_threads", bestn.gflops}};
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  double seconds = 0.5;
  bool json = false, fp32_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc)
      threads = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--seconds" && i + 1 < argc)
      seconds = std::max(0.05, std::atof(argv[++i]));
    else if (arg == "--json")
      json = true;
    else if (arg == "--fp32-only")
      fp32_only = true;
    else {
      std::fprintf(stderr,
                   "usage: onyx_peak [--threads N] [--seconds S] [--json] [--fp32-only]\n"
                   "  register-only fp32 FMA / bf16 / int8 dot loops and the best fp32 GEMM, 1 and N threads\n"
                   "  --fp32-only: the fp32 FMA loop alone\n");
      return arg == "--help" || arg == "-h" ? 0 : 2;
    }
  }
  const onyx::CpuFeatures& f = onyx::cpu_features();
  const LoopKind kinds[] = {
      {"fp32_fma", "GFLOP/s", 32.0, f.avx512f, fma_f32_loop},
      {"bf16_dot", "GFLOP/s", 64.0, f.avx512f && f.avx512bf16, dot_bf16_loop},
      {"int8_dot", "GOPS", 128.0, f.avx512f && f.avx512vnni, dot_int8_loop},
  };
  nlohmann::json j;
  j["cpu_features"] = f.to_string();
  j["threads"] = threads;
  j["hardware_threads"] = std::thread::hardware_concurrency();
  if (!json)
    std::printf("%-10s %-8s %12s %12s\n", "loop", "unit", "1 thread", (std::to_string(threads) + " threads").c_str());
  for (const LoopKind& k : kinds) {
    if (fp32_only && std::string(k.name) != "fp32_fma") continue;
    if (!k.supported) {
      j[k.name] = nullptr;
      if (!json) std::printf("%-10s %-8s %12s %12s\n", k.name, k.unit, "unsupported", "unsupported");
      continue;
    }
    std::fprintf(stderr, "onyx_peak: %s...\n", k.name);
    const double one = measure_loop(k, 1, seconds) / 1e9;
    const double many = measure_loop(k, threads, seconds) / 1e9;
    j[k.name] = {{"unit", k.unit}, {"per_core", one}, {"all_threads", many}};
    if (!json) std::printf("%-10s %-8s %12.1f %12.1f\n", k.name, k.unit, one, many);
  }
  if (!fp32_only) {
    j["gemm_f32"] = measure_gemms("gemm_f32", /*packed=*/false, threads, seconds, json);
    j["packed_gemm_f32"] = measure_gemms("packed_f32", /*packed=*/true, threads, seconds, json);
  }
  if (json) std::printf("%s\n", j.dump(2).c_str());
  return 0;
}
