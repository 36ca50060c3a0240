// Counts what the global operator new hands out while `alloc_counter::counting` is set (steady-state tests: no
// tensor-sized allocation per run after warm-up). It REPLACES the global operator new / delete, so include it in
// exactly one translation unit of a test binary (each test using it is its own binary).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace onyx::test::alloc_counter {
inline std::atomic<bool> counting{false};
inline std::atomic<long> allocations{0};  // calls while counting
inline std::atomic<long> bytes{0};        // bytes requested while counting
inline std::atomic<long> largest{0};      // the largest single request while counting
}  // namespace onyx::test::alloc_counter

void* operator new(size_t n) {
  namespace ac = onyx::test::alloc_counter;
  if (ac::counting.load(std::memory_order_relaxed)) {
    ac::allocations.fetch_add(1, std::memory_order_relaxed);
    ac::bytes.fetch_add(static_cast<long>(n), std::memory_order_relaxed);
    long prev = ac::largest.load(std::memory_order_relaxed);
    while (static_cast<long>(n) > prev && !ac::largest.compare_exchange_weak(prev, static_cast<long>(n))) {
    }
  }
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
