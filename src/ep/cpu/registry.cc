#include "src/ep/cpu/registry.h"

#include <algorithm>
#include <mutex>

namespace onyx::cpu {

namespace {

class FunctionKernel final : public Kernel {
 public:
  explicit FunctionKernel(KernelComputeFn fn) : fn_(fn) {}
  Status compute(KernelContext& ctx) const override { return fn_(ctx); }

 private:
  KernelComputeFn fn_;
};

}  // namespace

std::unique_ptr<Kernel> make_function_kernel(KernelComputeFn fn) { return std::make_unique<FunctionKernel>(fn); }

const std::vector<KernelDef>& cpu_kernel_registry() {
  static std::vector<KernelDef> registry;
  static std::once_flag once;
  std::call_once(once, [] {
    for (auto family : {core_kernel_defs, elementwise_kernel_defs, tensor_kernel_defs, math_kernel_defs,
                        contrib_kernel_defs, quant_kernel_defs, quant_contrib_kernel_defs}) {
      auto defs = family();
      registry.insert(registry.end(), defs.begin(), defs.end());
    }
    std::sort(registry.begin(), registry.end(), [](const KernelDef& a, const KernelDef& b) {
      return std::tie(a.domain, a.op, a.since_version) < std::tie(b.domain, b.op, b.since_version);
    });
  });
  return registry;
}

const KernelDef* find_cpu_kernel(std::string_view op, std::string_view domain, int64_t opset) {
  for (const KernelDef& def : cpu_kernel_registry())
    if (def.op == op && def.domain == domain && def.since_version <= opset && opset <= def.until_version) return &def;
  return nullptr;
}

}  // namespace onyx::cpu
