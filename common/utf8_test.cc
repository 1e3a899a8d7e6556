#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace strata {
namespace {

struct Decoded {
  char32_t rune;
  size_t width;
};

void ExpectDecodes(std::string_view s, Decoded want) {
  DecodedRune got = DecodeRune(s);
  EXPECT_EQ(got.rune, want.rune) << "DecodeRune of " << testing::PrintToString(std::string(s));
  EXPECT_EQ(got.width, want.width) << "DecodeRune of " << testing::PrintToString(std::string(s));
}

// Go's utf8.DecodeRuneInString on the cases that tell decoders apart.
TEST(Utf8Test, DecodeRuneFollowsGo) {
  ExpectDecodes("", {kRuneError, 0});
  ExpectDecodes("a", {'a', 1});
  ExpectDecodes("\x7f", {0x7f, 1});
  ExpectDecodes("\xc3\xa9x", {0xe9, 2});               // é
  ExpectDecodes("\xe2\x82\xac", {0x20ac, 3});          // €
  ExpectDecodes("\xf0\x9f\x98\x80", {0x1f600, 4});     // 😀
  ExpectDecodes("\xf4\x8f\xbf\xbf", {0x10ffff, 4});    // the last code point
  ExpectDecodes("\xef\xbf\xbd", {kRuneError, 3});      // a real U+FFFD is 3 wide
  ExpectDecodes("\x80", {kRuneError, 1});              // a lone continuation byte
  ExpectDecodes("\xc0\x80", {kRuneError, 1});          // overlong NUL
  ExpectDecodes("\xc1\xbf", {kRuneError, 1});          // overlong
  ExpectDecodes("\xe0\x80\x80", {kRuneError, 1});      // overlong 3-byte
  ExpectDecodes("\xf0\x80\x80\x80", {kRuneError, 1});  // overlong 4-byte
  ExpectDecodes("\xed\xa0\x80", {kRuneError, 1});      // a surrogate (CESU-8)
  ExpectDecodes("\xf4\x90\x80\x80", {kRuneError, 1});  // above U+10FFFF
  ExpectDecodes("\xf5\x80\x80\x80", {kRuneError, 1});  // no such lead byte
  ExpectDecodes("\xff", {kRuneError, 1});
  ExpectDecodes("\xe2\x82", {kRuneError, 1});      // truncated
  ExpectDecodes("\xe2\x82x", {kRuneError, 1});     // broken by ASCII
  ExpectDecodes("\xf0\x9f\x98", {kRuneError, 1});  // truncated 4-byte
}

TEST(Utf8Test, DecodeLastRuneFollowsGo) {
  auto last = [](std::string_view s) {
    DecodedRune d = DecodeLastRune(s);
    return std::pair<char32_t, size_t>(d.rune, d.width);
  };
  using P = std::pair<char32_t, size_t>;
  EXPECT_EQ(last(""), P(kRuneError, 0));
  EXPECT_EQ(last("ab"), P('b', 1));
  EXPECT_EQ(last("x\xc3\xa9"), P(0xe9, 2));
  EXPECT_EQ(last("\xf0\x9f\x98\x80"), P(0x1f600, 4));
  EXPECT_EQ(last("\xe3\x80\x80"), P(0x3000, 3));  // ideographic space
  EXPECT_EQ(last("a\x80"), P(kRuneError, 1));     // a continuation after ASCII
  EXPECT_EQ(last("\xe2\x82"), P(kRuneError, 1));  // truncated at the end
  EXPECT_EQ(last("\x80\x80\x80\x80\x80"), P(kRuneError, 1));
  EXPECT_EQ(last("\xc3\xa9\xa9"), P(kRuneError, 1));  // one continuation too many
}

TEST(Utf8Test, AppendRuneEncodesAndReplacesInvalid) {
  std::string out;
  for (char32_t r : {char32_t{'a'}, char32_t{0xe9}, char32_t{0x20ac}, char32_t{0x1f600}}) {
    AppendRune(&out, r);
  }
  EXPECT_EQ(out, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  for (char32_t r : {char32_t{0xd800}, char32_t{0xdfff}, char32_t{0x110000}}) {
    std::string bad;
    AppendRune(&bad, r);
    EXPECT_EQ(bad, "\xef\xbf\xbd") << static_cast<uint32_t>(r);
  }
}

TEST(Utf8Test, RuneCountCountsEachInvalidByte) {
  EXPECT_EQ(RuneCount(""), 0u);
  EXPECT_EQ(RuneCount("F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny"), 13u);  // Főtanúsítvány
  EXPECT_EQ(RuneCount("\xe2\x82"), 2u) << "a truncated sequence is one rune per byte";
  EXPECT_EQ(RuneCount("\xed\xa0\x80"), 3u) << "a surrogate is three invalid bytes";
  EXPECT_EQ(RuneCount("a\xff"
                      "b"),
            3u);
}

// Every rune round-trips: decoding what AppendRune wrote gives it back, at
// the width it was written with.
TEST(Utf8Test, RoundTripsEveryScalarValue) {
  for (char32_t r = 0; r <= 0x10ffff; ++r) {
    if (r >= 0xd800 && r <= 0xdfff) continue;
    std::string s;
    AppendRune(&s, r);
    DecodedRune d = DecodeRune(s);
    ASSERT_EQ(d.rune, r);
    ASSERT_EQ(d.width, s.size());
    DecodedRune l = DecodeLastRune("x" + s);
    ASSERT_EQ(l.rune, r);
  }
}

}  // namespace
}  // namespace strata
