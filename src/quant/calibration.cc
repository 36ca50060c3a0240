// Calibration for static INT8 quantization (see calibration.h): range collectors and the calibration runs.
//
// Variants of RangeCollector (by CalibrationMethod):
//   kMinMax      running min / max only
//   kPercentile  + histogram of |x| over [0, span]
//   kEntropy     + histogram of x over [-span, span], KL-divergence window search (TensorRT's method, as ONNX
//                Runtime's calibrate.py applies it to uint8: 128 quantized levels per centred window)
#include "src/quant/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "src/onnx/model_saver.h"

namespace onyx::quant {

RangeCollector::RangeCollector(CalibrationMethod method, double percentile, int num_bins)
    : method_(method), percentile_(percentile), num_bins_(std::max(2 * kQuantizedBins, num_bins & ~1)) {
  if (method_ != CalibrationMethod::kMinMax) hist_.assign(num_bins_, 0);
}

void RangeCollector::grow_to(float magnitude) {
  if (magnitude <= span_) return;
  if (span_ == 0.0f) {  // only zeros so far: they sit in the bin that starts at 0 in both layouts
    span_ = magnitude;
    return;
  }
  const int nb = num_bins_;
  while (span_ < magnitude) {
    std::vector<uint64_t> merged(nb, 0);
    // Doubling the span doubles the bin width: bins 2k and 2k + 1 become one bin, exactly.
    const int offset = method_ == CalibrationMethod::kEntropy ? nb / 4 : 0;  // [-s, s] lands in the middle half
    for (int k = 0; k < nb / 2; ++k) merged[offset + k] = hist_[2 * k] + hist_[2 * k + 1];
    hist_.swap(merged);
    span_ *= 2.0f;
  }
}

void RangeCollector::add(std::span<const float> values) {
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  size_t n = 0;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    ++n;
  }
  if (n == 0) return;
  if (count_ == 0) {
    min_ = lo;
    max_ = hi;
  } else {
    min_ = std::min(min_, lo);
    max_ = std::max(max_, hi);
  }
  count_ += n;
  if (hist_.empty()) return;
  grow_to(std::max(std::fabs(lo), std::fabs(hi)));
  const int nb = num_bins_;
  if (span_ == 0.0f) {  // all zeros
    hist_[method_ == CalibrationMethod::kEntropy ? nb / 2 : 0] += n;
    return;
  }
  const double inv_width =
      method_ == CalibrationMethod::kEntropy ? nb / (2.0 * span_) : nb / static_cast<double>(span_);
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    const double pos = method_ == CalibrationMethod::kEntropy ? (v + static_cast<double>(span_)) : std::fabs(v);
    const int64_t bin = std::clamp<int64_t>(static_cast<int64_t>(pos * inv_width), 0, nb - 1);
    ++hist_[bin];
  }
}

ActivationRange RangeCollector::range() const {
  if (count_ == 0) return {};
  switch (method_) {
    case CalibrationMethod::kMinMax:
      return {min_, max_};
    case CalibrationMethod::kPercentile:
      return percentile_range();
    case CalibrationMethod::kEntropy:
      return entropy_range();
  }
  return {min_, max_};
}

ActivationRange RangeCollector::percentile_range() const {
  if (span_ == 0.0f) return {min_, max_};
  uint64_t total = 0;
  for (uint64_t c : hist_) total += c;
  const double want = std::clamp(percentile_, 0.0, 100.0) / 100.0 * static_cast<double>(total);
  uint64_t cum = 0;
  int last = num_bins_ - 1;
  for (int i = 0; i < num_bins_; ++i) {
    cum += hist_[i];
    if (static_cast<double>(cum) >= want) {
      last = i;
      break;
    }
  }
  // The upper edge of the bin where the share is reached: at least `percentile` % of |values| are inside.
  const float t = static_cast<float>(static_cast<double>(span_) * (last + 1) / num_bins_);
  return {std::max(min_, -t), std::min(max_, t)};
}

ActivationRange RangeCollector::entropy_range() const {
  if (span_ == 0.0f) return {min_, max_};
  const int nb = num_bins_, zero = nb / 2, levels = kQuantizedBins;
  const double width = 2.0 * span_ / nb;
  // Prefix sums for the outlier mass left and right of each window.
  std::vector<uint64_t> prefix(nb + 1, 0);
  for (int i = 0; i < nb; ++i) prefix[i + 1] = prefix[i] + hist_[i];
  const double total = static_cast<double>(prefix[nb]);
  constexpr double kEps = 1e-4;  // stands in for q = 0 where p > 0 (the smoothing of TensorRT / ORT)

  double best_kl = std::numeric_limits<double>::infinity();
  int best_half = zero;
  std::vector<double> p, q;
  std::vector<double> level_sum(levels);
  std::vector<int> level_nonzero(levels);
  for (int half = levels / 2; half <= zero; ++half) {
    const int start = zero - half, len = 2 * half;
    // P: the window's counts with everything outside folded into its edge bins.
    p.assign(hist_.begin() + start, hist_.begin() + start + len);
    p.front() += static_cast<double>(prefix[start]);
    p.back() += static_cast<double>(prefix[nb] - prefix[start + len]);
    // Q: the window without outliers merged into `levels` levels, each spread over its non-empty bins of P.
    std::fill(level_sum.begin(), level_sum.end(), 0.0);
    std::fill(level_nonzero.begin(), level_nonzero.end(), 0);
    for (int j = 0; j < len; ++j) {
      const int l = static_cast<int>(static_cast<int64_t>(j) * levels / len);
      level_sum[l] += static_cast<double>(hist_[start + j]);
      level_nonzero[l] += p[j] != 0.0;
    }
    q.assign(len, 0.0);
    double q_total = 0.0;
    for (int j = 0; j < len; ++j) {
      const int l = static_cast<int>(static_cast<int64_t>(j) * levels / len);
      if (p[j] != 0.0 && level_nonzero[l] > 0) q[j] = level_sum[l] / level_nonzero[l];
      q_total += q[j];
    }
    if (q_total == 0.0) continue;
    double kl = 0.0;
    for (int j = 0; j < len; ++j) {
      if (p[j] == 0.0) continue;
      const double pj = p[j] / total;
      const double qj = std::max(q[j] / q_total, kEps / len);
      kl += pj * std::log(pj / qj);
    }
    if (kl < best_kl) {
      best_kl = kl;
      best_half = half;
    }
  }
  const float t = static_cast<float>(best_half * width);
  return {std::max(min_, -t), std::min(max_, t)};
}

cpu::QuantParams activation_params(ActivationRange range) {
  return cpu::dynamic_quant_params(std::min(range.min, 0.0f), std::max(range.max, 0.0f));
}

namespace {

// A session over `probe` as it is (level 0: the caller's graph is already optimized).
Result<std::unique_ptr<Session>> calibration_session(const ir::Graph& probe, int threads) {
  ONYX_ASSIGN_OR_RETURN(std::string bytes, onnx_io::save_model_bytes(probe));
  SessionOptions so;
  so.threads = threads;
  so.optimization_level = 0;
  // The graph was checked when it was loaded; the added outputs may have no declared shape, which ONNX's checker
  // requires of graph outputs.
  so.run_onnx_checker = false;
  auto session = Session::create_from_bytes(bytes, so);
  if (!session.ok()) return session.status().with_context("calibration model");
  return std::move(session).value();
}

}  // namespace

Result<std::map<std::string, ActivationRange>> calibrate(const ir::Graph& graph, std::span<const std::string> tensors,
                                                         const QuantizeOptions& options) {
  if (options.calibration_feeds.empty())
    return invalid_argument("static quantization needs calibration data (no calibration batches were given)");
  std::set<std::string> graph_inputs, graph_outputs;
  for (const ValueInfo& v : graph.inputs) graph_inputs.insert(v.name);
  for (const ValueInfo& v : graph.outputs) graph_outputs.insert(v.name);

  // A copy of the graph that also outputs every tensor to calibrate (initializer buffers are shared, not copied).
  ir::Graph probe = graph;
  std::vector<std::string> fetch;
  for (const std::string& t : tensors) {
    if (graph_inputs.count(t)) continue;
    if (!graph_outputs.count(t)) {
      auto known = graph.value_info.find(t);
      ValueInfo vi = known != graph.value_info.end() ? known->second : ValueInfo{};
      vi.name = t;
      if (vi.dtype == DType::kUndefined) vi.dtype = DType::kFloat32;
      probe.outputs.push_back(vi);
      graph_outputs.insert(t);
    }
    fetch.push_back(t);
  }
  // Only graph inputs to calibrate: the feeds hold every value and no run is needed.
  std::unique_ptr<Session> session;
  if (!fetch.empty()) {
    ONYX_ASSIGN_OR_RETURN(session, calibration_session(probe, options.threads));
  }

  std::map<std::string, RangeCollector> collectors;
  for (const std::string& t : tensors) collectors.try_emplace(t, options.calibration, options.percentile);
  auto add = [&](const std::string& name, const Tensor& value, size_t batch) -> Status {
    if (value.dtype() != DType::kFloat32)
      return invalid_argument("calibration batch " + std::to_string(batch) + ": tensor '" + name + "' is " +
                              dtype_name(value.dtype()) + ", not float32; only float32 activations are quantized");
    auto c = collectors.find(name);
    if (c == collectors.end()) return internal_error("calibration run returned unrequested output '" + name + "'");
    c->second.add({value.data<float>(), static_cast<size_t>(value.numel())});
    return ok_status();
  };
  const size_t total = options.calibration_feeds.size();
  for (size_t b = 0; b < total; ++b) {
    const NamedTensors& feeds = options.calibration_feeds[b];
    if (session) {
      auto outputs = session->run(feeds, fetch);
      if (!outputs.ok()) return outputs.status().with_context("calibration batch " + std::to_string(b));
      for (const auto& [name, value] : *outputs) ONYX_RETURN_IF_ERROR(add(name, value, b));
    }
    for (const std::string& t : tensors) {
      if (!graph_inputs.count(t)) continue;
      auto it = std::find_if(feeds.begin(), feeds.end(), [&](const NamedTensor& f) { return f.first == t; });
      if (it == feeds.end())
        return invalid_argument("calibration batch " + std::to_string(b) + " has no value for graph input '" + t + "'");
      ONYX_RETURN_IF_ERROR(add(t, it->second, b));
    }
    if (options.progress) options.progress(b + 1, total);
  }
  std::map<std::string, ActivationRange> ranges;
  for (const auto& [name, c] : collectors) ranges[name] = c.range();
  return ranges;
}

}  // namespace onyx::quant
