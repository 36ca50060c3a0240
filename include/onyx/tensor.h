// onyx/tensor.h: DType and Tensor, the values that flow into, through and out of a Session.
// A Tensor is a shape + dtype + a shared, reference-counted buffer. Copies share the buffer (cheap);
// tensors handed between kernels are treated as immutable once produced.
// Thread safety: distinct Tensor objects may be used from different threads; writing to a buffer
// while another thread reads it is a data race.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace onyx {

// Values follow ONNX TensorProto.DataType so conversion is a cast.
enum class DType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,  // recognised so errors can name it; not supported by any kernel
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
};

// IEEE half and bfloat16 storage types (conversion functions in src/core/half.h).
struct Float16 {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};

// "float32", "int64", ... ("unknown(N)" for anything else).
std::string dtype_name(DType dtype);
// Bytes per element; 0 for kUndefined / kString.
size_t dtype_size(DType dtype);

// The DType whose element storage type is T (kUndefined for anything else).
template <typename T>
constexpr DType dtype_of_storage() {
  if constexpr (std::is_same_v<T, float>) return DType::kFloat32;
  else if constexpr (std::is_same_v<T, double>) return DType::kFloat64;
  else if constexpr (std::is_same_v<T, Float16>) return DType::kFloat16;
  else if constexpr (std::is_same_v<T, BFloat16>) return DType::kBFloat16;
  else if constexpr (std::is_same_v<T, int8_t>) return DType::kInt8;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::kUInt8;
  else if constexpr (std::is_same_v<T, int16_t>) return DType::kInt16;
  else if constexpr (std::is_same_v<T, uint16_t>) return DType::kUInt16;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::kInt32;
  else if constexpr (std::is_same_v<T, uint32_t>) return DType::kUInt32;
  else if constexpr (std::is_same_v<T, int64_t>) return DType::kInt64;
  else if constexpr (std::is_same_v<T, uint64_t>) return DType::kUInt64;
  else if constexpr (std::is_same_v<T, bool>) return DType::kBool;
  else return DType::kUndefined;
}

using Shape = std::vector<int64_t>;
// "[2, 7, 32]"
std::string shape_to_string(std::span<const int64_t> shape);
// Product of dims (1 for a scalar).
int64_t shape_numel(std::span<const int64_t> shape);

class Tensor {
 public:
  Tensor() = default;  // undefined (dtype kUndefined, no buffer)
  // Wraps an existing buffer of at least numel * dtype_size bytes; the shared_ptr keeps it alive.
  Tensor(DType dtype, Shape shape, std::shared_ptr<void> buffer);

  // Allocates an uninitialised tensor from the heap.
  static Tensor empty(DType dtype, Shape shape);
  // Allocates and copies `values` (values.size() must equal the shape's numel).
  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values);

  bool defined() const { return dtype_ != DType::kUndefined; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(size_t i) const { return shape_[i]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* raw_data() { return buffer_.get(); }
  const void* raw_data() const { return buffer_.get(); }
  template <typename T>
  T* data() { return static_cast<T*>(buffer_.get()); }
  template <typename T>
  const T* data() const { return static_cast<const T*>(buffer_.get()); }

  // Same buffer, new shape (numel must match).
  Tensor reshaped(Shape shape) const;
  // Deep copy into a fresh heap buffer.
  Tensor clone() const;
  const std::shared_ptr<void>& buffer() const { return buffer_; }

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<void> buffer_;
};

template <typename T>
Tensor Tensor::from_vector(Shape shape, const std::vector<T>& values) {
  Tensor t = Tensor::empty(dtype_of_storage<T>(), std::move(shape));
  T* out = t.data<T>();
  for (size_t i = 0; i < values.size() && i < static_cast<size_t>(t.numel()); ++i) out[i] = values[i];
  return t;
}

}  // namespace onyx
