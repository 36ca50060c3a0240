// onyx ops [--json]: the ops the CPU execution provider implements, with their opset ranges.
#include <iostream>
#include <nlohmann/json.hpp>

#include "src/ep/cpu/registry.h"
#include "tools/onyx/commands.h"

namespace onyx::cli {

namespace {
std::string until_text(int until) { return until >= cpu::kMaxOpset ? "latest" : std::to_string(until); }
}  // namespace

void add_ops_command(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("ops", "List the ops onyx's CPU kernels implement (domain, op, opset range)");
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([json] {
    const auto& registry = cpu::cpu_kernel_registry();
    if (*json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& d : registry)
        j.push_back({{"domain", d.domain.empty() ? "ai.onnx" : d.domain}, {"op", d.op}, {"since", d.since_version},
                     {"until", until_text(d.until_version)}});
      std::cout << j.dump(2) << "\n";
      return;
    }
    for (const auto& d : registry)
      std::cout << (d.domain.empty() ? "ai.onnx" : d.domain) << "." << d.op << "  opsets " << d.since_version << "-"
                << until_text(d.until_version) << "\n";
    std::cout << registry.size() << " kernels\n";
  });
}

}  // namespace onyx::cli
