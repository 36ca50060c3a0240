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
    case kWireVarint:
      return read_varint(p, end, v);
    case kWireFixed64:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case kWireFixed32:
      if (end - p < 4) return false;
      p += 4;
      return true;
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
    default:
      return false;  // an end-group without a start, or wire types 6/7
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

// What a message's rewrite does with one of its length-delimited fields.
enum class Step { kCopy, kRewritten, kFail };

// Copies the fields of the message [p, end) to `out`, letting `on_field` rewrite length-delimited ones.
template <typename Fn>
bool rewrite_fields(const uint8_t* p, const uint8_t* end, std::string& out, Fn on_field) {
  while (p < end) {
    Field f;
    if (!next_field(p, end, f)) return false;
    const Step step = f.wire == kWireLength ? on_field(f) : Step::kCopy;
    if (step == Step::kFail) return false;
    if (step == Step::kCopy) append_raw(out, f.begin, f.end);
  }
  return true;
}

class Scanner {
 public:
  Scanner(std::span<const uint8_t> model, size_t min_bytes) : base_(model.data()), min_bytes_(min_bytes) {}

  bool model(const uint8_t* p, const uint8_t* end, StrippedModel& out) {
    bool seen_graph = false;
    return rewrite_fields(p, end, out.bytes, [&](const Field& f) {
      if (f.number != kModelGraph) return Step::kCopy;
      if (seen_graph) return Step::kFail;  // protobuf would merge the two
      seen_graph = true;
      return submessage(f, out.bytes, [&](std::string& g) { return graph(f, g, out.detached); });
    });
  }

 private:
  // Rewrites field f's message with `rewrite(payload_out)` and appends it to `out` with its new length.
  template <typename Fn>
  static Step submessage(const Field& f, std::string& out, Fn rewrite) {
    std::string payload;
    if (!rewrite(payload)) return Step::kFail;
    append_message(out, f.number, payload);
    return Step::kRewritten;
  }

  bool graph(const Field& g, std::string& out, std::vector<DetachedTensor>& detached) {
    int initializers = 0, nodes = 0;
    return rewrite_fields(g.payload, g.end, out, [&](const Field& f) {
      if (f.number == kGraphInitializer) {
        std::optional<SourceRange> raw;
        const Step step = submessage(f, out, [&](std::string& t) { return tensor(f, t, raw); });
        if (raw) detached.push_back({-1, initializers, *raw});
        ++initializers;
        return step;
      }
      if (f.number == kGraphNode) {
        const int node_index = nodes++;
        return submessage(f, out, [&](std::string& n) { return node(f, n, node_index, detached); });
      }
      return Step::kCopy;
    });
  }

  bool node(const Field& n, std::string& out, int node_index, std::vector<DetachedTensor>& detached) {
    int attributes = 0;
    return rewrite_fields(n.payload, n.end, out, [&](const Field& f) {
      if (f.number != kNodeAttribute) return Step::kCopy;
      std::optional<SourceRange> raw;
      const Step step = submessage(f, out, [&](std::string& a) { return attribute(f, a, raw); });
      if (raw) detached.push_back({node_index, attributes, *raw});
      ++attributes;
      return step;
    });
  }

  bool attribute(const Field& a, std::string& out, std::optional<SourceRange>& raw) {
    bool seen_tensor = false;
    return rewrite_fields(a.payload, a.end, out, [&](const Field& f) {
      if (f.number != kAttributeTensor) return Step::kCopy;
      if (seen_tensor) return Step::kFail;  // protobuf would merge the two
      seen_tensor = true;
      return submessage(f, out, [&](std::string& t) { return tensor(f, t, raw); });
    });
  }

  bool tensor(const Field& t, std::string& out, std::optional<SourceRange>& raw) {
    bool seen_raw = false;
    return rewrite_fields(t.payload, t.end, out, [&](const Field& f) {
      if (f.number != kTensorRawData) return Step::kCopy;
      if (seen_raw) return Step::kFail;  // protobuf keeps the last one; rare enough to parse such a model as it is
      seen_raw = true;
      if (f.size() < min_bytes_ || f.size() == 0) return Step::kCopy;
      raw = SourceRange{static_cast<uint64_t>(f.payload - base_), f.size()};
      return Step::kRewritten;  // left out
    });
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
