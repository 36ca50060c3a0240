// Invalid UTF-8 input: encode returns InvalidArgument naming the byte offset; never UB.
#include <gtest/gtest.h>

#include "onyx/tokenizer.h"

namespace onyx::tok {
namespace {

Tokenizer tiny() {
  auto t = Tokenizer::from_json(R"({"model": {"type": "WordPiece", "unk_token": "[UNK]",
      "vocab": {"[UNK]": 0, "a": 1}}, "pre_tokenizer": {"type": "WhitespaceSplit"}})");
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return std::move(t).value();
}

TEST(InvalidUtf8, EncodeReturnsInvalidArgument) {
  Tokenizer t = tiny();
  const std::string cases[] = {
      std::string("\xff"),                 // never valid
      std::string("a\x80"),                // lone continuation
      std::string("\xc3"),                 // truncated 2-byte
      std::string("\xe2\x82"),             // truncated 3-byte
      std::string("\xc0\xaf"),             // overlong '/'
      std::string("\xe0\x80\xaf"),         // overlong 3-byte
      std::string("\xed\xa0\x80"),         // UTF-16 surrogate
      std::string("\xf4\x90\x80\x80"),     // above U+10FFFF
      std::string("\xf8\x88\x80\x80\x80"),  // 5-byte form
      std::string("ok \xfe ok"),
  };
  for (const auto& s : cases) {
    auto r = t.encode(s);
    ASSERT_FALSE(r.ok()) << "accepted invalid UTF-8";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("UTF-8"), std::string::npos);
  }
  auto pair = t.encode_pair("a", std::string("\xff"));
  EXPECT_FALSE(pair.ok());
  std::vector<std::string> batch = {"a", std::string("\xc3")};
  auto b = t.encode_batch(std::span<const std::string>(batch));
  EXPECT_FALSE(b.ok());
}

TEST(InvalidUtf8, ErrorNamesOffset) {
  auto r = tiny().encode(std::string("abc\xff"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("offset 3"), std::string::npos) << r.status().message();
}

TEST(InvalidUtf8, ValidEdgeCasesAccepted) {
  Tokenizer t = tiny();
  for (const std::string& s : std::vector<std::string>{"", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd", "\xed\x9f\xbf", std::string("a\0a", 3)}) {
    EXPECT_TRUE(t.encode(s).ok()) << "rejected valid UTF-8";
  }
}

}  // namespace
}  // namespace onyx::tok
