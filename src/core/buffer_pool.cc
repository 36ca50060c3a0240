#include "src/core/buffer_pool.h"

#include <bit>
#include <cstdlib>

#include "src/core/check.h"

namespace onyx {

BufferPool::~BufferPool() {
  for (auto& [cls, list] : free_)
    for (void* p : list) std::free(p);
}

size_t BufferPool::size_class(size_t bytes) {
  if (bytes <= 4096) return std::max<size_t>(64, (bytes + 63) / 64 * 64);
  return std::bit_ceil(bytes);
}

std::shared_ptr<void> BufferPool::allocate_bytes(size_t bytes) {
  const size_t cls = size_class(bytes);
  void* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(cls);
    if (it != free_.end() && !it->second.empty()) {
      p = it->second.back();
      it->second.pop_back();
    } else {
      bytes_reserved_ += cls;
      ++buffers_reserved_;
    }
  }
  if (!p) {
    p = std::aligned_alloc(64, cls);
    ONYX_CHECK(p != nullptr, "out of memory allocating " + std::to_string(cls) + " bytes");
  }
  // The deleter keeps the pool alive while buffers are out (outputs handed to users included).
  std::shared_ptr<BufferPool> self = shared_from_this();
  return std::shared_ptr<void>(p, [self, cls](void* q) { self->release(q, cls); });
}

Tensor BufferPool::allocate(DType dtype, Shape shape) {
  const size_t bytes = static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype);
  auto buffer = allocate_bytes(bytes);
  return Tensor(dtype, std::move(shape), std::move(buffer));
}

void BufferPool::release(void* p, size_t cls) {
  std::lock_guard<std::mutex> lock(mu_);
  free_[cls].push_back(p);
}

size_t BufferPool::bytes_reserved() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_reserved_;
}

size_t BufferPool::buffers_reserved() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buffers_reserved_;
}

}  // namespace onyx
