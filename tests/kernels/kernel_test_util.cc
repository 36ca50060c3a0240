#include "tests/kernels/kernel_test_util.h"

#include <cmath>
#include <limits>
#include <random>

#include "src/core/dtype_dispatch.h"
#include "src/core/half.h"
#include "src/ep/cpu/registry.h"

namespace onyx::test {

namespace {
class HeapAllocator final : public cpu::OutputAllocator {
 public:
  Tensor allocate(DType dtype, Shape shape) override { return Tensor::empty(dtype, std::move(shape)); }
};

template <typename T>
double as_double(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) return to_float(v);
  else return static_cast<double>(v);
}
}  // namespace

ir::Node make_node(const std::string& op, size_t num_inputs, size_t num_outputs) {
  ir::Node n;
  n.op_type = op;
  n.name = op + "_test";
  for (size_t i = 0; i < num_inputs; ++i) n.inputs.push_back("in" + std::to_string(i));
  for (size_t i = 0; i < num_outputs; ++i) n.outputs.push_back("out" + std::to_string(i));
  return n;
}

Result<std::vector<Tensor>> run_node(const ir::Node& node, const std::vector<Tensor>& inputs, int64_t opset,
                                     size_t num_outputs) {
  const cpu::KernelDef* def = cpu::find_cpu_kernel(node.op_type, node.domain, opset);
  if (!def) return not_implemented("no CPU kernel for " + node.op_type + " at opset " + std::to_string(opset));
  cpu::KernelInfo info{node, opset, nullptr};
  ONYX_ASSIGN_OR_RETURN(auto kernel, def->create(info));
  std::vector<const Tensor*> in;
  for (const auto& t : inputs) in.push_back(t.defined() ? &t : nullptr);
  std::vector<Tensor> out(num_outputs);
  HeapAllocator alloc;
  cpu::KernelContext ctx(node, in, out, alloc);
  ONYX_RETURN_IF_ERROR(kernel->compute(ctx));
  return out;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return std::numeric_limits<double>::infinity();
  double m = 0;
  Status s = visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t,
                         int64_t, uint64_t, bool>(a.dtype(), "max_abs_diff", [&]<typename T>() {
    for (int64_t i = 0; i < a.numel(); ++i) {
      const double x = as_double(a.data<T>()[i]), y = as_double(b.data<T>()[i]);
      if (std::isnan(x) && std::isnan(y)) continue;
      m = std::max(m, std::isnan(x) || std::isnan(y) ? std::numeric_limits<double>::infinity() : std::fabs(x - y));
    }
    return ok_status();
  });
  return s.ok() ? m : std::numeric_limits<double>::infinity();
}

Tensor random_tensor(DType dtype, Shape shape, unsigned seed, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t = Tensor::empty(dtype, std::move(shape));
  Status s = visit_dtype<float, double, Float16, BFloat16, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t,
                         int64_t, uint64_t, bool>(dtype, "random_tensor", [&]<typename T>() {
    for (int64_t i = 0; i < t.numel(); ++i) {
      const double v = dist(rng);
      if constexpr (std::is_same_v<T, Float16>) t.data<T>()[i] = to_float16(static_cast<float>(v));
      else if constexpr (std::is_same_v<T, BFloat16>) t.data<T>()[i] = to_bfloat16(static_cast<float>(v));
      else if constexpr (std::is_same_v<T, bool>) t.data<T>()[i] = v > (lo + hi) / 2;
      else t.data<T>()[i] = static_cast<T>(std::is_floating_point_v<T> ? v : std::round(v));
    }
    return ok_status();
  });
  (void)s;
  return t;
}

}  // namespace onyx::test
