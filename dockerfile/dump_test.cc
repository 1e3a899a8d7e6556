#include "dockerfile/dump.h"

#include <gtest/gtest.h>

#include "dockerfile/go_strings.h"

namespace strata::dockerfile {
namespace {

TEST(DumpTest, FlagsArgsAndOnbuild) {
  Instruction run;
  run.keyword = "run";
  run.flags = {"--mount=type=cache", "--network=none"};
  run.args = {"echo \"hi\" \\ there"};
  Instruction onbuild;
  onbuild.keyword = "onbuild";
  onbuild.onbuild = {run};
  Ast ast;
  ast.instructions = {run, onbuild};
  EXPECT_EQ(Dump(ast),
            "(run [\"--mount=type=cache\" \"--network=none\"] \"echo \\\"hi\\\" \\\\ there\")\n"
            "(onbuild (run [\"--mount=type=cache\" \"--network=none\"] \"echo \\\"hi\\\" \\\\ there\"))");
}

TEST(DumpTest, NoArgumentsAndEmptyArgument) {
  Instruction cmd;
  cmd.keyword = "cmd";
  EXPECT_EQ(DumpInstruction(cmd), "cmd");
  cmd.args = {""};
  EXPECT_EQ(DumpInstruction(cmd), "cmd \"\"");
  EXPECT_EQ(Dump(Ast{}), "");
}

TEST(DumpTest, QuotesLikeGoStrconvQuote) {
  EXPECT_EQ(go::Quote("a\tb\n\x01\x7f"), "\"a\\tb\\n\\x01\\x7f\"");
  EXPECT_EQ(go::Quote("\xe2\x99\xa5"), "\"\xe2\x99\xa5\"");  // printable: kept
  EXPECT_EQ(go::Quote("\xff"), "\"\\xff\"");                  // invalid UTF-8
  EXPECT_EQ(go::Quote("\xc2\xa0"), "\"\\u00a0\"");            // no-break space
  EXPECT_EQ(go::Quote("\xef\xbb\xbf"), "\"\\ufeff\"");
  EXPECT_EQ(go::Quote(std::string_view("\0", 1)), "\"\\x00\"");
}

TEST(DumpTest, GoTrimSpaceAndToLower) {
  EXPECT_EQ(go::TrimSpace(" \t\xc2\x85x y\xc2\xa0\r\n"), "x y");
  EXPECT_EQ(go::TrimSpace("\xff "), "\xff");
  EXPECT_EQ(go::ToLower("RuN"), "run");
  EXPECT_EQ(go::ToLower("HEALTHCHEC\xe2\x84\xaa"), "healthcheck");  // Kelvin sign
}

}  // namespace
}  // namespace strata::dockerfile
