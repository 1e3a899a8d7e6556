#include "dockerfile/dockerignore.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

DockerIgnore MustParse(std::string_view content) {
  Result<DockerIgnore> r = DockerIgnore::Parse(content);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : DockerIgnore();
}

// The example from Docker's build-context documentation.
TEST(DockerIgnoreTest, DocumentationExample) {
  DockerIgnore ignore = MustParse("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
  EXPECT_EQ(ignore.patterns(), (std::vector<std::string>{"*/temp*", "*/*/temp*", "temp?"}));
  EXPECT_TRUE(ignore.Excluded("somedir/temporary.txt"));
  EXPECT_TRUE(ignore.Excluded("somedir/temp"));
  EXPECT_TRUE(ignore.Excluded("somedir/temp/inside.txt"));  // parent directory matched
  EXPECT_TRUE(ignore.Excluded("somedir/subdir/temporary.txt"));
  EXPECT_TRUE(ignore.Excluded("tempa"));
  EXPECT_TRUE(ignore.Excluded("tempb"));
  EXPECT_FALSE(ignore.Excluded("temp.txt"));
  EXPECT_FALSE(ignore.Excluded("tempab"));
  EXPECT_FALSE(ignore.Excluded("a/b/c/temporary.txt"));
  EXPECT_FALSE(ignore.Excluded("# comment"));
}

TEST(DockerIgnoreTest, DoubleStarMatchesAnyNumberOfDirectories) {
  DockerIgnore ignore = MustParse("**/*.go\n");
  EXPECT_TRUE(ignore.Excluded("main.go"));
  EXPECT_TRUE(ignore.Excluded("a/b/c/x.go"));
  EXPECT_FALSE(ignore.Excluded("a/b/c/x.gox"));

  DockerIgnore suffix = MustParse("**/node_modules\n");
  EXPECT_TRUE(suffix.Excluded("node_modules"));
  EXPECT_TRUE(suffix.Excluded("web/app/node_modules/left-pad/index.js"));
  EXPECT_FALSE(suffix.Excluded("my_node_modules"));

  DockerIgnore prefix = MustParse("build/**\n");
  EXPECT_TRUE(prefix.Excluded("build/out/a.o"));
  EXPECT_FALSE(prefix.Excluded("builder"));

  DockerIgnore middle = MustParse("a/**/z\n");
  EXPECT_TRUE(middle.Excluded("a/z"));
  EXPECT_TRUE(middle.Excluded("a/b/c/z"));
  EXPECT_FALSE(middle.Excluded("a/bz"));
}

TEST(DockerIgnoreTest, ExceptionsAndLastMatchWins) {
  DockerIgnore readme = MustParse("*.md\n!README.md\n");
  EXPECT_TRUE(readme.Excluded("CHANGES.md"));
  EXPECT_FALSE(readme.Excluded("README.md"));

  // No markdown except README files other than README-secret.md.
  DockerIgnore secret_last = MustParse("*.md\n!README*.md\nREADME-secret.md\n");
  EXPECT_TRUE(secret_last.Excluded("CHANGES.md"));
  EXPECT_FALSE(secret_last.Excluded("README.md"));
  EXPECT_FALSE(secret_last.Excluded("README-public.md"));
  EXPECT_TRUE(secret_last.Excluded("README-secret.md"));

  // All README files included: the exception comes last.
  DockerIgnore secret_first = MustParse("*.md\nREADME-secret.md\n!README*.md\n");
  EXPECT_FALSE(secret_first.Excluded("README-secret.md"));
  EXPECT_TRUE(secret_first.Excluded("CHANGES.md"));
}

TEST(DockerIgnoreTest, ExcludedDirectoryAndReincludedChild) {
  DockerIgnore ignore = MustParse("docs\n!docs/keep.txt\n");
  EXPECT_TRUE(ignore.Excluded("docs"));
  EXPECT_TRUE(ignore.Excluded("docs/other.txt"));
  EXPECT_FALSE(ignore.Excluded("docs/keep.txt"));
  EXPECT_TRUE(ignore.MayHaveExceptionsUnder("docs"));
  EXPECT_FALSE(ignore.MayHaveExceptionsUnder("src"));

  DockerIgnore no_exceptions = MustParse("docs\n");
  EXPECT_FALSE(no_exceptions.MayHaveExceptionsUnder("docs"));

  // A wildcard in an exception means any directory may hold a match.
  DockerIgnore wild = MustParse("*\n!**/*.keep\n");
  EXPECT_TRUE(wild.MayHaveExceptionsUnder("anything"));
  EXPECT_FALSE(wild.Excluded("a/b/c.keep"));
  EXPECT_TRUE(wild.Excluded("a/b/c.txt"));

  // "dir/*" and "dir/**" exceptions count as their directory.
  DockerIgnore trailing = MustParse("*\n!vendor/**\n");
  EXPECT_TRUE(trailing.MayHaveExceptionsUnder("vendor"));
  EXPECT_FALSE(trailing.MayHaveExceptionsUnder("other"));
}

TEST(DockerIgnoreTest, LinesAreTrimmedAndCleaned) {
  DockerIgnore ignore = MustParse(
      "\xEF\xBB\xBF/abs\r\n  ./dot/x  \n\n a//b/../c \n  # not a comment\n!  /keep\n");
  EXPECT_EQ(ignore.patterns(),
            (std::vector<std::string>{"abs", "dot/x", "a/c", "# not a comment", "!keep"}));
  EXPECT_TRUE(ignore.Excluded("abs"));
  EXPECT_TRUE(ignore.Excluded("./dot/x"));
  EXPECT_TRUE(ignore.Excluded("a/c/d"));
  EXPECT_TRUE(ignore.Excluded("# not a comment"));
  EXPECT_FALSE(ignore.Excluded("keep"));
  EXPECT_FALSE(ignore.Excluded("."));
  EXPECT_FALSE(ignore.Excluded(""));
}

TEST(DockerIgnoreTest, CharacterClassesAndEscapes) {
  DockerIgnore ignore = MustParse("[a-c]?.log\n[^x]z\nlit\\*\nq\\?\n");
  EXPECT_TRUE(ignore.Excluded("b1.log"));
  EXPECT_FALSE(ignore.Excluded("d1.log"));
  EXPECT_TRUE(ignore.Excluded("yz"));
  EXPECT_FALSE(ignore.Excluded("xz"));
  EXPECT_TRUE(ignore.Excluded("lit*"));
  EXPECT_FALSE(ignore.Excluded("litx"));
  EXPECT_TRUE(ignore.Excluded("q?"));
  EXPECT_FALSE(ignore.Excluded("qq"));
}

TEST(DockerIgnoreTest, SingleStarStaysInOneDirectory) {
  DockerIgnore ignore = MustParse("*.txt\nsrc/*/gen\n");
  EXPECT_TRUE(ignore.Excluded("notes.txt"));
  EXPECT_FALSE(ignore.Excluded("docs/notes.txt"));
  EXPECT_TRUE(ignore.Excluded("src/a/gen/file.c"));
  EXPECT_FALSE(ignore.Excluded("src/a/b/gen"));
}

TEST(DockerIgnoreTest, MalformedPatternsNameTheLine) {
  Result<DockerIgnore> r = DockerIgnore::Parse("ok\n# c\n[abc\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("[abc"), std::string::npos);

  r = DockerIgnore::Parse("a\n!\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos);

  EXPECT_FALSE(DockerIgnore::Parse("trailing\\\n").ok());
  EXPECT_FALSE(DockerIgnore::Parse("[z-a]\n").ok());
  EXPECT_FALSE(DockerIgnore::Parse("[*]\n").ok());
}

TEST(DockerIgnoreTest, FromPatternsMatchesParse) {
  Result<DockerIgnore> r = DockerIgnore::FromPatterns({"*.md", "!README.md", "  "});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Excluded("x.md"));
  EXPECT_FALSE(r->Excluded("README.md"));
  EXPECT_FALSE(DockerIgnore().Excluded("anything"));
}

}  // namespace
}  // namespace strata::dockerfile
