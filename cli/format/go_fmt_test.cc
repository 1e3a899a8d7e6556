#include "cli/format/go_fmt.h"

#include <gtest/gtest.h>

namespace strata::format {
namespace {

std::string F(std::string_view format, std::vector<Json> args) { return GoSprintf(format, args); }

TEST(GoSprintfTest, Strings) {
  EXPECT_EQ(F("%s-%v", {"a", "b"}), "a-b");
  EXPECT_EQ(F("[%6s][%-6s][%.2s]", {"abc", "abc", "abc"}), "[   abc][abc   ][ab]");
  EXPECT_EQ(F("%q", {"a\"b\n"}), R"("a\"b\n")");
  EXPECT_EQ(F("%x %X % x", {"hi", "hi", "hi"}), "6869 6869 68 69");
  EXPECT_EQ(F("%5s|", {"é"}), "    é|");  // width counts runes
}

TEST(GoSprintfTest, Integers) {
  EXPECT_EQ(F("%d %v", {42, -7}), "42 -7");
  EXPECT_EQ(F("%5d|%-5d|%05d|%+d", {42, 42, -42, 3}), "   42|42   |-0042|+3");
  EXPECT_EQ(F("%x %X %#x %o %b", {255, 255, 255, 8, 5}), "ff FF 0xff 10 101");
  EXPECT_EQ(F("%c %q %U", {65, 65, 0x1F600}), "A 'A' U+1F600");
  EXPECT_EQ(F("%.3d", {7}), "007");
}

TEST(GoSprintfTest, Floats) {
  EXPECT_EQ(F("%v %g", {1.5, 1e6}), "1.5 1e+06");
  EXPECT_EQ(F("%f %.2f %8.3f", {3.14159, 3.14159, 3.14159}), "3.141590 3.14    3.142");
  EXPECT_EQ(F("%e %.1e", {1234.5, 1234.5}), "1.234500e+03 1.2e+03");
}

TEST(GoSprintfTest, BoolsNilAndComposites) {
  EXPECT_EQ(F("%t %v", {true, false}), "true false");
  EXPECT_EQ(F("%v", {nullptr}), "<nil>");
  EXPECT_EQ(F("%v %s", {Json::parse(R"(["a","b"])"), Json::parse(R"(["a","b"])")}), "[a b] [a b]");
  EXPECT_EQ(F("%d", {Json::parse("[1,2]")}), "[1 2]");
  EXPECT_EQ(F("%v", {Json::parse(R"({"b":2,"a":1})")}), "map[a:1 b:2]");
  EXPECT_EQ(F("%q", {Json::parse(R"(["x"])")}), R"(["x"])");
}

TEST(GoSprintfTest, WidthFromArgument) {
  EXPECT_EQ(F("[%*d]", {4, 7}), "[   7]");
  EXPECT_EQ(F("[%-*d]", {4, 7}), "[7   ]");
}

TEST(GoSprintfTest, ErrorsAreInline) {
  EXPECT_EQ(F("%d", {"foo"}), "%!d(string=foo)");
  EXPECT_EQ(F("%s", {5}), "%!s(int=5)");
  EXPECT_EQ(F("%t", {1.5}), "%!t(float64=1.5)");
  EXPECT_EQ(F("%s", {nullptr}), "%!s(<nil>)");
  EXPECT_EQ(F("%d %d", {1}), "1 %!d(MISSING)");
  EXPECT_EQ(F("%d", {1, "x", 2}), "1%!(EXTRA string=x, int=2)");
  EXPECT_EQ(F("abc%", {}), "abc%!(NOVERB)");
  EXPECT_EQ(F("100%%", {}), "100%");
}

TEST(GoSprintTest, SpacesOnlyBetweenNonStrings) {
  EXPECT_EQ(GoSprint({"a", "b"}), "ab");
  EXPECT_EQ(GoSprint({1, 2}), "1 2");
  EXPECT_EQ(GoSprint({"a", 1, 2, "b"}), "a1 2b");
  EXPECT_EQ(GoSprintln({"a", 1, "b"}), "a 1 b\n");
  EXPECT_EQ(GoSprintln({}), "\n");
}

TEST(GoQuoteTest, EscapesLikeStrconvQuote) {
  EXPECT_EQ(GoQuote("plain"), "\"plain\"");
  EXPECT_EQ(GoQuote("tab\t\\"), R"("tab\t\\")");
  EXPECT_EQ(GoQuote("\x01\x7f"), R"("\x01\x7f")");
  EXPECT_EQ(GoQuote("h\xc3\xa9"), "\"h\xc3\xa9\"");
  EXPECT_EQ(GoQuote("\xff"), R"("\xff")");
}

}  // namespace
}  // namespace strata::format
