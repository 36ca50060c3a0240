#include "src/onnx/tensor_proto.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace onyx::onnx_io {

namespace {

bool is_supported_dtype(DType d) { return d != DType::kUndefined && d != DType::kString && dtype_size(d) > 0; }

// Copies typed-field values (already widened by protobuf) into the tensor's storage type.
template <typename Src>
Status copy_field(const google::protobuf::RepeatedField<Src>& field, Tensor& t, const std::string& what) {
  if (field.size() != t.numel())
    return invalid_model(what + ": holds " + std::to_string(field.size()) + " values but its shape " +
                         shape_to_string(t.shape()) + " needs " + std::to_string(t.numel()));
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

Status read_external(const onnx::TensorProto& proto, const std::string& base_dir, const std::string& what,
                     Tensor& t) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location") location = kv.value();
    else if (kv.key() == "offset") offset = std::stoll(kv.value());
    else if (kv.key() == "length") length = std::stoll(kv.value());
  }
  if (location.empty()) return invalid_model(what + ": external data has no 'location'");
  std::filesystem::path rel(location);
  if (rel.is_absolute() || rel.lexically_normal().string().rfind("..", 0) == 0)
    return invalid_model(what + ": external data location '" + location +
                         "' must be a relative path inside the model's folder");
  const std::filesystem::path path = std::filesystem::path(base_dir) / rel;
  std::error_code ec;
  const auto file_size = std::filesystem::file_size(path, ec);
  if (ec)
    return not_found(what + ": external data file '" + path.string() +
                     "' is missing (keep the data file next to the .onnx file)");
  const int64_t need = static_cast<int64_t>(t.nbytes());
  if (length >= 0 && length != need)
    return invalid_model(what + ": external data length " + std::to_string(length) + " does not match shape " +
                         shape_to_string(t.shape()) + " (" + std::to_string(need) + " bytes)");
  if (offset < 0 || offset + need > static_cast<int64_t>(file_size))
    return invalid_model(what + ": external data file '" + path.string() + "' is too short (" +
                         std::to_string(file_size) + " bytes; need " + std::to_string(need) + " at offset " +
                         std::to_string(offset) + ")");
  std::ifstream f(path, std::ios::binary);
  f.seekg(offset);
  f.read(static_cast<char*>(t.raw_data()), need);
  if (!f) return io_error(what + ": could not read external data file '" + path.string() + "'");
  return ok_status();
}

}  // namespace

Result<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir, const std::string& what) {
  const DType dtype = static_cast<DType>(proto.data_type());
  if (!is_supported_dtype(dtype))
    return not_implemented(what + ": dtype " + dtype_name(dtype) + " is not supported");
  Shape shape(proto.dims().begin(), proto.dims().end());
  for (int64_t d : shape)
    if (d < 0) return invalid_model(what + ": negative dimension in shape " + shape_to_string(shape));
  if (proto.has_segment()) return not_implemented(what + ": segmented tensors are not supported");
  Tensor t = Tensor::empty(dtype, shape);
  const int64_t n = t.numel();
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    ONYX_RETURN_IF_ERROR(read_external(proto, base_dir, what, t));
    return t;
  }
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != t.nbytes())
      return invalid_model(what + ": raw_data has " + std::to_string(proto.raw_data().size()) +
                           " bytes but shape " + shape_to_string(shape) + " of " + dtype_name(dtype) + " needs " +
                           std::to_string(t.nbytes()));
    if (n) std::memcpy(t.raw_data(), proto.raw_data().data(), t.nbytes());
    return t;
  }
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
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) return invalid_model("'" + path + "' is not a serialized ONNX TensorProto");
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
