#include "test_data.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace onyx::tok::testing {

std::vector<std::string> tokenizer_names() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(ONYX_TOK_SHARED_DIR, ec)) {
    if (e.is_directory()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string tokenizer_dir(const std::string& name) { return std::string(ONYX_TOK_SHARED_DIR) + "/" + name; }

std::string test_name(std::string name) {
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out;
    std::ifstream tsv(ONYX_TOK_SST2);
    std::string line;
    std::getline(tsv, line);  // header
    while (std::getline(tsv, line)) {
      if (line.empty()) continue;
      out.push_back(line.substr(0, line.find('\t')));
    }
    std::ifstream adv(std::string(ONYX_TOK_TEST_DIR) + "/adversarial.json");
    std::stringstream ss;
    ss << adv.rdbuf();
    auto j = nlohmann::json::parse(ss.str(), nullptr, false);
    if (j.is_array()) {
      for (const auto& s : j) out.push_back(s.get<std::string>());
    }
    return out;
  }();
  return texts;
}

std::string read_gz(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return {};
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  gzclose(f);
  return out;
}

}  // namespace onyx::tok::testing
