#include "dockerfile/json_array.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

using Strings = std::vector<std::string>;

JsonArrayKind Parse(std::string_view text, Strings* out) { return ParseJsonStringArray(text, out); }

TEST(JsonArrayTest, StringArrays) {
  Strings out;
  ASSERT_EQ(Parse("  [ \"a\" ,\t\"b c\" ]  ", &out), JsonArrayKind::kStringArray);
  EXPECT_EQ(out, (Strings{"a", "b c"}));
  ASSERT_EQ(Parse("[]", &out), JsonArrayKind::kStringArray);
  EXPECT_TRUE(out.empty());
}

TEST(JsonArrayTest, DecodesEscapesLikeGo) {
  Strings out;
  ASSERT_EQ(Parse(R"(["\" \\ \/ \b \f \n \r \t \u0000 \u00e9 \ud83d\ude00 \ud800"])", &out),
            JsonArrayKind::kStringArray);
  EXPECT_EQ(out[0], std::string("\" \\ / \b \f \n \r \t ", 16) + std::string(1, '\0') +
                        " \xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd");
  ASSERT_EQ(Parse("[\"\xff\"]", &out), JsonArrayKind::kStringArray);
  EXPECT_EQ(out[0], "\xef\xbf\xbd");
}

TEST(JsonArrayTest, InvalidJsonFallsBackToShellForm) {
  Strings out;
  for (std::string_view text : {"", "echo", "[", "[\"a\"", "['a']", "[\"a\",]", "[\"a\"] x", "[\"\\x\"]",
                                "[\"a\tb\"]", "[01]", "[1.]", "[tru]", "{\"a\":1}", "[1e400]"}) {
    EXPECT_EQ(Parse(text, &out), JsonArrayKind::kNotJsonArray) << text;
  }
}

TEST(JsonArrayTest, NonStringElementsAreAnError) {
  Strings out;
  for (std::string_view text : {"[1]", "[\"a\", null]", "[\"a\", [\"b\"]]", "[{\"k\": [true, -1.5e3]}]"}) {
    EXPECT_EQ(Parse(text, &out), JsonArrayKind::kNotStringArray) << text;
  }
}

TEST(JsonArrayTest, NestingLimitMatchesGo) {
  Strings out;
  std::string ok = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_EQ(Parse(ok, &out), JsonArrayKind::kNotStringArray);
  std::string deep = std::string(10001, '[') + std::string(10001, ']');
  EXPECT_EQ(Parse(deep, &out), JsonArrayKind::kNotJsonArray);
}

}  // namespace
}  // namespace strata::dockerfile
