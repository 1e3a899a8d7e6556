#include "dockerfile/line_parsers.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

using V = std::vector<std::string>;

TEST(ParseWordsTest, KeepsQuotesAndEscapes) {
  EXPECT_EQ(ParseWords("foo", '\\'), V{"foo"});
  EXPECT_EQ(ParseWords("foo bar", '\\'), (V{"foo", "bar"}));
  EXPECT_EQ(ParseWords("foo\\ bar", '\\'), V{"foo\\ bar"});
  EXPECT_EQ(ParseWords("foo=bar", '\\'), V{"foo=bar"});
  EXPECT_EQ(ParseWords("foo bar 'abc xyz'", '\\'), (V{"foo", "bar", "'abc xyz'"}));
  EXPECT_EQ(ParseWords("foo bar \"abc xyz\"", '\\'), (V{"foo", "bar", "\"abc xyz\""}));
  EXPECT_EQ(ParseWords("\xc3\xa0\xc3\xb6\xc3\xbb", '\\'), V{"\xc3\xa0\xc3\xb6\xc3\xbb"});
  EXPECT_EQ(ParseWords("a=\"\"", '\\'), V{"a=\"\""});
  EXPECT_EQ(ParseWords("a`  b", '`'), (V{"a` ", "b"}));
}

TEST(SplitCommandTest, FlagsQuotesAndDoubleDash) {
  SplitCommandResult s = SplitCommand("  COPY --chown=\"a b\" --x -- --y /d  ", '\\');
  EXPECT_EQ(s.command, "COPY");
  EXPECT_EQ(s.flags, (V{"--chown=a b", "--x"}));
  EXPECT_EQ(s.args, "--y /d");
  s = SplitCommand("RUN --a", '\\');
  EXPECT_EQ(s.flags, V{"--a"});
  EXPECT_EQ(s.args, "");
  s = SplitCommand("RUN -x --a", '\\');
  EXPECT_TRUE(s.flags.empty());
  EXPECT_EQ(s.args, "-x --a");
  s = SplitCommand("RUN", '\\');
  EXPECT_EQ(s.command, "RUN");
  EXPECT_TRUE(s.flags.empty());
}

TEST(SplitCommandTest, NonAsciiFlagBytesAreWidenedLikeBuildKit) {
  // BuildKit writes each byte of a flag as a rune: é (C3 A9) becomes "Ã©".
  SplitCommandResult s = SplitCommand("COPY --from=\xc3\xa9 a b", '\\');
  EXPECT_EQ(s.flags, V{"--from=\xc3\x83\xc2\xa9"});
}

TEST(ParseInstructionLineTest, DispatchesByInstruction) {
  Result<Instruction> i = ParseInstructionLine("EXPOSE 80/tcp  443", '\\');
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->args, (V{"80/tcp", "443"}));
  i = ParseInstructionLine("ARG A=1 B \"C=x y\"", '\\');
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->args, (V{"A=1", "B", "\"C=x y\""}));
  i = ParseInstructionLine("VOLUME [\"/a\", \"/b\"]", '\\');
  ASSERT_TRUE(i.ok());
  EXPECT_TRUE(i->json);
  EXPECT_EQ(i->args, (V{"/a", "/b"}));
  i = ParseInstructionLine("WORKDIR  /app dir ", '\\');
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->args, V{"/app dir"});
  i = ParseInstructionLine("SHELL [\"pwsh\", \"-c\"]", '\\');
  ASSERT_TRUE(i.ok());
  EXPECT_EQ(i->args, (V{"pwsh", "-c"}));
  i = ParseInstructionLine("STOPSIGNAL", '\\');
  ASSERT_TRUE(i.ok());
  EXPECT_TRUE(i->args.empty());
}

TEST(ParseInstructionLineTest, EnvErrors) {
  Result<Instruction> i = ParseInstructionLine("ENV PATH", '\\');
  ASSERT_FALSE(i.ok());
  EXPECT_NE(i.status().message().find("ENV must have two arguments"), std::string::npos);
  i = ParseInstructionLine("LABEL a=1 b", '\\');
  ASSERT_FALSE(i.ok());
  EXPECT_NE(i.status().message().find("can't find = in \"b\""), std::string::npos);
  i = ParseInstructionLine("ENV", '\\');
  ASSERT_TRUE(i.ok());
  EXPECT_TRUE(i->args.empty());
}

}  // namespace
}  // namespace strata::dockerfile
