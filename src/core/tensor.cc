#include <cstdlib>
#include <cstring>

#include "onyx/tensor.h"
#include "src/core/check.h"

namespace onyx {

std::string dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kUndefined: return "undefined";
    case DType::kFloat32: return "float32";
    case DType::kUInt8: return "uint8";
    case DType::kInt8: return "int8";
    case DType::kUInt16: return "uint16";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kString: return "string";
    case DType::kBool: return "bool";
    case DType::kFloat16: return "float16";
    case DType::kFloat64: return "float64";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
    case DType::kBFloat16: return "bfloat16";
  }
  return "unknown(" + std::to_string(static_cast<int>(dtype)) + ")";
}

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: case DType::kInt32: case DType::kUInt32: return 4;
    case DType::kUInt8: case DType::kInt8: case DType::kBool: return 1;
    case DType::kUInt16: case DType::kInt16: case DType::kFloat16: case DType::kBFloat16: return 2;
    case DType::kInt64: case DType::kFloat64: case DType::kUInt64: return 8;
    case DType::kUndefined: case DType::kString: return 0;
  }
  return 0;
}

std::string shape_to_string(std::span<const int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t shape_numel(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Tensor::Tensor(DType dtype, Shape shape, std::shared_ptr<void> buffer)
    : dtype_(dtype), shape_(std::move(shape)), numel_(shape_numel(shape_)), buffer_(std::move(buffer)) {}

Tensor Tensor::empty(DType dtype, Shape shape) {
  const size_t bytes = static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype);
  // 64-byte aligned for SIMD; never a zero-size allocation so data() is non-null.
  const size_t alloc = ((bytes + 63) / 64) * 64 + 64;
  void* p = std::aligned_alloc(64, alloc);
  ONYX_CHECK(p != nullptr, "out of memory allocating " + std::to_string(bytes) + " bytes");
  return Tensor(dtype, std::move(shape), std::shared_ptr<void>(p, [](void* q) { std::free(q); }));
}

Tensor Tensor::reshaped(Shape shape) const {
  ONYX_CHECK(shape_numel(shape) == numel_, "reshaped: element count mismatch");
  return Tensor(dtype_, std::move(shape), buffer_);
}

Tensor Tensor::clone() const {
  Tensor t = Tensor::empty(dtype_, shape_);
  if (nbytes()) std::memcpy(t.raw_data(), raw_data(), nbytes());
  return t;
}

}  // namespace onyx
