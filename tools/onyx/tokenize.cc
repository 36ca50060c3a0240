// Placeholder: the tokenizer engineer replaces this file with the real `onyx tokenize` command.
#include "tools/onyx/commands.h"

namespace onyx::cli {
void add_tokenize_command(CLI::App& app) {}
}  // namespace onyx::cli
