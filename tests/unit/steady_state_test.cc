// Steady-state runs (issue #6): after warm-up, a run takes its tensor buffers from the session's pool (the heap
// sees only small bookkeeping allocations), the pool does not grow, and the intra-op threads sleep when idle
// instead of spinning on the cores.
//
// This binary replaces the global operator new to count what a run allocates; it is its own test executable so
// the counting does not affect other tests.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <new>
#include <thread>

#include "onyx/session.h"
#include "src/core/npy.h"
#include "tests/unit/alloc_counter.h"

namespace {
auto& g_counting = onyx::test::alloc_counter::counting;
auto& g_allocations = onyx::test::alloc_counter::allocations;
auto& g_bytes = onyx::test::alloc_counter::bytes;
auto& g_largest = onyx::test::alloc_counter::largest;
}  // namespace

namespace onyx::test {
namespace {

namespace fs = std::filesystem;
const fs::path kModel = fs::path(ONYX_SOURCE_DIR) / "tests/models/data/distilbert_seqcls_opset14";

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

struct Loaded {
  std::unique_ptr<Session> session;
  NamedTensors inputs;
};

Loaded load(bool remove_padding) {
  SessionOptions so;
  so.threads = 2;
  so.remove_padding = remove_padding;
  auto s = Session::create((kModel / "model.onnx").string(), so);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  auto ids = read_npy((kModel / "case_batch3_padded/input_input_ids.npy").string());
  auto mask = read_npy((kModel / "case_batch3_padded/input_attention_mask.npy").string());
  EXPECT_TRUE(ids.ok() && mask.ok());
  return {std::move(s).value(), {{"input_ids", *ids}, {"attention_mask", *mask}}};
}

void expect_runs_reuse_the_pool(bool remove_padding) {
  Loaded m = load(remove_padding);
  ASSERT_TRUE(m.session);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(m.session->run(m.inputs).ok());
  const size_t pooled = m.session->pooled_bytes();
  g_allocations = 0;
  g_bytes = 0;
  g_largest = 0;
  constexpr int kRuns = 5;
  g_counting = true;
  for (int i = 0; i < kRuns; ++i) ASSERT_TRUE(m.session->run(m.inputs).ok());
  g_counting = false;
  // The padded batch's activations are [3, S, 32] floats and more: none of them may come from operator new.
  // What remains is bookkeeping (value slots, output names): measured ~180 small allocations, ~8 KiB per run.
  EXPECT_LT(g_largest.load(), 4096) << "a run allocated a buffer outside the pool";
  EXPECT_LT(g_bytes.load() / kRuns, 64 * 1024);
  EXPECT_EQ(m.session->pooled_bytes(), pooled) << "the pool grew after warm-up";
}

TEST(SteadyState, RunsTakeBuffersFromThePool) { expect_runs_reuse_the_pool(false); }
TEST(SteadyState, RunsTakeBuffersFromThePoolWithPaddingRemoved) { expect_runs_reuse_the_pool(true); }

TEST(SteadyState, IdleThreadsSleep) {
  Loaded m = load(false);
  ASSERT_TRUE(m.session);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(m.session->run(m.inputs).ok());
  // Two intra-op threads spinning through a 400 ms pause would burn ~800 ms of CPU; sleeping ones burn ~0 (libgomp
  // spins briefly after a parallel region, then waits on a futex: measured ~7 ms here).
  const double c0 = process_cpu_ms();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_LT(process_cpu_ms() - c0, 100.0);
}

}  // namespace
}  // namespace onyx::test
