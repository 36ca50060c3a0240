// NumPy .npy files <-> Tensor (format versions 1-3, little-endian, C order).
// bfloat16 has no NumPy dtype: it is written/read as float32.
#pragma once

#include <string>

#include "onyx/status.h"
#include "onyx/tensor.h"

namespace onyx {

Result<Tensor> read_npy(const std::string& path);
Result<Tensor> parse_npy(const std::string& bytes, const std::string& what);
Status write_npy(const std::string& path, const Tensor& tensor);

}  // namespace onyx
