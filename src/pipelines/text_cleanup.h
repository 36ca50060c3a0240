// Ordered literal replacements over a whole string, as transformers' clean-up rules apply them
// (each rule replaces every occurrence before the next rule runs).
#pragma once

#include <span>
#include <string>
#include <utility>

namespace onyx::pipelines {

using ReplaceRule = std::pair<const char*, const char*>;

inline std::string apply_replace_rules(std::string s, std::span<const ReplaceRule> rules) {
  for (const auto& [from, to] : rules) {
    const std::string f(from), t(to);
    std::string out;
    size_t start = 0, at;
    while ((at = s.find(f, start)) != std::string::npos) {
      out.append(s, start, at - start).append(t);
      start = at + f.size();
    }
    s = out.append(s, start, std::string::npos);
  }
  return s;
}

}  // namespace onyx::pipelines
