#include "components.h"

namespace onyx::tok::detail {

std::string json_string(const Json& j, const char* key, std::string fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

bool json_bool(const Json& j, const char* key, bool fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

int64_t json_int(const Json& j, const char* key, int64_t fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return fallback;
  return it->is_number_float() ? static_cast<int64_t>(it->get<double>()) : it->get<int64_t>();
}

double json_double(const Json& j, const char* key, double fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

Status json_pattern(const Json& j, std::string& pattern, bool& is_regex) {
  auto it = j.is_object() ? j.find("pattern") : j.end();
  if (it == j.end() || !it->is_object()) return invalid_model("component has no \"pattern\" object");
  if (it->contains("String") && (*it)["String"].is_string()) {
    pattern = (*it)["String"].get<std::string>();
    is_regex = false;
    return ok_status();
  }
  if (it->contains("Regex") && (*it)["Regex"].is_string()) {
    pattern = (*it)["Regex"].get<std::string>();
    is_regex = true;
    return ok_status();
  }
  return invalid_model("\"pattern\" must be {\"String\": ...} or {\"Regex\": ...}");
}

Result<SplitBehavior> parse_split_behavior(const std::string& name) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  return invalid_model("unknown split behavior \"" + name + "\"");
}

}  // namespace onyx::tok::detail
