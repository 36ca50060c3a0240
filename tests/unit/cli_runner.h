// Runs the `onyx` CLI from tests: exit code, stdout and stderr captured. Header-only; the test target defines
// ONYX_CLI_PATH (the built binary).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace onyx::test {

struct CliResult {
  int rc = -1;
  std::string out;
  std::string err;
};

// Runs `onyx ARGS` (ARGS is a shell fragment, quote paths).
inline CliResult run_cli(const std::string& args) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path err_file =
      fs::temp_directory_path() / ("onyx_cli_err_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
  const std::string cmd = std::string(ONYX_CLI_PATH) + " " + args + " 2>" + err_file.string();
  CliResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_file);
  r.err.assign(std::istreambuf_iterator<char>(in), {});
  fs::remove(err_file);
  return r;
}

}  // namespace onyx::test
