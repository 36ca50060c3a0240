// test_data.h: where the tokenizer tests find their data (paths from CMake compile definitions).
#pragma once

#include <string>
#include <vector>

namespace onyx::tok::testing {

// The tokenizer folders of ../shared/tokenizers, sorted.
std::vector<std::string> tokenizer_names();
std::string tokenizer_dir(const std::string& name);
// A tokenizer name as a gtest parameter name ("bert-base-cased" -> "bert_base_cased").
std::string test_name(std::string name);
// SST-2 dev sentences (file order) followed by tests/tokenizers/adversarial.json.
const std::vector<std::string>& corpus();
// Reads a gzip (or plain) file whole; empty on error.
std::string read_gz(const std::string& path);

}  // namespace onyx::tok::testing
