#include "src/core/parallel.h"

#include <omp.h>

#include <thread>

namespace onyx {

namespace {
thread_local int g_intra_op_threads = 0;
}

void set_intra_op_threads(int threads) { g_intra_op_threads = threads; }

int intra_op_threads() {
  if (g_intra_op_threads > 0) return g_intra_op_threads;
  static const int kCores = std::max(1u, std::thread::hardware_concurrency());
  return kCores;
}

}  // namespace onyx
