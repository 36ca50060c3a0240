// onyx/session.h: load an ONNX model once, run it many times.
//
//   auto session = onyx::Session::create("model.onnx");
//   if (!session.ok()) { print(session.status().to_string()); }
//   auto outputs = (*session)->run({{"input_ids", ids}, {"attention_mask", mask}});
//
// Thread safety: a Session is immutable after create(); run() may be called concurrently from any
// number of threads on one Session. Tensors returned by run() are owned by the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "onyx/status.h"
#include "onyx/tensor.h"

namespace onyx {

struct SessionOptions {
  // Threads used inside one run (0 = all cores of the machine).
  int threads = 0;
  // Graph optimization level, run at session creation: 0 = none, 1 = basic (constant folding, no-op elimination,
  // CSE, pruning), 2 = extended (transformer fusions into com.microsoft ops, exact), 3 = 2 + Gelu approximated by
  // FastGelu, 4 = 3 + bf16 weights/compute on CPUs with AVX512-BF16. 99 = all exact levels (= 2), the default.
  int optimization_level = 99;
  // Optimizer passes to skip, by name (`onyx optimize --list-passes` lists them).
  std::vector<std::string> disabled_passes = {};
  // Validate the model with ONNX's checker at load (contrib domains such as com.microsoft are tolerated).
  bool run_onnx_checker = true;
  // Arithmetic of MatMul / Gemm / Attention projections whose weights are constants: kFp32 (default, exact), or
  // kBf16 (weights packed in bfloat16 at creation, activations rounded to bfloat16, fp32 accumulation and outputs;
  // needs AVX512-BF16, else Session::create fails with a clear error). The graph itself stays fp32.
  // kInt8: dynamic INT8, the numbers of `onyx quantize --mode dynamic`: those weights quantized at creation to int8
  // (symmetric, one scale per output column), activations quantized to uint8 per run (one scale per tensor, as
  // ONNX DynamicQuantizeLinear), int32 accumulation, fp32 outputs. Models already quantized run as they are.
  enum class Precision { kFp32, kBf16, kInt8 };
  Precision precision = Precision::kFp32;
  // Compute padded batches without the padding: after the embeddings, the tokens where attention_mask is 1 are
  // packed into one [tokens, hidden] matrix, attention runs per sequence, and values are scattered back to
  // [batch, seq, ...] where a non token-wise op needs them. Outputs at padded positions are then 0 (they are
  // garbage in the padded computation too); unmasked positions are unchanged. Off by default for raw sessions;
  // the pipelines turn it on. Encoders with a 2-D attention_mask input only; other graphs run unchanged.
  bool remove_padding = false;
  // Time every node of every run (a steady_clock read around each kernel, ~50 ns a node) for Session::profile().
  // Off by default: `onyx bench --profile` turns it on.
  bool profile = false;
};

// Time spent in one node of the optimized graph, summed over the runs since creation or the last reset_profile().
struct NodeProfile {
  std::string node;     // node name (or "<op_type>#<index>" when unnamed)
  std::string op_type;  // "Attention", "com.onyx.MatMulBiasGelu" style: domain-qualified outside ONNX's domain
  int64_t calls = 0;
  double total_ms = 0.0;
};

// One dimension of a declared input/output shape: a fixed size, or a symbol ("batch"), or unknown.
struct Dim {
  int64_t value = -1;  // >= 0 when fixed
  std::string symbol;  // non-empty when symbolic
  bool is_fixed() const { return value >= 0; }
};

struct ValueInfo {
  std::string name;
  DType dtype = DType::kUndefined;
  std::vector<Dim> shape;
  bool has_shape = false;  // false when the model declares no shape at all
  // "input_ids: int64 [batch, sequence]"
  std::string to_string() const;
};

using NamedTensor = std::pair<std::string, Tensor>;
using NamedTensors = std::vector<NamedTensor>;

class Session {
 public:
  // Loads `path` (.onnx; external data files are resolved relative to its folder).
  static Result<std::unique_ptr<Session>> create(const std::string& path, const SessionOptions& options = {});
  // Loads a serialized ModelProto from memory; external data (if any) is resolved relative to `base_dir`.
  static Result<std::unique_ptr<Session>> create_from_bytes(std::string_view bytes, const SessionOptions& options = {},
                                                            const std::string& base_dir = ".");
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::vector<ValueInfo>& inputs() const;
  const std::vector<ValueInfo>& outputs() const;

  // Runs the model. Every graph input must be given exactly once, with the declared dtype and rank, and
  // sizes matching fixed dims (and consistent across inputs for shared symbolic dims).
  // `output_names` empty = all graph outputs, in graph order.
  Result<NamedTensors> run(const NamedTensors& inputs, std::span<const std::string> output_names = {}) const;

  // Bytes of intermediate/output buffers the session's pool has reserved so far. After a warm-up run at the
  // largest shapes, further runs at those or smaller shapes do not increase it.
  size_t pooled_bytes() const;

  // Per-node times, in execution order (SessionOptions::profile; empty when it is off). reset_profile() zeroes them
  // (e.g. after warm-up runs). Both may be called while other threads run the session.
  std::vector<NodeProfile> profile() const;
  void reset_profile() const;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace onyx
