// onyx info MODEL.onnx [--json]: inputs/outputs, opsets, op histogram, parameters, unsupported ops.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "src/core/cpu_features.h"
#include "src/onnx/model_loader.h"
#include "src/runtime/execution_plan.h"
#include "tools/onyx/commands.h"

namespace onyx::cli {

namespace {

struct InfoOptions {
  std::string model;
  bool json = false;
  bool no_check = false;
};

nlohmann::json value_info_json(const ValueInfo& v) {
  nlohmann::json shape = nlohmann::json::array();
  for (const auto& d : v.shape) {
    if (d.is_fixed()) shape.push_back(d.value);
    else shape.push_back(d.symbol.empty() ? "?" : d.symbol);
  }
  return {{"name", v.name}, {"dtype", dtype_name(v.dtype)}, {"shape", v.has_shape ? shape : nlohmann::json()}};
}

int run_info(const InfoOptions& o) {
  auto graph = onnx_io::load_model_file(o.model, {.run_onnx_checker = !o.no_check});
  if (!graph.ok()) return fail(graph.status().to_string());
  const ir::Graph& g = *graph;
  std::map<std::string, int> histogram;
  for (const auto& n : g.nodes) histogram[(n.domain.empty() ? "" : n.domain + ".") + n.op_type]++;
  int64_t params = 0;
  for (const auto& [name, t] : g.initializers) params += t.numel();
  const auto unsupported = runtime::unsupported_ops(g);

  nlohmann::json j;
  j["model"] = o.model;
  j["ir_version"] = g.ir_version;
  j["producer"] = g.producer;
  for (const auto& [domain, version] : g.opsets) j["opsets"][domain.empty() ? "ai.onnx" : domain] = version;
  for (const auto& v : g.inputs) j["inputs"].push_back(value_info_json(v));
  for (const auto& v : g.outputs) j["outputs"].push_back(value_info_json(v));
  j["nodes"] = g.nodes.size();
  j["op_histogram"] = histogram;
  j["parameters"] = params;
  j["initializers"] = g.initializers.size();
  j["unsupported_ops"] = unsupported;
  j["cpu_features"] = cpu_features().to_string();
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "model:      " << o.model << "\n"
            << "producer:   " << g.producer << "  (ir_version " << g.ir_version << ")\n"
            << "opsets:    ";
  for (const auto& [domain, version] : g.opsets) std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << version;
  std::cout << "\ninputs:\n";
  for (const auto& v : g.inputs) std::cout << "  " << v.to_string() << "\n";
  std::cout << "outputs:\n";
  for (const auto& v : g.outputs) std::cout << "  " << v.to_string() << "\n";
  std::cout << "parameters: " << params << " in " << g.initializers.size() << " initializers\n"
            << "nodes:      " << g.nodes.size() << "\nops:\n";
  for (const auto& [op, count] : histogram) std::cout << "  " << op << ": " << count << "\n";
  if (unsupported.empty()) {
    std::cout << "unsupported ops: none (onyx can run this model)\n";
  } else {
    std::cout << "unsupported ops:\n";
    for (const auto& line : unsupported) std::cout << "  - " << line << "\n";
  }
  return 0;
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Show a model's inputs, outputs, opsets, op histogram, parameter count "
                                             "and the ops onyx does not support");
  cmd->add_option("model", o->model, "Path to the .onnx file")->required();
  cmd->add_flag("--json", o->json, "Print JSON instead of text");
  cmd->add_flag("--no-check", o->no_check, "Skip ONNX's model checker");
  cmd->callback([o] {
    if (int rc = run_info(*o)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
