#include "dockerfile/parser.h"

#include <gtest/gtest.h>

#include "dockerfile/dump.h"
#include "dockerfile/line_parsers.h"

namespace strata::dockerfile {
namespace {

Ast MustParse(std::string_view content) {
  Result<Ast> ast = Parse(content);
  EXPECT_TRUE(ast.ok()) << ast.status().ToString();
  return ast.ok() ? std::move(ast).value() : Ast{};
}

std::string DumpOf(std::string_view content) { return Dump(MustParse(content)); }

TEST(ParserTest, InstructionNamesInAnyCase) {
  Ast ast = MustParse("from alpine\nRuN echo hi\nCoPy a b\n");
  ASSERT_EQ(ast.instructions.size(), 3u);
  EXPECT_EQ(ast.instructions[0].keyword, "from");
  EXPECT_EQ(ast.instructions[1].keyword, "run");
  EXPECT_EQ(ast.instructions[2].keyword, "copy");
  EXPECT_EQ(Dump(ast), "(from \"alpine\")\n(run \"echo hi\")\n(copy \"a\" \"b\")");
}

TEST(ParserTest, RecordsLineNumbersOriginalAndComments) {
  Ast ast = MustParse("# base image\nFROM alpine\n\n# build\n# it\nRUN a \\\n  b\n");
  ASSERT_EQ(ast.instructions.size(), 2u);
  EXPECT_EQ(ast.instructions[0].start_line, 2);
  EXPECT_EQ(ast.instructions[0].end_line, 2);
  EXPECT_EQ(ast.instructions[0].comments, std::vector<std::string>{"base image"});
  EXPECT_EQ(ast.instructions[1].start_line, 6);
  EXPECT_EQ(ast.instructions[1].end_line, 7);
  EXPECT_EQ(ast.instructions[1].original, "RUN a   b");
  EXPECT_EQ(ast.instructions[1].comments, (std::vector<std::string>{"build", "it"}));
}

TEST(ParserTest, DirectivesOnlyAtTheTop) {
  Ast ast = MustParse("# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM a\n");
  ASSERT_EQ(ast.directives.size(), 3u);
  EXPECT_EQ(ast.directives[0].name, "syntax");
  EXPECT_EQ(ast.directives[0].value, "docker/dockerfile:1");
  EXPECT_EQ(ast.directives[1].line, 2);
  EXPECT_EQ(ast.directives[2].value, "skip=all");
  EXPECT_EQ(ast.escape, '`');
  EXPECT_TRUE(ast.instructions[0].comments.empty());

  // After a blank line, a comment or an instruction they are plain comments.
  for (std::string_view df : {"\n# escape=`\nFROM a\n", "# hello\n# escape=`\nFROM a\n",
                              "FROM a\n# escape=`\nRUN b\n"}) {
    Ast late = MustParse(df);
    EXPECT_TRUE(late.directives.empty()) << df;
    EXPECT_EQ(late.escape, '\\') << df;
  }
}

TEST(ParserTest, RejectsRepeatedOrInvalidDirectives) {
  Result<Ast> twice = Parse("# escape=`\n# escape=\\\nFROM a\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("line 2: only one escape parser directive"), std::string::npos)
      << twice.status().message();
  Result<Ast> bad = Parse("# escape=x\nFROM a\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid escape token 'x'"), std::string::npos);
}

TEST(ParserTest, BacktickEscapeContinuesLines) {
  Ast ast = MustParse("# escape=`\nFROM a\nRUN dir c:\\ `\n  && echo\nCOPY c:\\x d\n");
  EXPECT_EQ(Dump(ast), "(from \"a\")\n(run \"dir c:\\\\   && echo\")\n(copy \"c:\\\\x\" \"d\")");
}

TEST(ParserTest, CrlfLineEndings) {
  Ast ast = MustParse("FROM a\r\nRUN echo \\\r\n  hi\r\nCMD [\"x\"]\r\n");
  EXPECT_EQ(Dump(ast), "(from \"a\")\n(run \"echo   hi\")\n(cmd \"x\")");
}

TEST(ParserTest, StripsByteOrderMark) {
  EXPECT_EQ(DumpOf("\xEF\xBB\xBF" "FROM a\n"), "(from \"a\")");
}

TEST(ParserTest, ContinuationSkipsCommentsAndWarnsOnEmptyLines) {
  Ast ast = MustParse("FROM a\nRUN one \\\n# note\n  two \\\n\n  three\nRUN x \\\n    # indented\n  y\n");
  ASSERT_EQ(ast.instructions.size(), 3u);
  EXPECT_EQ(ast.instructions[1].args, std::vector<std::string>{"one   two   three"});
  EXPECT_EQ(ast.instructions[2].args, std::vector<std::string>{"x   y"});
  ASSERT_EQ(ast.warnings.size(), 1u);
  EXPECT_EQ(ast.warnings[0], "Empty continuation line found in: RUN one   two   three");
}

TEST(ParserTest, ContinuationAtEndOfFile) {
  EXPECT_EQ(DumpOf("FROM a\nRUN x \\"), "(from \"a\")\n(run \"x\")");
}

TEST(ParserTest, EscapedEscapeDoesNotContinue) {
  EXPECT_EQ(DumpOf("FROM a\nENV C x\\\\\nENV D y\n"),
            "(from \"a\")\n(env \"C\" \"x\\\\\\\\\" \"\")\n(env \"D\" \"y\" \"\")");
}

TEST(ParserTest, JsonFormAndShellFallback) {
  Ast ast = MustParse("FROM a\nCMD [\"a\", \"b\"]\nCMD [\"a\", 'b']\nENTRYPOINT [\"x\"\nRUN []\n");
  EXPECT_TRUE(ast.instructions[1].json);
  EXPECT_EQ(ast.instructions[1].args, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(ast.instructions[2].json);
  EXPECT_EQ(ast.instructions[2].args, std::vector<std::string>{"[\"a\", 'b']"});
  EXPECT_FALSE(ast.instructions[3].json);
  EXPECT_TRUE(ast.instructions[4].json);
  EXPECT_TRUE(ast.instructions[4].args.empty());
}

TEST(ParserTest, JsonArrayWithNonStringIsAnError) {
  Result<Ast> ast = Parse("FROM a\nCMD [\"a\", 1]\n");
  ASSERT_FALSE(ast.ok());
  EXPECT_NE(ast.status().message().find("line 2: when using JSON array syntax"), std::string::npos);
}

TEST(ParserTest, FlagsComeOffTheFront) {
  Ast ast = MustParse(
      "FROM --platform=$BUILDPLATFORM golang AS build\n"
      "COPY --from=build --chown=1:1 /out /app\n"
      "RUN --mount=type=cache,target=/root/.cache --network=none go build\n"
      "COPY --link -- --weird /dst\n");
  EXPECT_EQ(ast.instructions[0].flags, std::vector<std::string>{"--platform=$BUILDPLATFORM"});
  EXPECT_EQ(ast.instructions[0].args, (std::vector<std::string>{"golang", "AS", "build"}));
  EXPECT_EQ(ast.instructions[1].flags, (std::vector<std::string>{"--from=build", "--chown=1:1"}));
  EXPECT_EQ(ast.instructions[2].flags,
            (std::vector<std::string>{"--mount=type=cache,target=/root/.cache", "--network=none"}));
  EXPECT_EQ(ast.instructions[2].args, std::vector<std::string>{"go build"});
  EXPECT_EQ(ast.instructions[3].flags, std::vector<std::string>{"--link"});
  EXPECT_EQ(ast.instructions[3].args, (std::vector<std::string>{"--weird", "/dst"}));
}

TEST(ParserTest, EnvAndLabelForms) {
  Ast ast = MustParse("FROM a\nENV A 1 2\nENV B=1 C=\"x y\"\nLABEL k=v\n");
  EXPECT_EQ(ast.instructions[1].args, (std::vector<std::string>{"A", "1 2", ""}));
  EXPECT_EQ(ast.instructions[2].args, (std::vector<std::string>{"B", "1", "=", "C", "\"x y\"", "="}));
  EXPECT_EQ(ast.instructions[3].args, (std::vector<std::string>{"k", "v", "="}));
}

TEST(ParserTest, EnvWithoutValueIsRejectedByParse) {
  for (std::string_view df : {"FROM a\nENV PATH\n", "FROM a\nLABEL key\n", "FROM a\nENV a=1 b\n"}) {
    Result<Ast> ast = Parse(df);
    ASSERT_FALSE(ast.ok()) << df;
    EXPECT_EQ(ast.status().message().rfind("line 2: ", 0), 0u) << ast.status().message();
  }
}

TEST(ParserTest, OnbuildNestsItsInstruction) {
  Ast ast = MustParse("FROM a\nONBUILD RUN make\nonbuild copy --from=x a b\nONBUILD\n");
  ASSERT_EQ(ast.instructions[1].onbuild.size(), 1u);
  EXPECT_EQ(ast.instructions[1].onbuild[0].keyword, "run");
  EXPECT_EQ(ast.instructions[1].onbuild[0].args, std::vector<std::string>{"make"});
  EXPECT_EQ(ast.instructions[2].onbuild[0].flags, std::vector<std::string>{"--from=x"});
  EXPECT_TRUE(ast.instructions[3].onbuild.empty());
  EXPECT_EQ(Dump(ast),
            "(from \"a\")\n(onbuild (run \"make\"))\n(onbuild (copy [\"--from=x\"] \"a\" \"b\"))\n(onbuild)");
}

TEST(ParserTest, OnbuildChainsAreCapped) {
  std::string df = "FROM a\n";
  for (int i = 0; i < kMaxOnbuildDepth + 1; ++i) df += "ONBUILD ";
  df += "RUN x\n";
  EXPECT_FALSE(Parse(df).ok());
}

TEST(ParserTest, HealthcheckForms) {
  EXPECT_EQ(DumpOf("FROM a\nHEALTHCHECK NONE\nHEALTHCHECK --interval=5s CMD [\"curl\", \"x\"]\n"),
            "(from \"a\")\n(healthcheck \"NONE\")\n(healthcheck [\"--interval=5s\"] \"CMD\" \"curl\" \"x\")");
}

TEST(ParserTest, MaintainerAndUnknownInstructions) {
  Ast ast = MustParse("FROM a\nMAINTAINER Jane <j@x>\nFROBNICATE the thing\n");
  EXPECT_EQ(ast.instructions[1].args, std::vector<std::string>{"Jane <j@x>"});
  EXPECT_EQ(ast.instructions[2].keyword, "frobnicate");
  EXPECT_EQ(ast.instructions[2].original, "FROBNICATE the thing");
  EXPECT_EQ(Dump(ast), "(from \"a\")\n(maintainer \"Jane <j@x>\")\n(frobnicate \"\")");
}

TEST(ParserTest, HeredocRun) {
  Ast ast = MustParse("FROM a\nRUN <<EOF\necho $HOME\necho two\nEOF\nRUN done\n");
  ASSERT_EQ(ast.instructions.size(), 3u);
  const Instruction& run = ast.instructions[1];
  EXPECT_EQ(run.args, std::vector<std::string>{"<<EOF"});
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_EQ(run.heredocs[0].content, "echo $HOME\necho two\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_EQ(run.start_line, 2);
  EXPECT_EQ(run.end_line, 5);
  EXPECT_EQ(ast.instructions[2].start_line, 6);
}

TEST(ParserTest, HeredocSeveralQuotedAndChomped) {
  Ast ast = MustParse(
      "FROM a\nCOPY <<A <<'B' /dst/\none\nA\ntwo $x\nB\nRUN <<-\"END\" 3<<X\n\tkeep tabs\n\tEND\nX\n");
  const Instruction& copy = ast.instructions[1];
  EXPECT_EQ(copy.args, (std::vector<std::string>{"<<A", "<<'B'", "/dst/"}));
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_EQ(copy.heredocs[0].content, "one\n");
  EXPECT_TRUE(copy.heredocs[0].expand);
  EXPECT_EQ(copy.heredocs[1].name, "B");
  EXPECT_EQ(copy.heredocs[1].content, "two $x\n");
  EXPECT_FALSE(copy.heredocs[1].expand);
  const Instruction& run = ast.instructions[2];
  ASSERT_EQ(run.heredocs.size(), 2u);
  EXPECT_TRUE(run.heredocs[0].chomp);
  EXPECT_FALSE(run.heredocs[0].expand);
  EXPECT_EQ(run.heredocs[0].content, "\tkeep tabs\n");
  EXPECT_EQ(run.heredocs[1].name, "X");
  EXPECT_EQ(run.heredocs[1].file_descriptor, 3u);
  EXPECT_EQ(run.heredocs[1].content, "");
}

TEST(ParserTest, HeredocsOnlyForRunCopyAddInShellForm) {
  Ast ast = MustParse("FROM a\nUSER <<INVALID\nINVALID\nRUN [\"<<EOF\"]\nRUN \"<<NOPE\"\n");
  ASSERT_EQ(ast.instructions.size(), 5u);  // USER's "body" line is its own instruction
  for (const Instruction& inst : ast.instructions) EXPECT_TRUE(inst.heredocs.empty());
  EXPECT_EQ(ast.instructions[2].keyword, "invalid");
}

TEST(ParserTest, HeredocUnderOnbuild) {
  Ast ast = MustParse("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n");
  ASSERT_EQ(ast.instructions.size(), 2u);
  ASSERT_EQ(ast.instructions[1].heredocs.size(), 1u);
  EXPECT_EQ(ast.instructions[1].heredocs[0].content, "x\n");
}

TEST(ParserTest, HeredocCrlfKeepsLineEndingsInContent) {
  Ast ast = MustParse("FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\n");
  ASSERT_EQ(ast.instructions[1].heredocs.size(), 1u);
  EXPECT_EQ(ast.instructions[1].heredocs[0].content, "x\r\n");
}

TEST(ParserTest, UnterminatedHeredocIsAnError) {
  Result<Ast> ast = Parse("FROM a\nRUN <<EOF\necho\n");
  ASSERT_FALSE(ast.ok());
  EXPECT_NE(ast.status().message().find("line 2: unterminated heredoc"), std::string::npos);
}

TEST(ParserTest, EmptyAndCommentOnlyFilesAreErrors) {
  for (std::string_view df : {"", "\n\n", "# a\n# b\n", "# syntax=x\n"}) {
    Result<Ast> ast = Parse(df);
    ASSERT_FALSE(ast.ok());
    EXPECT_NE(ast.status().message().find("file with no instructions"), std::string::npos);
  }
}

TEST(ParserTest, OverlongLineIsAnError) {
  std::string df = "FROM a\nLABEL x=" + std::string(70000, 'a') + "\n";
  Result<Ast> ast = Parse(df);
  ASSERT_FALSE(ast.ok());
  EXPECT_NE(ast.status().message().find("greater than max allowed size of 65535"), std::string::npos);
}

TEST(ParserTest, LargeFileParsesInLinearTime) {
  std::string df = "FROM alpine\n";
  for (int i = 0; i < 10000; ++i) df += "RUN echo " + std::to_string(i) + " && \\\n  true\n";
  Result<Ast> ast = Parse(df);
  ASSERT_TRUE(ast.ok());
  EXPECT_EQ(ast->instructions.size(), 10001u);
  EXPECT_EQ(ast->instructions.back().end_line, 20001);
}

}  // namespace
}  // namespace strata::dockerfile
