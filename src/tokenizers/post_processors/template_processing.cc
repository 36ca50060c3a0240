// TemplateProcessing: "[CLS] $A [SEP] $B:1 [SEP]:1"-style templates with per-piece type ids.
#include <map>

#include "post_processors.h"

namespace onyx::tok::detail {
namespace {

struct Piece {
  bool is_sequence;
  size_t sequence;    // 0 = A, 1 = B
  std::string token;  // special token id
  uint32_t type_id;
};

struct SpecialToken {
  std::vector<uint32_t> ids;
  std::vector<std::string> tokens;
};

class TemplateProcessing final : public PostProcessor {
 public:
  TemplateProcessing(std::vector<Piece> single, std::vector<Piece> pair, std::map<std::string, SpecialToken> specials)
      : single_(std::move(single)), pair_(std::move(pair)), specials_(std::move(specials)) {}

  size_t added_tokens(bool is_pair) const override {
    size_t n = 0;
    for (const Piece& p : is_pair ? pair_ : single_) {
      if (!p.is_sequence) n += specials_.at(p.token).ids.size();
    }
    return n;
  }

  Status process_encodings(std::vector<Encoding>& encodings, bool add_special_tokens) const override {
    const auto& tmpl = encodings.size() == 2 ? pair_ : single_;
    std::vector<Encoding> out;
    for (const Piece& p : tmpl) {
      if (p.is_sequence) {
        if (p.sequence >= encodings.size()) return invalid_argument("template uses $B but no pair was given");
        Encoding& e = encodings[p.sequence];
        e.type_ids.assign(e.size(), p.type_id);
        set_sequence_id(e, p.sequence);
        out.push_back(e);
      } else if (add_special_tokens) {
        const SpecialToken& st = specials_.at(p.token);
        Encoding e;
        size_t n = st.ids.size();
        e.ids = st.ids;
        e.type_ids.assign(n, p.type_id);
        e.tokens = st.tokens;
        e.words.assign(n, std::nullopt);
        e.offsets.assign(n, Offsets{0, 0});
        e.special_tokens_mask.assign(n, 1);
        e.attention_mask.assign(n, 1);
        out.push_back(std::move(e));
      }
    }
    encodings = std::move(out);
    return ok_status();
  }

 private:
  std::vector<Piece> single_;
  std::vector<Piece> pair_;
  std::map<std::string, SpecialToken> specials_;
};

Status read_template(const Json& j, std::vector<Piece>& out) {
  if (!j.is_array()) return invalid_model("TemplateProcessing: template must be an array of pieces");
  for (const auto& item : j) {
    if (item.contains("Sequence")) {
      const Json& s = item["Sequence"];
      std::string id = json_string(s, "id", "A");
      out.push_back({true, id == "B" ? 1u : 0u, "", static_cast<uint32_t>(json_int(s, "type_id", 0))});
    } else if (item.contains("SpecialToken")) {
      const Json& s = item["SpecialToken"];
      out.push_back({false, 0, json_string(s, "id"), static_cast<uint32_t>(json_int(s, "type_id", 0))});
    } else {
      return invalid_model("TemplateProcessing: piece must be Sequence or SpecialToken");
    }
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<PostProcessor>> make_template_processing(const Json& j) {
  std::vector<Piece> single, pair;
  ONYX_RETURN_IF_ERROR(read_template(j.contains("single") ? j["single"] : Json::array(), single));
  ONYX_RETURN_IF_ERROR(read_template(j.contains("pair") ? j["pair"] : Json::array(), pair));
  std::map<std::string, SpecialToken> specials;
  if (j.contains("special_tokens") && j["special_tokens"].is_object()) {
    for (auto it = j["special_tokens"].begin(); it != j["special_tokens"].end(); ++it) {
      SpecialToken st;
      const Json& v = it.value();
      if (!v.contains("ids") || !v["ids"].is_array() || !v.contains("tokens") || !v["tokens"].is_array() ||
          v["ids"].size() != v["tokens"].size()) {
        return invalid_model("TemplateProcessing: special token \"" + it.key() + "\" needs ids and tokens of equal length");
      }
      for (const auto& id : v["ids"]) st.ids.push_back(id.get<uint32_t>());
      for (const auto& t : v["tokens"]) st.tokens.push_back(t.get<std::string>());
      specials.emplace(it.key(), std::move(st));
    }
  }
  for (const auto* t : {&single, &pair}) {
    for (const Piece& p : *t) {
      if (!p.is_sequence && !specials.count(p.token)) {
        return invalid_model("TemplateProcessing: missing special token \"" + p.token + "\"");
      }
    }
  }
  return std::unique_ptr<PostProcessor>(new TemplateProcessing(std::move(single), std::move(pair), std::move(specials)));
}

}  // namespace onyx::tok::detail
