#include "src/onnx/tensor_proto.h"

#include <onnx/onnx_pb.h>

#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace onyx::onnx_io {

namespace {

bool is_supported_dtype(DType d) { return d != DType::kUndefined && d != DType::kString && dtype_size(d) > 0; }

// Copies typed-field values (already widened by protobuf; the caller checked their count) into the tensor's storage
// type.
template <typename Src>
Status copy_field(const google::protobuf::RepeatedField<Src>& field, Tensor& t, const std::string& what) {
  auto store = [&]<typename T>() {
    T* out = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>)
        out[i] = T{static_cast<uint16_t>(field.Get(static_cast<int>(i)))};
      else
        out[i] = static_cast<T>(field.Get(static_cast<int>(i)));
    }
  };
  switch (t.dtype()) {
    case DType::kFloat32: store.template operator()<float>(); break;
    case DType::kFloat64: store.template operator()<double>(); break;
    case DType::kInt8: store.template operator()<int8_t>(); break;
    case DType::kUInt8: store.template operator()<uint8_t>(); break;
    case DType::kInt16: store.template operator()<int16_t>(); break;
    case DType::kUInt16: store.template operator()<uint16_t>(); break;
    case DType::kInt32: store.template operator()<int32_t>(); break;
    case DType::kUInt32: store.template operator()<uint32_t>(); break;
    case DType::kInt64: store.template operator()<int64_t>(); break;
    case DType::kUInt64: store.template operator()<uint64_t>(); break;
    case DType::kBool: store.template operator()<bool>(); break;
    case DType::kFloat16: store.template operator()<Float16>(); break;
    case DType::kBFloat16: store.template operator()<BFloat16>(); break;
    default: return not_implemented(what + ": dtype " + dtype_name(t.dtype()) + " is not supported");
  }
  return ok_status();
}

bool parse_int64(const std::string& s, int64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

struct ExternalRef {
  std::filesystem::path path;
  int64_t offset = 0;
};

// Where the `need` bytes of an externally stored tensor are; checked before anything is allocated.
Result<ExternalRef> find_external(const onnx::TensorProto& proto, const std::string& base_dir, const std::string& what,
                                  const Shape& shape, int64_t need) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location") location = kv.value();
    if ((kv.key() == "offset" && !parse_int64(kv.value(), offset)) ||
        (kv.key() == "length" && !parse_int64(kv.value(), length)))
      return invalid_model(what + ": external data " + kv.key() + " '" + kv.value() + "' is not an integer");
  }
  if (location.empty()) return invalid_model(what + ": external data has no 'location'");
  std::filesystem::path rel(location);
  if (rel.is_absolute() || rel.lexically_normal().string().rfind("..", 0) == 0)
    return invalid_model(what + ": external data location '" + location +
                         "' must be a relative path inside the model's folder");
  ExternalRef ref{std::filesystem::path(base_dir) / rel, offset};
  std::error_code ec;
  const auto file_size = std::filesystem::file_size(ref.path, ec);
  if (ec)
    return not_found(what + ": external data file '" + ref.path.string() +
                     "' is missing (keep the data file next to the .onnx file)");
  if (length >= 0 && length != need)
    return invalid_model(what + ": external data length " + std::to_string(length) + " does not match shape " +
                         shape_to_string(shape) + " (" + std::to_string(need) + " bytes)");
  if (offset < 0 || offset > static_cast<int64_t>(file_size) || need > static_cast<int64_t>(file_size) - offset)
    return invalid_model(what + ": external data file '" + ref.path.string() + "' is too short (" +
                         std::to_string(file_size) + " bytes; need " + std::to_string(need) + " at offset " +
                         std::to_string(offset) + ")");
  return ref;
}

Status read_external(const ExternalRef& ref, const std::string& what, Tensor& t) {
  std::ifstream f(ref.path, std::ios::binary);
  f.seekg(ref.offset);
  f.read(static_cast<char*>(t.raw_data()), static_cast<std::streamsize>(t.nbytes()));
  if (!f) return io_error(what + ": could not read external data file '" + ref.path.string() + "'");
  return ok_status();
}

// Values a typed data field holds (before anything is allocated for them).
int64_t typed_field_size(const onnx::TensorProto& proto, DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return proto.float_data_size();
    case DType::kFloat64: return proto.double_data_size();
    case DType::kInt64: return proto.int64_data_size();
    case DType::kUInt32: case DType::kUInt64: return proto.uint64_data_size();
    default: return proto.int32_data_size();
  }
}

}  // namespace

Result<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir, const std::string& what,
                                 const DetachedRawData* detached) {
  const DType dtype = static_cast<DType>(proto.data_type());
  if (!is_supported_dtype(dtype))
    return not_implemented(what + ": dtype " + dtype_name(dtype) + " is not supported");
  Shape shape(proto.dims().begin(), proto.dims().end());
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return invalid_model(what + ": negative dimension in shape " + shape_to_string(shape));
    if (d > 0 && n > std::numeric_limits<int64_t>::max() / d / static_cast<int64_t>(dtype_size(dtype)))
      return invalid_model(what + ": shape " + shape_to_string(shape) + " is too large");
    n *= d;
  }
  const int64_t nbytes = n * static_cast<int64_t>(dtype_size(dtype));
  if (proto.has_segment()) return not_implemented(what + ": segmented tensors are not supported");
  // Every size is checked against the data before allocating, so a corrupt shape cannot ask for terabytes.
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    ONYX_ASSIGN_OR_RETURN(ExternalRef ref, find_external(proto, base_dir, what, shape, nbytes));
    Tensor t = Tensor::empty(dtype, std::move(shape));
    ONYX_RETURN_IF_ERROR(read_external(ref, what, t));
    return t;
  }
  if (proto.has_raw_data() || detached) {
    const uint64_t raw_size = detached ? detached->range.size : proto.raw_data().size();
    if (raw_size != static_cast<uint64_t>(nbytes))
      return invalid_model(what + ": raw_data has " + std::to_string(raw_size) + " bytes but shape " +
                           shape_to_string(shape) + " of " + dtype_name(dtype) + " needs " + std::to_string(nbytes));
    Tensor t = Tensor::empty(dtype, std::move(shape));
    if (detached && n) ONYX_RETURN_IF_ERROR((*detached->read)(detached->range, t.raw_data()));
    else if (n) std::memcpy(t.raw_data(), proto.raw_data().data(), t.nbytes());
    return t;
  }
  if (typed_field_size(proto, dtype) != n)
    return invalid_model(what + ": holds " + std::to_string(typed_field_size(proto, dtype)) + " values but its shape " +
                         shape_to_string(shape) + " needs " + std::to_string(n));
  Tensor t = Tensor::empty(dtype, std::move(shape));
  switch (dtype) {
    case DType::kFloat32: ONYX_RETURN_IF_ERROR(copy_field(proto.float_data(), t, what)); break;
    case DType::kFloat64: ONYX_RETURN_IF_ERROR(copy_field(proto.double_data(), t, what)); break;
    case DType::kInt64: ONYX_RETURN_IF_ERROR(copy_field(proto.int64_data(), t, what)); break;
    case DType::kUInt32: case DType::kUInt64: ONYX_RETURN_IF_ERROR(copy_field(proto.uint64_data(), t, what)); break;
    default: ONYX_RETURN_IF_ERROR(copy_field(proto.int32_data(), t, what)); break;
  }
  return t;
}

Result<Tensor> read_tensor_proto_file(const std::string& path, std::string* name) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return not_found("cannot open tensor file '" + path + "'");
  onnx::TensorProto proto;  // parsed from the stream: no std::string copy of the file
  if (!proto.ParseFromIstream(&f)) return invalid_model("'" + path + "' is not a serialized ONNX TensorProto");
  if (name) *name = proto.name();
  return tensor_from_proto(proto, std::filesystem::path(path).parent_path().string(), "tensor file '" + path + "'");
}

void tensor_to_proto(const Tensor& tensor, const std::string& name, onnx::TensorProto* proto) {
  proto->Clear();
  proto->set_name(name);
  proto->set_data_type(static_cast<int>(tensor.dtype()));
  for (int64_t d : tensor.shape()) proto->add_dims(d);
  proto->set_raw_data(std::string(static_cast<const char*>(tensor.raw_data()), tensor.nbytes()));
}

}  // namespace onyx::onnx_io
