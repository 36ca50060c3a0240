// INT8 quantization of an ONNX graph (`onyx quantize`, SessionOptions::Precision::kInt8).
//
//   quant::QuantizeOptions o;  o.mode = quant::QuantMode::kDynamic;          // per-channel s8 weights by default
//   ONYX_ASSIGN_OR_RETURN(quant::QuantizeReport r, quant::quantize(graph, o));  // graph rewritten in place
//
// What is quantized: MatMul / Gemm whose weight is a constant fp32 2-D initializer, and com.microsoft Attention
// (its packed QKV weight). Everything else stays fp32. Run it on an optimized graph (level 2), so the fused
// Attention / SkipLayerNormalization / BiasGelu are in place first.
// Output uses ONNX Runtime's op sets, so the result loads in ONNX Runtime too:
//   dynamic + qoperator: MatMul -> com.microsoft DynamicQuantizeMatMul (bias folded in);
//                        Attention -> DynamicQuantizeLinear + com.microsoft QAttention
//   static  + qoperator: MatMul -> QuantizeLinear (calibrated scale) + com.microsoft MatMulIntegerToFloat;
//                        Attention -> QuantizeLinear + QAttention
//   qdq (either mode):   x -> QuantizeLinear -> DequantizeLinear (dynamic: DynamicQuantizeLinear -> DequantizeLinear)
//                        feeding the original fp32 op, whose weight becomes DequantizeLinear(W_q); the optimizer's
//                        QDQ fusions turn these pairs back into the integer ops above when onyx runs the model.
// Weights: int8, symmetric (zero point 0), per output channel (per column of W) or per tensor. Activations:
// uint8, asymmetric, one scale per tensor (dynamic: computed per run; static: from calibration).
// Thread safety: quantize() works on the caller's graph only; calibration runs use options.threads threads.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "onyx/session.h"
#include "onyx/status.h"
#include "src/ir/graph.h"

namespace onyx::quant {

enum class QuantMode { kDynamic, kStatic };
enum class QuantFormat { kQOperator, kQdq };
enum class CalibrationMethod { kMinMax, kEntropy, kPercentile };

struct QuantizeOptions {
  QuantMode mode = QuantMode::kDynamic;
  QuantFormat format = QuantFormat::kQOperator;
  bool per_channel = true;  // weight scales per output column (else one per tensor)
  // Static only: how activation ranges are chosen from the calibration runs.
  CalibrationMethod calibration = CalibrationMethod::kMinMax;
  double percentile = 99.999;  // kPercentile: the kept share of |values|, in percent
  // Static only: the model inputs of each calibration batch (e.g. tokenized sentences). Required when static.
  std::vector<NamedTensors> calibration_feeds;
  int threads = 0;  // for the calibration runs (0 = all cores)
  // Node names left in fp32 (`--exclude`); a name not in the graph is an error.
  std::vector<std::string> exclude_nodes;
  // Called after each calibration batch (done, total), e.g. for progress on stderr. May be empty.
  std::function<void(size_t, size_t)> progress;
};

struct QuantizeReport {
  std::map<std::string, int> quantized;  // original op -> how many were quantized ("MatMul" -> 30)
  std::map<std::string, int> created;    // new ops -> count ("DynamicQuantizeMatMul" -> 30)
  std::vector<std::string> excluded;     // nodes left fp32 on request
  std::vector<std::string> skipped;      // "node 'X' (MatMul): weight is not a constant" (left fp32)
  size_t calibration_batches = 0;
};

// Rewrites `graph` in place. Errors: static mode without calibration feeds, an unknown --exclude name, a
// calibration run failing (its Status), a graph already quantized (has QuantizeLinear / *Integer* ops).
Result<QuantizeReport> quantize(ir::Graph& graph, const QuantizeOptions& options);

}  // namespace onyx::quant
