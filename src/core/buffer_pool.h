// BufferPool: recycles tensor buffers across runs so a session's steady state allocates nothing new.
// Buffers come back to the pool when the last Tensor sharing them is destroyed (custom deleter), and are
// handed out again for requests of the same size class (sizes rounded up to a power of two above 4 KiB,
// to 64 bytes below). Thread safety: allocate() and buffer release may happen from any thread.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "onyx/tensor.h"

namespace onyx {

class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  static std::shared_ptr<BufferPool> create() { return std::shared_ptr<BufferPool>(new BufferPool()); }
  ~BufferPool();

  Tensor allocate(DType dtype, Shape shape);
  std::shared_ptr<void> allocate_bytes(size_t bytes);

  // Bytes held (in use + free). Used by tests to check there is no per-run growth.
  size_t bytes_reserved() const;
  size_t buffers_reserved() const;

 private:
  BufferPool() = default;
  void release(void* p, size_t size_class);
  static size_t size_class(size_t bytes);

  mutable std::mutex mu_;
  std::map<size_t, std::vector<void*>> free_;  // size class -> free buffers
  size_t bytes_reserved_ = 0;
  size_t buffers_reserved_ = 0;
};

}  // namespace onyx
