// `onyx tokenize`: encode text with a Hugging Face tokenizer folder and print JSON, or decode ids.
//   onyx tokenize --tokenizer DIR [--pair TEXT] [--max-length N] TEXT...
//   onyx tokenize --tokenizer DIR --decode ID...
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "onyx/tokenizer.h"
#include "tools/onyx/commands.h"

namespace onyx::cli {
namespace {

struct TokenizeOptions {
  std::string dir;
  std::string pair;
  size_t max_length = 0;
  bool decode = false;
  bool keep_special = false;
  std::vector<std::string> args;
};

nlohmann::json to_json(const tok::Encoding& e) {
  nlohmann::json j;
  j["ids"] = e.ids;
  j["tokens"] = e.tokens;
  j["attention_mask"] = e.attention_mask;
  j["token_type_ids"] = e.type_ids;
  nlohmann::json offs = nlohmann::json::array();
  for (const auto& o : e.offsets) offs.push_back({o.first, o.second});
  j["offsets"] = offs;
  if (!e.overflowing.empty()) {
    j["overflowing"] = nlohmann::json::array();
    for (const auto& o : e.overflowing) j["overflowing"].push_back(to_json(o));
  }
  return j;
}

int run_tokenize(const TokenizeOptions& o) {
  auto loaded = tok::Tokenizer::from_directory(o.dir);
  if (!loaded.ok()) {
    std::fprintf(stderr, "onyx tokenize: %s\n", loaded.status().to_string().c_str());
    return 1;
  }
  tok::Tokenizer t = std::move(loaded).value();
  if (o.decode) {
    std::vector<uint32_t> ids;
    for (const auto& a : o.args) {
      char* end = nullptr;
      unsigned long v = std::strtoul(a.c_str(), &end, 10);
      if (end == a.c_str() || *end != '\0') {
        std::fprintf(stderr, "onyx tokenize --decode: \"%s\" is not a token id\n", a.c_str());
        return 2;
      }
      ids.push_back(static_cast<uint32_t>(v));
    }
    auto text = t.decode(ids, !o.keep_special);
    if (!text.ok()) {
      std::fprintf(stderr, "onyx tokenize: %s\n", text.status().to_string().c_str());
      return 1;
    }
    std::printf("%s\n", nlohmann::json({{"text", *text}}).dump().c_str());
    return 0;
  }
  if (o.max_length > 0) {
    tok::TruncationParams p = t.truncation().value_or(tok::TruncationParams{});
    p.max_length = o.max_length;
    if (p.stride >= o.max_length) p.stride = 0;
    auto s = t.set_truncation(p);
    if (!s.ok()) {
      std::fprintf(stderr, "onyx tokenize: %s\n", s.to_string().c_str());
      return 2;
    }
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& text : o.args) {
    auto e = o.pair.empty() ? t.encode(text) : t.encode_pair(text, o.pair);
    if (!e.ok()) {
      std::fprintf(stderr, "onyx tokenize: %s\n", e.status().to_string().c_str());
      return 1;
    }
    out.push_back(to_json(*e));
  }
  std::printf("%s\n", (out.size() == 1 ? out[0] : out).dump().c_str());
  return 0;
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto opts = std::make_shared<TokenizeOptions>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Tokenize text (or --decode ids) with a Hugging Face tokenizer folder");
  cmd->add_option("--tokenizer", opts->dir, "folder with tokenizer.json, or legacy vocab files")->required();
  cmd->add_option("--pair", opts->pair, "second text of a pair");
  cmd->add_option("--max-length", opts->max_length, "truncate to this many tokens (special tokens included)");
  cmd->add_flag("--decode", opts->decode, "decode the given ids instead of encoding text");
  cmd->add_flag("--keep-special", opts->keep_special, "with --decode: keep special tokens");
  cmd->add_option("args", opts->args, "texts to encode, or ids to decode")->required();
  cmd->callback([opts]() {
    int rc = run_tokenize(*opts);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace onyx::cli
