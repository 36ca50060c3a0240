// Compares onyx with the goldens of the Rust tokenizers library (tests/tokenizers/goldens, made by
// scripts/tokenizers/make_goldens.js), for every tokenizer folder in ../shared/tokenizers: ids,
// type ids, tokens, char offsets, attention mask, special tokens mask, overflowing, decode.
// Records listed in tests/tokenizers/known_mismatches.txt are reported as known mismatches instead
// of failures; a listed record that matches fails the test (the list can only shrink).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "onyx/tokenizer.h"
#include "test_data.h"

namespace onyx::tok {
namespace {

using nlohmann::json;
using testing::corpus;

std::optional<uint32_t> pad_id(const Tokenizer& t, std::string& token) {
  for (const char* cand : {"[PAD]", "<pad>", "<|endoftext|>"}) {
    if (auto id = t.token_to_id(cand)) {
      token = cand;
      return id;
    }
  }
  return std::nullopt;
}

// Tokenizer configured as the golden config `c` (same settings as make_goldens.js).
Tokenizer configure(const Tokenizer& base, const std::string& c) {
  Tokenizer t = base;
  auto trunc = [&](size_t max, size_t stride, TruncationStrategy s, Direction d) {
    EXPECT_TRUE(t.set_truncation(TruncationParams{max, stride, s, d}).ok());
  };
  if (c == "pair16" || c == "pair128") {
    trunc(c == "pair16" ? 16 : 128, 0, TruncationStrategy::kLongestFirst, Direction::kRight);
  } else if (c == "left_pad") {
    PaddingParams p;
    p.pad_id = *pad_id(t, p.pad_token);
    p.direction = Direction::kLeft;
    p.pad_to_multiple_of = 8;
    t.set_padding(p);
  } else if (c == "stride") {
    trunc(20, 5, TruncationStrategy::kLongestFirst, Direction::kRight);
    t.set_padding(std::nullopt);
  } else if (c == "only_second_left") {
    trunc(24, 2, TruncationStrategy::kOnlySecond, Direction::kLeft);
    t.set_padding(std::nullopt);
  } else if (c == "only_first") {
    trunc(20, 0, TruncationStrategy::kOnlyFirst, Direction::kRight);
    t.set_padding(std::nullopt);
  }
  return t;
}

// Expands the trailing padding left out of a golden record.
void expand(json& r, const std::optional<PaddingParams>& pad) {
  if (r.contains("ovf")) {
    for (auto& o : r["ovf"]) expand(o, pad);
  }
  if (!r.contains("pad")) return;
  size_t n = r["pad"].get<size_t>();
  ASSERT_TRUE(pad.has_value());
  for (size_t k = 0; k < n; ++k) {
    r["ids"].push_back(pad->pad_id);
    r["types"].push_back(pad->pad_type_id);
    if (r.contains("toks")) r["toks"].push_back(pad->pad_token);
    r["offs"].push_back(0);
    r["offs"].push_back(0);
  }
  r["mask"] = r["mask"].get<std::string>() + std::string(n, '0');
  r["stm"] = r["stm"].get<std::string>() + std::string(n, '1');
}

std::string bits(const std::vector<uint32_t>& v) {
  std::string s;
  for (uint32_t x : v) s += static_cast<char>('0' + x);
  return s;
}

// Empty if equal, else what differs.
std::string compare(const json& r, const Encoding& e) {
  std::ostringstream diff;
  if (r["ids"].get<std::vector<uint32_t>>() != e.ids) diff << " ids";
  if (r["types"].get<std::vector<uint32_t>>() != e.type_ids) diff << " type_ids";
  if (r.contains("toks") && r["toks"].get<std::vector<std::string>>() != e.tokens) diff << " tokens";
  std::vector<size_t> offs;
  for (const auto& o : e.offsets) {
    offs.push_back(o.first);
    offs.push_back(o.second);
  }
  if (r["offs"].get<std::vector<size_t>>() != offs) diff << " offsets";
  if (r["mask"].get<std::string>() != bits(e.attention_mask)) diff << " attention_mask";
  if (r["stm"].get<std::string>() != bits(e.special_tokens_mask)) diff << " special_tokens_mask";
  size_t n_ovf = r.contains("ovf") ? r["ovf"].size() : 0;
  if (n_ovf != e.overflowing.size()) {
    diff << " overflowing count " << e.overflowing.size() << " vs " << n_ovf;
  } else {
    for (size_t k = 0; k < n_ovf; ++k) {
      std::string d = compare(r["ovf"][k], e.overflowing[k]);
      if (!d.empty()) diff << " overflowing[" << k << "]:" << d;
    }
  }
  return diff.str();
}

std::string show(const Encoding& e) {
  json j;
  j["ids"] = e.ids;
  j["tokens"] = e.tokens;
  std::vector<size_t> offs;
  for (const auto& o : e.offsets) {
    offs.push_back(o.first);
    offs.push_back(o.second);
  }
  j["offs"] = offs;
  return j.dump();
}

// Known mismatches: "<tokenizer> <config> <record> <reason...>" per line, <record> the 0-based line
// of the record in goldens/<tokenizer>.jsonl.gz; '#' starts a comment line.
struct KnownMismatch {
  std::string config;
  std::string reason;
};
std::map<size_t, KnownMismatch> known_mismatches(const std::string& name) {
  std::map<size_t, KnownMismatch> out;
  std::ifstream in(std::string(ONYX_TOK_TEST_DIR) + "/known_mismatches.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string tok, config;
    size_t record = 0;
    if (!(fields >> tok >> config >> record)) {
      ADD_FAILURE() << "known_mismatches.txt: malformed line: " << line;
      continue;
    }
    std::string reason;
    std::getline(fields >> std::ws, reason);
    if (tok == name) out[record] = {config, reason};
  }
  return out;
}

// Checks `loaded` against the goldens of tokenizer folder `name`; `source` names how it was loaded.
void check_goldens(const std::string& name, const Result<Tokenizer>& loaded, const std::string& source) {
  std::string text = testing::read_gz(std::string(ONYX_TOK_TEST_DIR) + "/goldens/" + name + ".jsonl.gz");
  ASSERT_FALSE(text.empty()) << "no goldens for " << name << "; run node scripts/tokenizers/make_goldens.js";
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  const auto& texts = corpus();
  ASSERT_EQ(texts.size(), 872u + 340u);

  std::map<std::string, Tokenizer> tokenizers;
  std::map<std::string, std::pair<size_t, size_t>> score;  // config -> (matched, total)
  std::vector<json> left_pad_batch;
  const std::map<size_t, KnownMismatch> known = known_mismatches(name);
  std::set<size_t> seen_known;  // listed records that still mismatch
  int shown = 0;
  auto report = [&](const std::string& c, const json& r, const std::string& what) {
    if (shown++ < 8) {
      ADD_FAILURE() << name << " [" << c << "] record " << r["line"] << ", text #" << r["i"] << (r.contains("j") ? " + pair #" : "")
                    << (r.contains("j") ? r["j"].dump() : "") << ": " << what << "\n  text: " << json(texts[r["i"].get<size_t>()]).dump();
    }
  };
  // Counts a mismatch: known (listed) or a failure.
  auto mismatch = [&](const std::string& c, const json& r, const std::string& what) {
    auto it = known.find(r["line"].get<size_t>());
    if (it == known.end()) return report(c, r, what);
    if (it->second.config != c) ADD_FAILURE() << name << " known mismatch record " << it->first << " is config " << c << ", listed as " << it->second.config;
    seen_known.insert(it->first);
  };
  auto check = [&](const std::string& c, json r, const Result<Encoding>& got, const Tokenizer& tok) {
    auto& [ok, total] = score[c];
    ++total;
    if (r.contains("err")) {
      if (!got.ok()) {
        ++ok;
      } else {
        mismatch(c, r, "reference refused this input, onyx did not");
      }
      return;
    }
    if (!got.ok()) {
      mismatch(c, r, "onyx error: " + got.status().to_string());
      return;
    }
    expand(r, tok.padding());
    std::string d = compare(r, *got);
    if (r.contains("dec")) {
      auto dec = tok.decode(got->ids, true);
      auto decs = tok.decode(got->ids, false);
      if (!dec.ok() || *dec != r["dec"].get<std::string>()) d += " decode(skip_special=true): " + json(dec.ok() ? *dec : "error").dump() + " vs " + r["dec"].dump();
      if (!decs.ok() || *decs != r["decs"].get<std::string>()) d += " decode(skip_special=false): " + json(decs.ok() ? *decs : "error").dump() + " vs " + r["decs"].dump();
    }
    if (d.empty()) {
      ++ok;
    } else {
      mismatch(c, r, d + "\n  onyx: " + show(*got) + "\n  rust: " + json({{"ids", r["ids"]}, {"offs", r["offs"]}, {"toks", r.value("toks", json())}}).dump());
    }
  };
  auto flush_batch = [&]() {
    if (left_pad_batch.empty()) return;
    const Tokenizer& tok = tokenizers.at("left_pad");
    std::vector<std::string> batch;
    for (const auto& r : left_pad_batch) batch.push_back(texts[r["i"].get<size_t>()]);
    auto got = tok.encode_batch(std::span<const std::string>(batch), EncodeOptions{}, 2);
    for (size_t k = 0; k < left_pad_batch.size(); ++k) {
      Result<Encoding> one = got.ok() ? Result<Encoding>(got->at(k)) : Result<Encoding>(got.status());
      check("left_pad", left_pad_batch[k], one, tok);
    }
    left_pad_batch.clear();
  };

  std::istringstream lines(text);
  std::string line;
  int64_t batch_id = -1;
  size_t line_no = 0;
  while (std::getline(lines, line)) {
    json r = json::parse(line);
    r["line"] = line_no++;
    const std::string c = r["c"];
    if (!tokenizers.count(c)) tokenizers.emplace(c, configure(*loaded, c));
    const Tokenizer& tok = tokenizers.at(c);
    if (c == "left_pad") {
      if (r["b"].get<int64_t>() != batch_id) flush_batch();
      batch_id = r["b"].get<int64_t>();
      left_pad_batch.push_back(r);
      continue;
    }
    flush_batch();
    EncodeOptions opts;
    opts.add_special_tokens = c != "no_special";
    const std::string& a = texts[r["i"].get<size_t>()];
    Result<Encoding> got = r.contains("j") ? tok.encode_pair(a, texts[r["j"].get<size_t>()], opts) : tok.encode(a, opts);
    check(c, r, got, tok);
  }
  flush_batch();
  size_t all_ok = 0, all = 0;
  std::ostringstream summary;
  for (const auto& [c, s] : score) {
    summary << " " << c << " " << s.first << "/" << s.second;
    all_ok += s.first;
    all += s.second;
  }
  for (const auto& [record, k] : known) {
    if (!seen_known.count(record)) {
      ADD_FAILURE() << name << " record " << record << " (" << k.config << ") is listed in known_mismatches.txt but "
                    << (record < line_no ? "now matches: remove it from the list" : "does not exist");
    }
  }
  std::printf("[golden] %s%s: %zu/%zu records match the Rust reference, %zu known mismatches listed (%s )\n",
              name.c_str(), source.c_str(), all_ok, all, seen_known.size(), summary.str().c_str());
  EXPECT_EQ(all_ok + seen_known.size(), all) << name << source << " unlisted mismatches; per config:" << summary.str();
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesRustReference) {
  check_goldens(GetParam(), Tokenizer::from_directory(testing::tokenizer_dir(GetParam())), "");
}

// The SentencePiece .model of barthez, converted by onyx, against the goldens of the tokenizer.json
// shipped beside it: the two paths must agree.
TEST(GoldenSentencePiece, BarthezModelFileMatchesRustReference) {
  const std::string name = "barthez-sentencepiece";
  auto json = Tokenizer::convert_sentencepiece_model(testing::tokenizer_dir(name) + "/sentencepiece.bpe.model");
  ASSERT_TRUE(json.ok()) << json.status().to_string();
  check_goldens(name, Tokenizer::from_json(*json), " (sentencepiece.bpe.model)");
}

INSTANTIATE_TEST_SUITE_P(AllTokenizers, GoldenTest, ::testing::ValuesIn(testing::tokenizer_names()),
                         [](const auto& info) { return testing::test_name(info.param); });

}  // namespace
}  // namespace onyx::tok
