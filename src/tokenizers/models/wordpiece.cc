// WordPiece model: greedy longest-match-first with a continuing-subword prefix.
#include "models.h"

namespace onyx::tok::detail {
namespace {

class WordPiece final : public Model {
 public:
  WordPiece(VocabTable vocab, std::string unk, std::string prefix, size_t max_chars)
      : vocab_(std::move(vocab)), unk_(std::move(unk)), prefix_(std::move(prefix)), max_chars_(max_chars) {}

  Status tokenize(std::string_view piece, std::vector<Token>& out) const override {
    if (count_chars(piece) > max_chars_) return push_unk(piece, out);
    size_t first = out.size();
    size_t start = 0;
    std::string buf;
    while (start < piece.size()) {
      size_t end = piece.size();
      bool found = false;
      while (start < end) {
        std::string_view sub = piece.substr(start, end - start);
        std::optional<uint32_t> id;
        if (start > 0) {
          buf.assign(prefix_);
          buf.append(sub);
          id = vocab_.find(buf);
        } else {
          id = vocab_.find(sub);
        }
        if (id) {
          out.push_back({*id, start > 0 ? buf : std::string(sub), {start, end}});
          found = true;
          break;
        }
        // Step back one char.
        size_t k = end - 1;
        while (k > start && (static_cast<unsigned char>(piece[k]) & 0xC0) == 0x80) --k;
        end = k;
      }
      if (!found) {
        out.resize(first);
        return push_unk(piece, out);
      }
      start = end;
    }
    return ok_status();
  }

  std::optional<uint32_t> token_to_id(std::string_view t) const override { return vocab_.find(t); }
  std::optional<std::string> id_to_token(uint32_t id) const override { return vocab_.token(id); }
  size_t vocab_size() const override { return vocab_.map.size(); }

 private:
  Status push_unk(std::string_view piece, std::vector<Token>& out) const {
    auto id = vocab_.find(unk_);
    if (!id) return invalid_model("WordPiece: unk_token \"" + unk_ + "\" is not in the vocabulary");
    out.push_back({*id, unk_, {0, piece.size()}});
    return ok_status();
  }

  VocabTable vocab_;
  std::string unk_;
  std::string prefix_;
  size_t max_chars_;
};

}  // namespace

Result<std::unique_ptr<Model>> make_wordpiece_model(const Json& j) {
  VocabTable vocab;
  ONYX_RETURN_IF_ERROR(read_vocab_object(j.contains("vocab") ? j["vocab"] : Json(), vocab).with_context("WordPiece"));
  return std::unique_ptr<Model>(new WordPiece(std::move(vocab), json_string(j, "unk_token", "[UNK]"),
                                              json_string(j, "continuing_subword_prefix", "##"),
                                              static_cast<size_t>(json_int(j, "max_input_chars_per_word", 100))));
}

}  // namespace onyx::tok::detail
