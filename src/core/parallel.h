// parallel_for: split [0, n) into chunks run on the intra-op threads (OpenMP, shared with oneDNN so the
// two never oversubscribe each other). The thread count for the calling thread's current run is set by the
// Session through set_intra_op_threads().
#pragma once

#include <algorithm>
#include <cstdint>

#include <omp.h>

namespace onyx {

void set_intra_op_threads(int threads);  // thread-local; <= 0 means all cores
int intra_op_threads();

// fn(begin, end) is called on disjoint ranges covering [0, n); each range has >= min_chunk items
// (except possibly the last). Runs inline when one thread suffices.
template <typename F>
void parallel_for(int64_t n, int64_t min_chunk, F&& fn) {
  if (n <= 0) return;
  const int64_t max_tasks = std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk));
  const int threads = static_cast<int>(std::min<int64_t>(intra_op_threads(), max_tasks));
  if (threads <= 1) {
    fn(int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int64_t t = omp_get_thread_num();
    const int64_t begin = n * t / threads;
    const int64_t end = n * (t + 1) / threads;
    if (begin < end) fn(begin, end);
  }
}

}  // namespace onyx
