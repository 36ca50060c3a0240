#include "src/core/npy.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "src/core/half.h"

namespace onyx {

namespace {

struct NpyType {
  const char* descr;
  DType dtype;
};
constexpr NpyType kNpyTypes[] = {
    {"<f4", DType::kFloat32}, {"<f8", DType::kFloat64}, {"<f2", DType::kFloat16}, {"|i1", DType::kInt8},
    {"|u1", DType::kUInt8},   {"<i2", DType::kInt16},   {"<u2", DType::kUInt16},  {"<i4", DType::kInt32},
    {"<u4", DType::kUInt32},  {"<i8", DType::kInt64},   {"<u8", DType::kUInt64},  {"|b1", DType::kBool},
};

// Value of `key` in the header dict, e.g. 'descr': '<f4' -> "<f4" (quotes stripped) or (2, 3) -> "(2, 3)".
std::string header_value(const std::string& header, const std::string& key) {
  const size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return "";
  size_t p = header.find(':', k);
  if (p == std::string::npos) return "";
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (p >= header.size()) return "";
  if (header[p] == '\'') {
    const size_t e = header.find('\'', p + 1);
    return e == std::string::npos ? "" : header.substr(p + 1, e - p - 1);
  }
  if (header[p] == '(') {
    const size_t e = header.find(')', p);
    return e == std::string::npos ? "" : header.substr(p, e - p + 1);
  }
  const size_t e = header.find_first_of(",}", p);
  return header.substr(p, e - p);
}

}  // namespace

Result<Tensor> parse_npy(const std::string& bytes, const std::string& what) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    return invalid_argument(what + " is not a .npy file (missing \\x93NUMPY magic)");
  const int major = static_cast<uint8_t>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return invalid_argument(what + ": truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<uint8_t>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return invalid_argument(what + ": unsupported .npy format version " + std::to_string(major));
  }
  if (offset + header_len > bytes.size()) return invalid_argument(what + ": truncated .npy header");
  const std::string header = bytes.substr(offset, header_len);
  const std::string descr = header_value(header, "descr");
  const std::string fortran = header_value(header, "fortran_order");
  const std::string shape_text = header_value(header, "shape");
  if (fortran.find("True") != std::string::npos)
    return invalid_argument(what + ": Fortran-ordered arrays are not supported (save with np.ascontiguousarray)");
  DType dtype = DType::kUndefined;
  for (const auto& t : kNpyTypes)
    if (descr == t.descr || (descr.size() == 3 && descr[0] == '=' && descr.substr(1) == std::string(t.descr).substr(1)))
      dtype = t.dtype;
  if (dtype == DType::kUndefined)
    return invalid_argument(what + ": unsupported .npy dtype '" + descr +
                            "' (supported: float16/32/64, int8-64, uint8-64, bool, little-endian)");
  if (shape_text.empty() || shape_text.front() != '(') return invalid_argument(what + ": bad .npy shape");
  Shape shape;
  std::string num;
  for (char c : shape_text.substr(1)) {
    if (c >= '0' && c <= '9') {
      num += c;
    } else if (!num.empty()) {
      shape.push_back(std::stoll(num));
      num.clear();
    }
  }
  Tensor t = Tensor::empty(dtype, shape);
  const size_t data_offset = offset + header_len;
  if (bytes.size() - data_offset != t.nbytes())
    return invalid_argument(what + ": .npy data has " + std::to_string(bytes.size() - data_offset) + " bytes, shape " +
                            shape_to_string(shape) + " of " + dtype_name(dtype) + " needs " + std::to_string(t.nbytes()));
  if (t.nbytes()) std::memcpy(t.raw_data(), bytes.data() + data_offset, t.nbytes());
  return t;
}

Result<Tensor> read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return not_found("cannot open .npy file '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, "'" + path + "'");
}

Status write_npy(const std::string& path, const Tensor& tensor_in) {
  Tensor tensor = tensor_in;
  if (tensor.dtype() == DType::kBFloat16) {  // no NumPy bfloat16: widen
    Tensor f = Tensor::empty(DType::kFloat32, tensor.shape());
    for (int64_t i = 0; i < f.numel(); ++i) f.data<float>()[i] = to_float(tensor.data<BFloat16>()[i]);
    tensor = f;
  }
  const char* descr = nullptr;
  for (const auto& t : kNpyTypes)
    if (t.dtype == tensor.dtype()) descr = t.descr;
  if (!descr) return not_implemented("cannot write dtype " + dtype_name(tensor.dtype()) + " to .npy");
  std::string shape = "(";
  for (size_t i = 0; i < tensor.rank(); ++i) shape += std::to_string(tensor.dim(i)) + (tensor.rank() == 1 ? "," : i + 1 < tensor.rank() ? ", " : "");
  shape += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) return io_error("cannot write '" + path + "'");
  const uint16_t len = static_cast<uint16_t>(header.size());
  f.write("\x93NUMPY\x01\x00", 8);
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  f.write(len_bytes, 2);
  f << header;
  f.write(static_cast<const char*>(tensor.raw_data()), static_cast<std::streamsize>(tensor.nbytes()));
  if (!f) return io_error("failed writing '" + path + "'");
  return ok_status();
}

}  // namespace onyx
