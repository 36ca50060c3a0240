// SentencePiece .model (ModelProto, protobuf read directly) -> tokenizer.json, as transformers'
// SpmConverter wrote the tokenizer.json files of the checkpoints here (barthez's):
//   model          BPE (model_type 2): vocab = the pieces in order, merges from
//                  SentencePieceExtractor (every split l|r of a piece with both halves in the
//                  vocab, ordered by (id l, id r) within a piece, then stably by piece score,
//                  highest first), unk_token = trainer_spec.unk_piece, fuse_unk;
//                  Unigram (model_type 1): [piece, score] list and unk_id.
//   normalizer     Precompiled(normalizer_spec.precompiled_charsmap), if any
//   pre_tokenizer  WhitespaceSplit + Metaspace(U+2581, add_prefix_space = add_dummy_prefix)
//   post_processor <s> $A </s> (</s> $B </s>) when <s> and </s> are control pieces (fairseq
//                  family: Barthez, CamemBERT, XLM-R); $A </s> ($B </s>) when only </s> is (T5)
//   added tokens   control and unknown pieces, plus mask_token ("<mask>") when it is a piece.
// Only the fields used here are read; unknown fields are skipped by wire type.
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "components.h"
#include "onyx/tokenizer.h"

namespace onyx::tok {

using detail::Json;

namespace {

// A protobuf field: number, wire type, and the value (varint, or bytes for wire types 1, 2, 5).
struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

// Splits a message into its fields; false on truncated or malformed input.
bool parse_fields(std::string_view msg, std::vector<Field>& out) {
  size_t i = 0;
  auto read_varint = [&](uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i >= msg.size()) return false;
      auto b = static_cast<unsigned char>(msg[i++]);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return true;
    }
    return false;
  };
  while (i < msg.size()) {
    uint64_t key = 0;
    if (!read_varint(key)) return false;
    Field f;
    f.number = static_cast<uint32_t>(key >> 3);
    f.wire = static_cast<uint32_t>(key & 7);
    uint64_t len = 0;
    switch (f.wire) {
      case 0:
        if (!read_varint(f.varint)) return false;
        break;
      case 1:
      case 5:
        len = f.wire == 1 ? 8 : 4;
        if (msg.size() - i < len) return false;
        f.bytes = msg.substr(i, len);
        i += len;
        break;
      case 2:
        if (!read_varint(len) || msg.size() - i < len) return false;
        f.bytes = msg.substr(i, len);
        i += len;
        break;
      default:
        return false;
    }
    out.push_back(f);
  }
  return true;
}

std::string base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? kAlphabet[n & 63] : '=');
  }
  return out;
}

struct Piece {
  std::string text;
  float score = 0;
  uint64_t type = 1;  // NORMAL=1, UNKNOWN=2, CONTROL=3, USER_DEFINED=4, UNUSED=5, BYTE=6
};

struct SpmModel {
  std::vector<Piece> pieces;
  uint64_t model_type = 1;  // UNIGRAM=1, BPE=2
  std::string unk_piece = "<unk>";
  bool byte_fallback = false;
  std::string charsmap;
  bool add_dummy_prefix = true;
};

Result<SpmModel> parse_model(const std::string& path, std::string_view data) {
  auto bad = [&](const std::string& what) {
    return invalid_model(path + ": not a SentencePiece model (" + what + ")");
  };
  std::vector<Field> top;
  if (!parse_fields(data, top)) return bad("malformed protobuf");
  SpmModel m;
  for (const Field& f : top) {
    std::vector<Field> sub;
    if (f.wire != 2) continue;
    if (!parse_fields(f.bytes, sub)) return bad("malformed field " + std::to_string(f.number));
    if (f.number == 1) {  // SentencePiece
      Piece p;
      for (const Field& g : sub) {
        if (g.number == 1 && g.wire == 2) p.text = std::string(g.bytes);
        if (g.number == 2 && g.wire == 5) std::memcpy(&p.score, g.bytes.data(), 4);
        if (g.number == 3 && g.wire == 0) p.type = g.varint;
      }
      m.pieces.push_back(std::move(p));
    } else if (f.number == 2) {  // TrainerSpec
      for (const Field& g : sub) {
        if (g.number == 3 && g.wire == 0) m.model_type = g.varint;
        if (g.number == 35 && g.wire == 0) m.byte_fallback = g.varint != 0;
        if (g.number == 45 && g.wire == 2) m.unk_piece = std::string(g.bytes);
      }
    } else if (f.number == 3) {  // NormalizerSpec
      for (const Field& g : sub) {
        if (g.number == 2 && g.wire == 2) m.charsmap = std::string(g.bytes);
        if (g.number == 3 && g.wire == 0) m.add_dummy_prefix = g.varint != 0;
      }
    }
  }
  if (m.pieces.empty()) return bad("no pieces");
  for (const Piece& p : m.pieces) {
    if (!detail::validate_utf8(p.text).ok()) return bad("a piece is not valid UTF-8");
  }
  if (!detail::validate_utf8(m.unk_piece).ok()) return bad("unk_piece is not valid UTF-8");
  if (m.model_type != 1 && m.model_type != 2) {
    return not_implemented(path + ": SentencePiece model_type " + std::to_string(m.model_type) +
                           " (only UNIGRAM=1 and BPE=2 are supported)");
  }
  return m;
}

// transformers' SentencePieceExtractor.extract(vocab_scores): merges as "l r" strings.
Json extract_merges(const SpmModel& m, const std::map<std::string, uint32_t, std::less<>>& vocab) {
  struct Merge {
    float score;
    uint32_t left, right;
  };
  std::vector<Merge> merges;
  for (const Piece& p : m.pieces) {
    std::vector<Merge> local;
    for (size_t i = 0, k = 0; i < p.text.size(); i = k) {
      k = i + detail::utf8_seq_len(static_cast<unsigned char>(p.text[i]));
      if (i == 0 || k > p.text.size()) continue;
      auto l = vocab.find(std::string_view(p.text).substr(0, i));
      auto r = vocab.find(std::string_view(p.text).substr(i));
      if (l != vocab.end() && r != vocab.end()) local.push_back({p.score, l->second, r->second});
    }
    std::sort(local.begin(), local.end(),
              [](const Merge& a, const Merge& b) { return a.left != b.left ? a.left < b.left : a.right < b.right; });
    merges.insert(merges.end(), local.begin(), local.end());
  }
  std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) { return a.score > b.score; });
  Json out = Json::array();
  for (const Merge& mg : merges) out.push_back(m.pieces[mg.left].text + " " + m.pieces[mg.right].text);
  return out;
}

Json added_token(const std::string& content, uint32_t id) {
  return Json{{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
              {"rstrip", false}, {"normalized", false}, {"special", true}};
}

}  // namespace

Result<std::string> Tokenizer::convert_sentencepiece_model(const std::string& model_path, const std::string& mask_token) {
  std::ifstream in(model_path, std::ios::binary);
  if (!in) return not_found("cannot open " + model_path);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  ONYX_ASSIGN_OR_RETURN(SpmModel m, parse_model(model_path, data));

  std::map<std::string, uint32_t, std::less<>> vocab;  // last occurrence of a piece wins, as in Python dicts
  for (size_t i = 0; i < m.pieces.size(); ++i) vocab.insert_or_assign(m.pieces[i].text, static_cast<uint32_t>(i));
  Json added = Json::array();
  auto is_control = [&](const std::string& t) {
    auto it = vocab.find(t);
    return it != vocab.end() && m.pieces[it->second].type == 3;
  };
  for (size_t i = 0; i < m.pieces.size(); ++i) {
    const Piece& p = m.pieces[i];
    if (p.type == 2 || p.type == 3 || (p.text == mask_token && !mask_token.empty())) {
      added.push_back(added_token(p.text, static_cast<uint32_t>(i)));
    }
  }
  auto special = [&](const std::string& t) {
    return Json{{"SpecialToken", {{"id", t}, {"type_id", 0}}}};
  };
  auto seq = [](const char* id) { return Json{{"Sequence", {{"id", id}, {"type_id", 0}}}}; };
  Json post = nullptr;
  std::vector<std::string> specials;
  if (is_control("<s>") && is_control("</s>")) {
    post = {{"type", "TemplateProcessing"},
            {"single", {special("<s>"), seq("A"), special("</s>")}},
            {"pair", {special("<s>"), seq("A"), special("</s>"), special("</s>"), seq("B"), special("</s>")}}};
    specials = {"</s>", "<s>"};
  } else if (is_control("</s>")) {
    post = {{"type", "TemplateProcessing"},
            {"single", {seq("A"), special("</s>")}},
            {"pair", {seq("A"), special("</s>"), seq("B"), special("</s>")}}};
    specials = {"</s>"};
  }
  if (!post.is_null()) {
    Json st = Json::object();
    for (const std::string& t : specials) {
      st[t] = {{"id", t}, {"ids", {vocab.find(t)->second}}, {"tokens", {t}}};
    }
    post["special_tokens"] = st;
  }

  Json model;
  if (m.model_type == 2) {
    Json v = Json::object();
    for (size_t i = 0; i < m.pieces.size(); ++i) v[m.pieces[i].text] = static_cast<uint32_t>(i);
    model = {{"type", "BPE"},          {"dropout", nullptr},       {"unk_token", m.unk_piece},
             {"continuing_subword_prefix", nullptr},              {"end_of_word_suffix", nullptr},
             {"fuse_unk", true},       {"byte_fallback", m.byte_fallback}, {"vocab", v},
             {"merges", extract_merges(m, vocab)}};
  } else {
    Json v = Json::array();
    for (const Piece& p : m.pieces) v.push_back({p.text, p.score});
    auto unk = vocab.find(m.unk_piece);
    model = {{"type", "Unigram"}, {"unk_id", unk == vocab.end() ? Json() : Json(unk->second)},
             {"byte_fallback", m.byte_fallback}, {"vocab", v}};
  }
  const std::string metaspace = "\xE2\x96\x81";
  Json tok = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer", m.charsmap.empty() ? Json() : Json{{"type", "Precompiled"}, {"precompiled_charsmap", base64(m.charsmap)}}},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "WhitespaceSplit"}},
          {{"type", "Metaspace"}, {"replacement", metaspace}, {"add_prefix_space", m.add_dummy_prefix}}}}}},
      {"post_processor", post},
      {"decoder", {{"type", "Metaspace"}, {"replacement", metaspace}, {"add_prefix_space", m.add_dummy_prefix}}},
      {"model", model}};
  return tok.dump();
}

}  // namespace onyx::tok
