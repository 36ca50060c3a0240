#include "tests/kernels/kernel_test_util.h"

#include <algorithm>
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

MatMulBroadcast matmul_broadcast(const Shape& a, const Shape& b) {
  MatMulBroadcast r;
  r.a = a;
  r.b = b;
  if (r.a.size() == 1) r.a.insert(r.a.begin(), 1);
  if (r.b.size() == 1) r.b.push_back(1);
  r.m = r.a[r.a.size() - 2];
  r.k = r.a.back();
  r.n = r.b.back();
  const size_t rank = std::max(r.a.size(), r.b.size()) - 2;
  r.batch.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i + r.a.size() - 2 >= rank ? r.a[i + r.a.size() - 2 - rank] : 1;
    const int64_t db = i + r.b.size() - 2 >= rank ? r.b[i + r.b.size() - 2 - rank] : 1;
    r.batch[i] = std::max(da, db);
  }
  r.out = r.batch;
  if (a.size() > 1) r.out.push_back(r.m);
  if (b.size() > 1) r.out.push_back(r.n);
  return r;
}

std::pair<int64_t, int64_t> MatMulBroadcast::matrices(int64_t bi) const {
  const size_t rank = batch.size();
  int64_t ai = 0, bj = 0;
  for (size_t d = 0; d < rank; ++d) {
    int64_t stride = 1;
    for (size_t e = d + 1; e < rank; ++e) stride *= batch[e];
    const int64_t c = (bi / stride) % batch[d];
    const int64_t ia = static_cast<int64_t>(d + a.size() - 2) - static_cast<int64_t>(rank);
    const int64_t ib = static_cast<int64_t>(d + b.size() - 2) - static_cast<int64_t>(rank);
    if (ia >= 0) ai = ai * a[ia] + (a[ia] == 1 ? 0 : c);
    if (ib >= 0) bj = bj * b[ib] + (b[ib] == 1 ? 0 : c);
  }
  return {ai, bj};
}

}  // namespace onyx::test
