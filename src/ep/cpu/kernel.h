// onyx::cpu kernel interface.
//
// A Kernel is created once per graph node at session creation (validating attributes then) and computed
// many times, possibly from several threads at once: compute() must be const and keep no per-run state.
//
//   Result<std::unique_ptr<Kernel>> create_relu(const KernelInfo& info);   // factory, listed in a registry
//   Status Relu::compute(KernelContext& ctx) const;                        // reads inputs, allocates outputs
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "onyx/status.h"
#include "onyx/tensor.h"
#include "src/ir/graph.h"

namespace onyx::cpu {

// What a factory sees: the node, the opset version its domain is imported at, and constant inputs.
struct KernelInfo {
  const ir::Node& node;
  int64_t opset;
  const std::unordered_map<std::string, Tensor>* initializers = nullptr;
  // SessionOptions::precision == kBf16: kernels that pre-pack constant weights (MatMul, Gemm, Attention) pack
  // them in bfloat16 and round activations to bfloat16 (fp32 accumulation).
  bool bf16_weights = false;
  // SessionOptions::precision == kInt8: the same kernels pack their constant weights as int8 (PackedQGemm, per
  // output column, symmetric) and quantize activations per run (dynamic, uint8, one scale per tensor).
  bool int8_weights = false;

  // The initializer feeding input i, or nullptr if that input is not a constant (or absent).
  const Tensor* constant_input(size_t i) const {
    if (!initializers || !node.has_input(i)) return nullptr;
    auto it = initializers->find(node.inputs[i]);
    return it == initializers->end() ? nullptr : &it->second;
  }
  // "node 'Add_3' (Add): " + msg, as an InvalidModel status (for bad attributes).
  Status invalid(const std::string& msg) const { return invalid_model(node.describe() + ": " + msg); }
};

// Allocates output buffers (pooled by the session so steady-state runs allocate nothing new).
class OutputAllocator {
 public:
  virtual ~OutputAllocator() = default;
  virtual Tensor allocate(DType dtype, Shape shape) = 0;
};

class KernelContext {
 public:
  KernelContext(const ir::Node& node, std::span<const Tensor* const> inputs, std::span<Tensor> outputs,
                OutputAllocator& allocator)
      : node_(node), inputs_(inputs), outputs_(outputs), allocator_(allocator) {}

  const ir::Node& node() const { return node_; }
  // Number of input slots (omitted optional inputs count, and read as nullptr).
  size_t num_inputs() const { return inputs_.size(); }
  // nullptr when input i is omitted or beyond the node's inputs.
  const Tensor* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  size_t num_outputs() const { return outputs_.size(); }
  // Allocates output i (uninitialised) and returns it for writing.
  Tensor& allocate_output(size_t i, DType dtype, Shape shape) {
    outputs_[i] = allocator_.allocate(dtype, std::move(shape));
    return outputs_[i];
  }
  // Sets output i to an existing tensor (e.g. a reshaped view of an input: buffers are never written
  // after they are produced, so sharing is safe).
  void set_output(size_t i, Tensor t) { outputs_[i] = std::move(t); }
  // "node 'X' (Op): msg" as an InvalidArgument status: for shape/dtype errors found at run time.
  Status invalid(const std::string& msg) const { return invalid_argument(node_.describe() + ": " + msg); }

 private:
  const ir::Node& node_;
  std::span<const Tensor* const> inputs_;
  std::span<Tensor> outputs_;
  OutputAllocator& allocator_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status compute(KernelContext& ctx) const = 0;
  // True when the kernel copied constant input i at creation (e.g. a weight pre-packed for the GEMM) and never
  // reads it at run time: the plan then passes nullptr for it and frees the initializer when no other step or
  // graph output needs it (so weights are not held twice).
  virtual bool packed_constant_input(size_t /*i*/) const { return false; }
};

using KernelCreateFn = Result<std::unique_ptr<Kernel>> (*)(const KernelInfo& info);

// Input i, or an InvalidArgument naming the node when that (required) input is omitted.
inline Result<const Tensor*> required_input(const KernelContext& ctx, size_t i) {
  const Tensor* t = ctx.input(i);
  if (!t) return ctx.invalid("required input " + std::to_string(i) + " is missing");
  return t;
}

// Most kernels keep only the node's attributes; this adapts a plain function to a Kernel.
//   return make_function_kernel(&compute_relu);
using KernelComputeFn = Status (*)(KernelContext& ctx);
std::unique_ptr<Kernel> make_function_kernel(KernelComputeFn fn);

}  // namespace onyx::cpu
