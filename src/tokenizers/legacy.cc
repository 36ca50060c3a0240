// Legacy model folders -> tokenizer.json, as transformers' convert_slow_tokenizer does:
//   vocab.txt                         BertConverter (WordPiece, BertNormalizer per tokenizer_config.json)
//   vocab.json + merges.txt           RobertaConverter when special_tokens_map/config name <s>, else GPT2Converter
//   encoder.json + vocab.bpe          GPT2Converter (OpenAI's file names)
//   *.model (SentencePiece)           SpmConverter (sentencepiece_model.cc)
#include <fstream>
#include <sstream>

#include "components.h"
#include "onyx/tokenizer.h"

namespace onyx::tok {

using detail::Json;

namespace {

bool exists(const std::string& path) { return std::ifstream(path).good(); }

Result<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<Json> read_json(const std::string& path) {
  ONYX_ASSIGN_OR_RETURN(std::string text, slurp(path));
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return invalid_model(path + " is not valid JSON");
  return j;
}

// A special token value in tokenizer_config/special_tokens_map: "str" or {"content": ...}.
std::string token_value(const Json& cfg, const char* key, const std::string& fallback) {
  if (!cfg.is_object() || !cfg.contains(key)) return fallback;
  const Json& v = cfg[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  return fallback;
}

Json added_token(const std::string& content, uint32_t id, bool lstrip = false) {
  return Json{{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", lstrip},
              {"rstrip", false},   {"normalized", false}, {"special", true}};
}

Result<std::string> convert_bert(const std::string& dir, const Json& cfg) {
  ONYX_ASSIGN_OR_RETURN(std::string text, slurp(dir + "/vocab.txt"));
  Json vocab = Json::object();
  std::istringstream lines(text);
  std::string line;
  uint32_t index = 0;
  while (std::getline(lines, line)) {
    if (!vocab.contains(line)) vocab[line] = index;
    ++index;
  }
  bool lower = detail::json_bool(cfg, "do_lower_case", true);
  Json strip = cfg.contains("strip_accents") && cfg["strip_accents"].is_boolean() ? cfg["strip_accents"] : Json();
  bool chinese = detail::json_bool(cfg, "tokenize_chinese_chars", true);
  std::string unk = token_value(cfg, "unk_token", "[UNK]"), cls = token_value(cfg, "cls_token", "[CLS]");
  std::string sep = token_value(cfg, "sep_token", "[SEP]"), pad = token_value(cfg, "pad_token", "[PAD]");
  std::string mask = token_value(cfg, "mask_token", "[MASK]");
  auto id_of = [&](const std::string& t) -> Result<uint32_t> {
    if (!vocab.contains(t)) return invalid_model("special token " + t + " is not in " + dir + "/vocab.txt");
    return vocab[t].get<uint32_t>();
  };
  std::vector<std::pair<uint32_t, std::string>> specials;
  for (const auto& t : {pad, unk, cls, sep, mask}) {
    ONYX_ASSIGN_OR_RETURN(uint32_t id, id_of(t));
    specials.emplace_back(id, t);
  }
  std::sort(specials.begin(), specials.end());
  Json added = Json::array();
  for (const auto& [id, t] : specials) added.push_back(added_token(t, id));
  uint32_t cls_id = vocab[cls].get<uint32_t>(), sep_id = vocab[sep].get<uint32_t>();
  Json tok = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer",
       {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", chinese}, {"strip_accents", strip},
        {"lowercase", lower}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single",
         Json::array({{{"SpecialToken", {{"id", cls}, {"type_id", 0}}}},
                      {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                      {{"SpecialToken", {{"id", sep}, {"type_id", 0}}}}})},
        {"pair",
         Json::array({{{"SpecialToken", {{"id", cls}, {"type_id", 0}}}},
                      {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                      {{"SpecialToken", {{"id", sep}, {"type_id", 0}}}},
                      {{"Sequence", {{"id", "B"}, {"type_id", 1}}}},
                      {{"SpecialToken", {{"id", sep}, {"type_id", 1}}}}})},
        {"special_tokens",
         {{cls, {{"id", cls}, {"ids", {cls_id}}, {"tokens", {cls}}}},
          {sep, {{"id", sep}, {"ids", {sep_id}}, {"tokens", {sep}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", unk},
        {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 100},
        {"vocab", vocab}}}};
  return tok.dump();
}

Result<std::string> convert_byte_level_bpe(const std::string& dir, const std::string& vocab_file,
                                           const std::string& merges_file, const Json& cfg) {
  ONYX_ASSIGN_OR_RETURN(Json vocab, read_json(dir + "/" + vocab_file));
  if (!vocab.is_object()) return invalid_model(dir + "/" + vocab_file + " must be a JSON object");
  ONYX_ASSIGN_OR_RETURN(std::string text, slurp(dir + "/" + merges_file));
  // As GPT2Tokenizer: drop the first line (#version) and the text after the last newline.
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  if (!text.empty() && text.back() != '\n' && !lines.empty()) lines.pop_back();
  Json merges = Json::array();
  for (size_t i = 1; i < lines.size(); ++i) {
    std::istringstream parts(lines[i]);
    std::string a, b, extra;
    if (!(parts >> a >> b) || (parts >> extra)) continue;
    merges.push_back(a + " " + b);
  }
  bool roberta = token_value(cfg, "bos_token", "") == "<s>" || token_value(cfg, "cls_token", "") == "<s>";
  Json added = Json::array();
  Json post;
  if (roberta) {
    std::string cls = token_value(cfg, "cls_token", "<s>"), sep = token_value(cfg, "sep_token", "</s>");
    std::vector<std::tuple<uint32_t, std::string, bool>> specials;
    for (const char* key : {"bos_token", "pad_token", "eos_token", "unk_token", "sep_token", "cls_token", "mask_token"}) {
      std::string t = token_value(cfg, key, "");
      if (t.empty() || !vocab.contains(t)) continue;
      bool lstrip = std::string(key) == "mask_token";
      std::tuple<uint32_t, std::string, bool> entry{vocab[t].get<uint32_t>(), t, lstrip};
      if (std::find(specials.begin(), specials.end(), entry) == specials.end()) specials.push_back(entry);
    }
    std::sort(specials.begin(), specials.end());
    for (const auto& [id, t, lstrip] : specials) added.push_back(added_token(t, id, lstrip));
    if (!vocab.contains(cls) || !vocab.contains(sep)) return invalid_model(dir + ": <s>/</s> missing from the vocab");
    post = {{"type", "RobertaProcessing"},
            {"sep", {sep, vocab[sep].get<uint32_t>()}},
            {"cls", {cls, vocab[cls].get<uint32_t>()}},
            {"trim_offsets", true},
            {"add_prefix_space", false}};
  } else {
    std::string eos = token_value(cfg, "eos_token", "<|endoftext|>");
    if (vocab.contains(eos)) added.push_back(added_token(eos, vocab[eos].get<uint32_t>()));
    post = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}};
  }
  Json tok = {{"version", "1.0"},
              {"truncation", nullptr},
              {"padding", nullptr},
              {"added_tokens", added},
              {"normalizer", nullptr},
              {"pre_tokenizer",
               {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
              {"post_processor", post},
              {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
              {"model",
               {{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", nullptr},
                {"continuing_subword_prefix", ""},
                {"end_of_word_suffix", ""},
                {"fuse_unk", false},
                {"byte_fallback", false},
                {"ignore_merges", false},
                {"vocab", vocab},
                {"merges", merges}}}};
  return tok.dump();
}

}  // namespace

Result<std::string> Tokenizer::convert_legacy_directory(const std::string& dir) {
  Json cfg = Json::object();
  for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
    if (!exists(dir + "/" + name)) continue;
    ONYX_ASSIGN_OR_RETURN(Json j, read_json(dir + "/" + name));
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) cfg[it.key()] = it.value();
    }
  }
  if (exists(dir + "/vocab.txt")) return convert_bert(dir, cfg);
  if (exists(dir + "/vocab.json") && exists(dir + "/merges.txt")) {
    return convert_byte_level_bpe(dir, "vocab.json", "merges.txt", cfg);
  }
  if (exists(dir + "/encoder.json") && exists(dir + "/vocab.bpe")) {
    return convert_byte_level_bpe(dir, "encoder.json", "vocab.bpe", cfg);
  }
  for (const char* name : {"sentencepiece.bpe.model", "spiece.model", "sentencepiece.model", "tokenizer.model"}) {
    if (exists(dir + "/" + name)) return convert_sentencepiece_model(dir + "/" + name, token_value(cfg, "mask_token", "<mask>"));
  }
  return not_found(dir + " has no tokenizer.json, vocab.txt, vocab.json+merges.txt, encoder.json+vocab.bpe or "
                   "SentencePiece .model (sentencepiece.bpe.model, spiece.model, sentencepiece.model, tokenizer.model)");
}

}  // namespace onyx::tok
