#include "dockerfile/directives.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

TEST(DirectiveParserTest, RecognisesKnownDirectivesWithSpacing) {
  DirectiveParser p;
  Result<std::optional<Directive>> d = p.ParseLine("# SYNTAX = docker/dockerfile:1  ", 1);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->has_value());
  EXPECT_EQ((*d)->name, "syntax");
  EXPECT_EQ((*d)->value, "docker/dockerfile:1");
  EXPECT_EQ((*d)->line, 1);
  d = p.ParseLine("#escape=`", 2);
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->value, "`");
  EXPECT_FALSE(p.done());
}

TEST(DirectiveParserTest, AnyOtherLineEndsTheBlock) {
  for (std::string_view first : {"", "FROM a", "# just a comment", "# unknown=1", "#", "# escape="}) {
    DirectiveParser p;
    Result<std::optional<Directive>> d = p.ParseLine(first, 1);
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->has_value()) << first;
    EXPECT_TRUE(p.done()) << first;
    d = p.ParseLine("# escape=`", 2);
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->has_value()) << first;
  }
}

TEST(DirectiveParserTest, RepeatedDirectiveIsAnError) {
  DirectiveParser p;
  ASSERT_TRUE(p.ParseLine("# check=skip=all", 1).ok());
  Result<std::optional<Directive>> d = p.ParseLine("# check=error=true", 2);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("only one check parser directive"), std::string::npos);
}

TEST(DirectiveParserTest, EscapeTokenMustBeBackslashOrBacktick) {
  EXPECT_EQ(*EscapeTokenFromDirective("\\"), '\\');
  EXPECT_EQ(*EscapeTokenFromDirective("`"), '`');
  EXPECT_FALSE(EscapeTokenFromDirective("x").ok());
  EXPECT_FALSE(EscapeTokenFromDirective("``").ok());
}

}  // namespace
}  // namespace strata::dockerfile
