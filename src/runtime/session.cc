// Session: load -> plan -> run. See include/onyx/session.h for the contract.
#include "onyx/session.h"

#include <chrono>
#include <map>
#include <mutex>
#include <set>

#include "src/core/buffer_pool.h"
#include "src/core/cpu_features.h"
#include "src/core/parallel.h"
#include "src/onnx/model_loader.h"
#include "src/opt/pass_manager.h"
#include "src/runtime/execution_plan.h"

namespace onyx {

std::string ValueInfo::to_string() const {
  std::string s = name + ": " + dtype_name(dtype);
  if (!has_shape) return s + " [?]";
  s += " [";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i].is_fixed() ? std::to_string(shape[i].value) : shape[i].symbol.empty() ? "?" : shape[i].symbol;
  }
  return s + "]";
}

struct Session::Impl {
  SessionOptions options;
  std::unique_ptr<runtime::ExecutionPlan> plan;
  std::shared_ptr<BufferPool> pool = BufferPool::create();
  mutable std::mutex profile_mu;
  mutable std::vector<NodeProfile> profile;  // one per plan step when options.profile

  void init_profile();

  Status validate_inputs(const NamedTensors& inputs, std::vector<const Tensor*>& by_position) const;
};

namespace {

class PoolAllocator final : public cpu::OutputAllocator {
 public:
  explicit PoolAllocator(BufferPool& pool) : pool_(pool) {}
  Tensor allocate(DType dtype, Shape shape) override { return pool_.allocate(dtype, std::move(shape)); }

 private:
  BufferPool& pool_;
};

std::string names_of(const std::vector<ValueInfo>& infos) {
  std::string s;
  for (const auto& i : infos) s += (s.empty() ? "" : ", ") + std::string("'") + i.name + "'";
  return s;
}

}  // namespace

Status Session::Impl::validate_inputs(const NamedTensors& inputs, std::vector<const Tensor*>& by_position) const {
  const auto& declared = plan->graph.inputs;
  by_position.assign(declared.size(), nullptr);
  for (const auto& [name, tensor] : inputs) {
    size_t pos = declared.size();
    for (size_t i = 0; i < declared.size(); ++i)
      if (declared[i].name == name) pos = i;
    if (pos == declared.size())
      return invalid_argument("unknown input '" + name + "'; the model's inputs are: " + names_of(declared));
    if (by_position[pos]) return invalid_argument("input '" + name + "' is given twice");
    if (!tensor.defined() || !tensor.raw_data()) return invalid_argument("input '" + name + "' is an empty Tensor");
    by_position[pos] = &tensor;
  }
  std::map<std::string, std::pair<int64_t, std::string>> symbols;  // symbol -> (size, input that fixed it)
  for (size_t i = 0; i < declared.size(); ++i) {
    const ValueInfo& d = declared[i];
    const Tensor* t = by_position[i];
    if (!t) return invalid_argument("missing input '" + d.name + "' (" + d.to_string() + "); the model's inputs are: " +
                                    names_of(declared));
    if (d.dtype != DType::kUndefined && t->dtype() != d.dtype)
      return invalid_argument("input '" + d.name + "': expected dtype " + dtype_name(d.dtype) + ", got " +
                              dtype_name(t->dtype()));
    if (!d.has_shape) continue;
    if (t->rank() != d.shape.size())
      return invalid_argument("input '" + d.name + "': expected rank " + std::to_string(d.shape.size()) + " (" +
                              d.to_string() + "), got shape " + shape_to_string(t->shape()));
    for (size_t k = 0; k < d.shape.size(); ++k) {
      const Dim& dim = d.shape[k];
      const int64_t got = t->dim(k);
      if (dim.is_fixed() && got != dim.value)
        return invalid_argument("input '" + d.name + "': dimension " + std::to_string(k) + " must be " +
                                std::to_string(dim.value) + " (" + d.to_string() + "), got shape " +
                                shape_to_string(t->shape()));
      if (!dim.symbol.empty()) {
        auto [it, inserted] = symbols.emplace(dim.symbol, std::make_pair(got, d.name));
        if (!inserted && it->second.first != got)
          return invalid_argument("input '" + d.name + "': dimension '" + dim.symbol + "' is " + std::to_string(got) +
                                  " but it is " + std::to_string(it->second.first) + " in input '" + it->second.second +
                                  "'");
      }
    }
  }
  return ok_status();
}

void Session::Impl::init_profile() {
  profile.clear();
  if (!options.profile) return;
  for (const runtime::PlannedStep& step : plan->steps) {
    const ir::Node& node = plan->graph.nodes[step.node_index];
    NodeProfile p;
    p.op_type = node.domain.empty() || node.domain == "ai.onnx" ? node.op_type : node.domain + "." + node.op_type;
    p.node = node.name.empty() ? node.op_type + "#" + std::to_string(step.node_index) : node.name;
    profile.push_back(std::move(p));
  }
}

std::vector<NodeProfile> Session::profile() const {
  std::lock_guard<std::mutex> lock(impl_->profile_mu);
  return impl_->profile;
}

void Session::reset_profile() const {
  std::lock_guard<std::mutex> lock(impl_->profile_mu);
  for (NodeProfile& p : impl_->profile) p.calls = 0, p.total_ms = 0.0;
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

namespace {
Result<std::unique_ptr<Session::Impl>> make_impl(Result<ir::Graph> graph, const SessionOptions& options) {
  if (!graph.ok()) return graph.status();
  auto impl = std::make_unique<Session::Impl>();
  impl->options = options;
  opt::OptimizeOptions optimize;
  ONYX_ASSIGN_OR_RETURN(optimize.level, opt::level_from_int(options.optimization_level));
  optimize.disabled_passes = options.disabled_passes;
  optimize.remove_padding = options.remove_padding;
  optimize.runtime_fusions = true;
  runtime::PlanOptions plan_options;
  if (options.precision == SessionOptions::Precision::kBf16) {
    if (!cpu_features().avx512bf16)
      return not_implemented("bf16 precision needs a CPU with AVX512-BF16 (this one has: " +
                             cpu_features().to_string() + "); use fp32");
    plan_options.bf16_weights = true;
  }
  if (options.precision == SessionOptions::Precision::kInt8) plan_options.int8_weights = true;
  ir::Graph g = std::move(graph).value();
  ONYX_RETURN_IF_ERROR(opt::optimize(g, optimize).status());
  ONYX_ASSIGN_OR_RETURN(impl->plan, runtime::build_execution_plan(std::move(g), plan_options));
  impl->init_profile();
  return impl;
}
}  // namespace

Result<std::unique_ptr<Session>> Session::create(const std::string& path, const SessionOptions& options) {
  onnx_io::LoadOptions load{options.run_onnx_checker};
  auto impl = make_impl(onnx_io::load_model_file(path, load), options);
  if (!impl.ok()) return impl.status().with_context(path);
  return std::unique_ptr<Session>(new Session(std::move(impl).value()));
}

Result<std::unique_ptr<Session>> Session::create_from_bytes(std::string_view bytes, const SessionOptions& options,
                                                            const std::string& base_dir) {
  onnx_io::LoadOptions load{options.run_onnx_checker};
  auto impl = make_impl(onnx_io::load_model_bytes(bytes, base_dir, load), options);
  if (!impl.ok()) return impl.status();
  return std::unique_ptr<Session>(new Session(std::move(impl).value()));
}

size_t Session::pooled_bytes() const { return impl_->pool->bytes_reserved(); }

const std::vector<ValueInfo>& Session::inputs() const { return impl_->plan->graph.inputs; }
const std::vector<ValueInfo>& Session::outputs() const { return impl_->plan->graph.outputs; }

Result<NamedTensors> Session::run(const NamedTensors& inputs, std::span<const std::string> output_names) const {
  const runtime::ExecutionPlan& plan = *impl_->plan;
  std::vector<const Tensor*> given;
  ONYX_RETURN_IF_ERROR(impl_->validate_inputs(inputs, given));

  std::vector<size_t> wanted;  // indices into graph.outputs
  if (output_names.empty()) {
    for (size_t i = 0; i < plan.graph.outputs.size(); ++i) wanted.push_back(i);
  } else {
    for (const auto& name : output_names) {
      size_t pos = plan.graph.outputs.size();
      for (size_t i = 0; i < plan.graph.outputs.size(); ++i)
        if (plan.graph.outputs[i].name == name) pos = i;
      if (pos == plan.graph.outputs.size())
        return invalid_argument("unknown output '" + name + "'; the model's outputs are: " + names_of(plan.graph.outputs));
      wanted.push_back(pos);
    }
  }

  set_intra_op_threads(impl_->options.threads);
  PoolAllocator allocator(*impl_->pool);
  std::vector<Tensor> slots(plan.num_slots);
  for (const auto& [s, t] : plan.constants) slots[s] = t;
  for (size_t i = 0; i < given.size(); ++i) slots[plan.input_slots[i]] = *given[i];

  std::vector<const Tensor*> in_ptrs;
  std::vector<Tensor> outs;
  using Clock = std::chrono::steady_clock;
  std::vector<double> step_ms(impl_->options.profile ? plan.steps.size() : 0);
  size_t step_index = 0;
  for (const runtime::PlannedStep& step : plan.steps) {
    const ir::Node& node = plan.graph.nodes[step.node_index];
    in_ptrs.clear();
    for (int s : step.inputs) {
      const Tensor* t = s >= 0 && slots[s].defined() ? &slots[s] : nullptr;
      in_ptrs.push_back(t);
    }
    outs.assign(step.outputs.size(), Tensor());
    cpu::KernelContext ctx(node, in_ptrs, outs, allocator);
    const Clock::time_point t0 = impl_->options.profile ? Clock::now() : Clock::time_point();
    Status st = step.kernel->compute(ctx);
    if (impl_->options.profile) step_ms[step_index] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    ++step_index;
    if (!st.ok()) {
      if (st.message().find(node.describe()) == std::string::npos) st = st.with_context(node.describe());
      return st;
    }
    for (size_t k = 0; k < step.outputs.size(); ++k)
      if (step.outputs[k] >= 0) slots[step.outputs[k]] = std::move(outs[k]);
    for (int s : step.release_after) slots[s] = Tensor();
  }

  if (impl_->options.profile) {
    std::lock_guard<std::mutex> lock(impl_->profile_mu);
    for (size_t i = 0; i < step_ms.size(); ++i) ++impl_->profile[i].calls, impl_->profile[i].total_ms += step_ms[i];
  }

  NamedTensors result;
  for (size_t i : wanted) {
    const Tensor& t = slots[plan.output_slots[i]];
    if (!t.defined()) return internal_error("output '" + plan.graph.outputs[i].name + "' was not computed");
    result.emplace_back(plan.graph.outputs[i].name, t);
  }
  return result;
}

}  // namespace onyx
