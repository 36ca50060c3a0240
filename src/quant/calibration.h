// Calibration for static INT8 quantization: the fp32 model runs on sample inputs, and the values of the activation
// tensors that quantized nodes read are summarised into one range [min, max] per tensor, from which the uint8
// scale and zero point are derived.
//
//   RangeCollector c(CalibrationMethod::kEntropy);
//   c.add(values_of_batch_1);  c.add(values_of_batch_2);  ...
//   ActivationRange r = c.range();                 // e.g. {-3.1, 7.9}: the bulk kept, outliers clipped
//   cpu::QuantParams q = activation_params(r);     // uint8 asymmetric scale / zero point
//
// Methods:
//   kMinMax      the running min and max of every value seen (exact).
//   kPercentile  a histogram of |x| (2048 bins); the range is clipped at T, the smallest bin edge below which
//                `percentile` % of the |values| lie: [max(min, -T), min(max, T)].
//   kEntropy     a histogram of x over [-A, A] (A = max |x|, 2048 bins); the TensorRT / ONNX Runtime KL-divergence
//                search: for every window of 2i bins centred on 0 (i = 64 .. 1024), the clipped distribution P
//                (outliers folded into the edge bins) is compared with Q, P merged into 128 levels (uint8 has 256,
//                half of them on each side of 0 for a centred window) and expanded back over P's non-empty bins;
//                the window with the smallest KL(P || Q) gives the range, intersected with [min, max].
// Histograms grow by doubling their span (merging bin pairs, exact) when a later batch holds larger values.
// Every range is widened to include 0 when turned into quantization parameters (activation_params).
// Thread safety: a RangeCollector is not thread-safe; calibrate() runs the model with options.threads threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "onyx/status.h"
#include "src/ep/cpu/gemm/qgemm.h"
#include "src/ir/graph.h"
#include "src/quant/quantize.h"

namespace onyx::quant {

struct ActivationRange {
  float min = 0.0f;
  float max = 0.0f;
};

class RangeCollector {
 public:
  static constexpr int kDefaultBins = 2048;
  static constexpr int kQuantizedBins = 128;  // uint8: 256 levels, 128 on each side of a window centred on 0

  // percentile: kPercentile only, the kept share of |values| in percent (0 < p <= 100). num_bins: even, >= 2 *
  // kQuantizedBins for kEntropy.
  explicit RangeCollector(CalibrationMethod method, double percentile = 99.999, int num_bins = kDefaultBins);

  // Adds a batch of values. NaNs are ignored; infinities are ignored too (they have no finite range).
  void add(std::span<const float> values);
  // The range by the collector's method. Before any finite value was added: {0, 0}.
  ActivationRange range() const;

  size_t count() const { return count_; }
  float min() const { return min_; }
  float max() const { return max_; }

 private:
  void grow_to(float magnitude);  // doubles span_ (merging bin pairs) until it covers `magnitude`
  ActivationRange percentile_range() const;
  ActivationRange entropy_range() const;

  CalibrationMethod method_;
  double percentile_;
  int num_bins_;
  size_t count_ = 0;
  float min_ = 0.0f, max_ = 0.0f;
  float span_ = 0.0f;           // histogram covers [0, span_] (|x|, percentile) or [-span_, span_] (x, entropy)
  std::vector<uint64_t> hist_;  // num_bins_ counts; empty for kMinMax
};

// uint8 asymmetric parameters for a range: widened to include 0, scale = (max - min) / 255 (1.0 when 0),
// zero point = saturate(round_half_even(-min / scale)) (ONNX DynamicQuantizeLinear's formulas).
cpu::QuantParams activation_params(ActivationRange range);

// Runs the fp32 `graph` (unchanged; a copy with `tensors` added as graph outputs is serialized and loaded with
// optimization level 0) on every batch of options.calibration_feeds and returns one range per tensor by
// options.calibration method. Tensors that are graph inputs are read from the feeds. options.progress is called
// after each batch. Errors: no feeds, a tensor that is not float32, a run failing (its Status, naming the batch).
Result<std::map<std::string, ActivationRange>> calibrate(const ir::Graph& graph, std::span<const std::string> tensors,
                                                         const QuantizeOptions& options);

}  // namespace onyx::quant
