// Protobuf wire-format scan of a serialized ModelProto that leaves the large raw_data fields out, so the loader parses
// only the model's structure and reads each weight once, straight into its Tensor (no std::string copy of the file
// plus a parsed copy of every weight).
//
//   ModelProto.graph (7) -> GraphProto.initializer (5)                          -> TensorProto.raw_data (9)
//                        -> GraphProto.node (1) -> NodeProto.attribute (5) -> AttributeProto.t (5) -> raw_data (9)
//
// Everything else (typed data fields, external data, subgraphs of If/Loop, unknown fields) is copied verbatim, so
// protobuf parses the result to the same message minus those raw_data fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace onyx::onnx_io {

// The loader detaches raw_data fields of at least this size. Smaller ones stay in the proto: ONNX's shape inference
// reads the values of shape-like constants (at most a few dozen int64 values: Reshape's shape, Slice's starts, Pad's
// pads), and they are a negligible part of a model's bytes.
inline constexpr size_t kDetachMinBytes = 4096;

// Bytes [offset, offset + size) of a model's source (its file or buffer).
struct SourceRange {
  uint64_t offset = 0;
  uint64_t size = 0;
};

// A raw_data field left out: graph.initializer(index) when node < 0, else graph.node(node).attribute(index).t.
struct DetachedTensor {
  int node = -1;
  int index = 0;
  SourceRange raw;
};

struct StrippedModel {
  std::string bytes;                     // the ModelProto without the detached raw_data fields
  std::vector<DetachedTensor> detached;  // in wire order
};

// Leaves out the raw_data fields of at least `min_bytes` (keep small ones: ONNX shape inference reads the values of
// shape-like constants). nullopt when `model` is not well-formed protobuf or uses a form the scan does not rewrite (a
// singular field it descends into given twice, which protobuf would merge): parse `model` as it is then.
std::optional<StrippedModel> strip_raw_data(std::span<const uint8_t> model, size_t min_bytes);

}  // namespace onyx::onnx_io
