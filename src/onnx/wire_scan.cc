#include "src/onnx/wire_scan.h"

namespace onyx::onnx_io {

namespace {

// Field numbers (onnx.proto3).
constexpr uint32_t kModelGraph = 7;
constexpr uint32_t kGraphNode = 1;
constexpr uint32_t kGraphInitializer = 5;
constexpr uint32_t kNodeAttribute = 5;
constexpr uint32_t kAttributeTensor = 5;
constexpr uint32_t kTensorRawData = 9;

constexpr int kWireVarint = 0, kWireFixed64 = 1, kWireLength = 2, kWireStartGroup = 3, kWireEndGroup = 4,
              kWireFixed32 = 5;
constexpr int kMaxGroupDepth = 64;

struct Field {
  uint32_t number = 0;
  int wire = 0;
  const uint8_t* begin = nullptr;    // the tag
  const uint8_t* payload = nullptr;  // wire type 2: the bytes after the length
  const uint8_t* end = nullptr;      // one past the field
  size_t size() const { return static_cast<size_t>(end - payload); }
};

bool read_varint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool skip_field(const uint8_t*& p, const uint8_t* end, uint32_t number, int wire, int depth);

// Reads the field at p (which must be < end) and moves p past it.
bool next_field(const uint8_t*& p, const uint8_t* end, Field& f, int depth = 0) {
  f.begin = p;
  uint64_t tag = 0;
  if (!read_varint(p, end, tag) || tag > UINT32_MAX) return false;
  f.number = static_cast<uint32_t>(tag >> 3);
  f.wire = static_cast<int>(tag & 7);
  if (f.number == 0) return false;
  if (f.wire == kWireLength) {
    uint64_t len = 0;
    if (!read_varint(p, end, len) || len > static_cast<uint64_t>(end - p)) return false;
    f.payload = p;
    p += len;
  } else {
    f.payload = p;
    if (!skip_field(p, end, f.number, f.wire, depth)) return false;
  }
  f.end = p;
  return true;
}

bool skip_field(const uint8_t*& p, const uint8_t* end, uint32_t number, int wire, int depth) {
  uint64_t v = 0;
  switch (wire) {
    case kWireVarint: return read_varint(p, end, v);
    case kWireFixed64: if (end - p < 8) return false; p += 8; return true;
    case kWireFixed32: if (end - p < 4) return false; p += 4; return true;
    case kWireStartGroup: {
      if (depth >= kMaxGroupDepth) return false;
      while (p < end) {
        Field inner;
        const uint8_t* at = p;
        uint64_t tag = 0;
        if (!read_varint(at, end, tag)) return false;
        if ((tag & 7) == kWireEndGroup) {
          p = at;
          return (tag >> 3) == number;
        }
        if (!next_field(p, end, inner, depth + 1)) return false;
      }
      return false;
    }
    default: return false;  // an end-group without a start, or wire types 6/7
  }
}

void append_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void append_raw(std::string& out, const uint8_t* begin, const uint8_t* end) {
  out.append(reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin));
}

void append_message(std::string& out, uint32_t number, const std::string& payload) {
  append_varint(out, (static_cast<uint64_t>(number) << 3) | kWireLength);
  append_varint(out, payload.size());
  out += payload;
}

class Scanner {
 public:
  Scanner(std::span<const uint8_t> model, size_t min_bytes) : base_(model.data()), min_bytes_(min_bytes) {}

  bool model(const uint8_t* p, const uint8_t* end, StrippedModel& out) {
    bool seen_graph = false;
    while (p < end) {
      Field f;
      if (!next_field(p, end, f)) return false;
      if (f.number != kModelGraph || f.wire != kWireLength) {
        append_raw(out.bytes, f.begin, f.end);
        continue;
      }
      if (seen_graph) return false;
      seen_graph = true;
      std::string graph_bytes;
      if (!graph(f.payload, f.end, graph_bytes, out.detached)) return false;
      append_message(out.bytes, f.number, graph_bytes);
    }
    return true;
  }

 private:
  bool graph(const uint8_t* p, const uint8_t* end, std::string& out, std::vector<DetachedTensor>& detached) {
    int initializers = 0, nodes = 0;
    while (p < end) {
      Field f;
      if (!next_field(p, end, f)) return false;
      if (f.wire == kWireLength && f.number == kGraphInitializer) {
        std::string t;
        std::optional<SourceRange> raw;
        if (!tensor(f.payload, f.end, t, raw)) return false;
        if (raw) detached.push_back({-1, initializers, *raw});
        ++initializers;
        append_message(out, f.number, t);
      } else if (f.wire == kWireLength && f.number == kGraphNode) {
        std::string n;
        if (!node(f.payload, f.end, n, nodes, detached)) return false;
        ++nodes;
        append_message(out, f.number, n);
      } else {
        append_raw(out, f.begin, f.end);
      }
    }
    return true;
  }

  bool node(const uint8_t* p, const uint8_t* end, std::string& out, int node_index,
            std::vector<DetachedTensor>& detached) {
    int attributes = 0;
    while (p < end) {
      Field f;
      if (!next_field(p, end, f)) return false;
      if (f.wire != kWireLength || f.number != kNodeAttribute) {
        append_raw(out, f.begin, f.end);
        continue;
      }
      std::string a;
      std::optional<SourceRange> raw;
      if (!attribute(f.payload, f.end, a, raw)) return false;
      if (raw) detached.push_back({node_index, attributes, *raw});
      ++attributes;
      append_message(out, f.number, a);
    }
    return true;
  }

  bool attribute(const uint8_t* p, const uint8_t* end, std::string& out, std::optional<SourceRange>& raw) {
    bool seen_tensor = false;
    while (p < end) {
      Field f;
      if (!next_field(p, end, f)) return false;
      if (f.wire != kWireLength || f.number != kAttributeTensor) {
        append_raw(out, f.begin, f.end);
        continue;
      }
      if (seen_tensor) return false;
      seen_tensor = true;
      std::string t;
      if (!tensor(f.payload, f.end, t, raw)) return false;
      append_message(out, f.number, t);
    }
    return true;
  }

  bool tensor(const uint8_t* p, const uint8_t* end, std::string& out, std::optional<SourceRange>& raw) {
    bool seen_raw = false;
    while (p < end) {
      Field f;
      if (!next_field(p, end, f)) return false;
      if (f.wire != kWireLength || f.number != kTensorRawData) {
        append_raw(out, f.begin, f.end);
        continue;
      }
      if (seen_raw) return false;  // protobuf keeps the last one; rare enough to parse such a model as it is
      seen_raw = true;
      if (f.size() >= min_bytes_ && f.size() > 0)
        raw = SourceRange{static_cast<uint64_t>(f.payload - base_), f.size()};
      else
        append_raw(out, f.begin, f.end);
    }
    return true;
  }

  const uint8_t* base_;
  size_t min_bytes_;
};

}  // namespace

std::optional<StrippedModel> strip_raw_data(std::span<const uint8_t> model, size_t min_bytes) {
  StrippedModel out;
  Scanner scanner(model, min_bytes);
  if (!scanner.model(model.data(), model.data() + model.size(), out)) return std::nullopt;
  return out;
}

}  // namespace onyx::onnx_io
