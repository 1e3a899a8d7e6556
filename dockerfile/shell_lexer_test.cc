#include "dockerfile/shell_lexer.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

std::string Expand(std::string_view word, const ShellEnv& env, char escape = '\\') {
  Result<std::string> r = ShellLexer(escape).ProcessWord(word, env);
  EXPECT_TRUE(r.ok()) << word << ": " << r.status().message();
  return r.ok() ? *r : "<error>";
}

std::string ErrorOf(std::string_view word, const ShellEnv& env) {
  Result<std::string> r = ShellLexer('\\').ProcessWord(word, env);
  EXPECT_FALSE(r.ok()) << word << " expanded to " << (r.ok() ? *r : "");
  return r.ok() ? "" : r.status().message();
}

TEST(ShellLexerTest, PlainWordIsUnchanged) {
  EXPECT_EQ(Expand("/usr/local/bin", {}), "/usr/local/bin");
  EXPECT_EQ(Expand("", {}), "");
}

TEST(ShellLexerTest, MandatoryVariables) {
  const std::string no_empty = "${VAR:?message here$ARG}";
  const std::string no_unset = "${VAR?message here$ARG}";
  ShellEnv set = {{"VAR", "plain"}, {"ARG", "x"}};
  ShellEnv empty = {{"VAR", ""}, {"ARG", "x"}};
  ShellEnv unset = {{"ARG", "x"}};
  EXPECT_EQ(Expand(no_empty, set), "plain");
  EXPECT_EQ(ErrorOf(no_empty, empty),
            "failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
  EXPECT_EQ(ErrorOf(no_empty, unset),
            "failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
  EXPECT_EQ(Expand(no_unset, set), "plain");
  EXPECT_EQ(Expand(no_unset, empty), "");
  EXPECT_EQ(ErrorOf(no_unset, unset),
            "failed to process \"${VAR?message here$ARG}\": VAR: message herex");
  EXPECT_EQ(ErrorOf("${X:?}", {}), "failed to process \"${X:?}\": X: is not allowed to be unset");
  EXPECT_EQ(ErrorOf("${X:?}", {{"X", ""}}),
            "failed to process \"${X:?}\": X: is not allowed to be empty");
}

TEST(ShellLexerTest, ErrorMessagesMatchBuildKit) {
  EXPECT_EQ(ErrorOf("${}", {}), "failed to process \"${}\": syntax error: bad substitution");
  EXPECT_EQ(ErrorOf("a${", {}), "failed to process \"a${\": syntax error: missing '}'");
  EXPECT_EQ(ErrorOf("${a:-b", {}), "failed to process \"${a:-b\": syntax error: missing '}'");
  EXPECT_EQ(ErrorOf("${a:=b}", {}),
            "failed to process \"${a:=b}\": unsupported modifier (:=) in substitution");
  EXPECT_EQ(ErrorOf("${a", {}),
            "failed to process \"${a\": unsupported modifier (\xEF\xBF\xBD) in substitution");
  EXPECT_EQ(ErrorOf("${a:#x}", {}),
            "failed to process \"${a:#x}\": unsupported modifier (:#) in substitution");
  EXPECT_EQ(ErrorOf("'ab", {}),
            "failed to process \"'ab\": unexpected end of statement while looking for "
            "matching single-quote");
  EXPECT_EQ(ErrorOf("\"ab", {}),
            "failed to process \"\\\"ab\": unexpected end of statement while looking for "
            "matching double-quote");
  EXPECT_EQ(ErrorOf("${a//x}", {}), "failed to process \"${a//x}\": syntax error: missing '/' in ${}");
  EXPECT_EQ(ErrorOf("${a#\\x}", {{"a", "x"}}),
            "failed to process \"${a#\\\\x}\": invalid pattern (\\x) in substitution: "
            "invalid escape '\\x'");
}

TEST(ShellLexerTest, DefaultsAndAlternatives) {
  ShellEnv env = {{"FOO", "xxx"}, {"BAR", ""}};
  EXPECT_EQ(Expand("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", env), "xxx  ccc");
  EXPECT_EQ(Expand("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", env), "xxx bbb ccc");
  EXPECT_EQ(Expand("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", env), "aaa bbb ");
  EXPECT_EQ(Expand("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", env), "aaa  ");
  EXPECT_EQ(Expand("${FOO:-}", env), "xxx");
  EXPECT_EQ(Expand("${BAZ:-${FOO:+$FOO-ok}}", env), "xxx-ok");
}

TEST(ShellLexerTest, PrefixAndSuffixRemoval) {
  EXPECT_EQ(Expand("${FOO#()[]{\\}^$.\\*\\?|\\\\}", {{"FOO", "()[]{}^$.*?|\\x"}}), "x");
  EXPECT_EQ(Expand("${FOO%%\\**}", {{"FOO", "xx**"}}), "xx");
  EXPECT_EQ(Expand("${FOO#*x*y}", {{"FOO", "xxyy"}}), "y");
  EXPECT_EQ(Expand("${FOO#*}", {{"FOO", "xxyy"}}), "xxyy");
  EXPECT_EQ(Expand("${FOO#$BAR}", {{"FOO", "xxyy"}, {"BAR", "x"}}), "xyy");
  EXPECT_EQ(Expand("${FOO##*x}", {{"FOO", "xxyy"}}), "yy");
  EXPECT_EQ(Expand("${FOO#?\\?}", {{"FOO", "???y"}}), "?y");
  EXPECT_EQ(Expand("${ABC:-.}${FOO%x}${ABC:-.}", {{"FOO", "xxyy"}}), ".xxyy.");
  EXPECT_EQ(Expand("${FOO%%\\**\\*}", {{"FOO", "a***yy*"}}), "a");
  EXPECT_EQ(Expand("${FOO%y*}", {{"FOO", "xxyy"}}), "xxy");
  EXPECT_EQ(Expand("${FOO%%y*}", {{"FOO", "xxyy"}}), "xx");
  EXPECT_EQ(Expand("${F%.*}", {{"F", "archive.tar.gz"}}), "archive.tar");
  EXPECT_EQ(Expand("${F%%.*}", {{"F", "archive.tar.gz"}}), "archive");
  EXPECT_EQ(Expand("${F#[}", {{"F", "[x]"}}), "x]");  // '[' is a literal
  EXPECT_EQ(Expand("${K#한}", {{"K", "한국어"}}), "국어");
  EXPECT_EQ(Expand("${K%?}", {{"K", "한국어"}}), "한국");
}

TEST(ShellLexerTest, Replacement) {
  EXPECT_EQ(Expand("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
                   {{"FOO", "/foo*/*/*.txt"}, {"NEEDLE", "\\*/"}}),
            "/foo.*/*.txt - /foo..*.txt");
  EXPECT_EQ(Expand("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
                   {{"FOO", "/tmp/tmp/bar.txt"}, {"NEEDLE", "/tmp"}}),
            "/tmp/bar.txt - /bar.txt");
  EXPECT_EQ(Expand("${FOO/$N/$R} - ${FOO//$N/$R}",
                   {{"FOO", "/a/foo/b/c.txt"}, {"N", "/?/"}, {"R", "/"}}),
            "/foo/b/c.txt - /foo/c.txt");
  EXPECT_EQ(Expand("${FOO//\\//\\/}", {{"FOO", "/tmp/foo.txt"}}), "\\/tmp\\/foo.txt");
  EXPECT_EQ(Expand("${FOO/$BAR/ww}", {{"FOO", "xxyy"}, {"BAR", ""}}), "wwxxyy");
  EXPECT_EQ(Expand("${FOO///}", {{"FOO", "xxyy"}}), "xxyy");
  EXPECT_EQ(Expand("${FOO///}", {}), "");
  // Go's ReplaceAllString: $0 is the match, other names are empty.
  EXPECT_EQ(Expand("${FOO//b/$R}", {{"FOO", "abc"}, {"R", "<$0$1$$>"}}), "a<b$>c");
  EXPECT_EQ(Expand("${FOO//x*/-}", {{"FOO", "axbxc"}}), "a-");
  EXPECT_EQ(Expand("${FOO//*/-}", {{"FOO", "abc"}}), "-");
}

TEST(ShellLexerTest, ReleaseNamePattern) {
  const std::string release =
      "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
  EXPECT_EQ(Expand(release, {{"VERSION", "v1.2.3"}, {"TARGETOS", "linux"},
                             {"TARGETARCH", "arm"}, {"TARGETVARIANT", "v7"}}),
            "something-v1.2.3.linux-arm-v7.tar.gz");
  EXPECT_EQ(Expand(release, {{"VERSION", "v1.2.3"}, {"TARGETOS", "linux"},
                             {"TARGETARCH", "arm64"}, {"TARGETVARIANT", ""}}),
            "something-v1.2.3.linux-arm64.tar.gz");
}

TEST(ShellLexerTest, MatchesReportReferencedVariables) {
  ShellLexer lexer;
  std::vector<std::string> matched;
  std::vector<std::string> unmatched;
  Result<std::string> r = lexer.ProcessWordWithMatches(
      "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc} $FOO", {{"FOO", "xxx"}, {"BAR", ""}}, &matched,
      &unmatched);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "xxx bbb ccc xxx");
  EXPECT_EQ(matched, (std::vector<std::string>{"FOO", "BAR"}));
  EXPECT_EQ(unmatched, (std::vector<std::string>{"BAZ"}));
}

TEST(ShellLexerTest, BacktickEscape) {
  ShellEnv env = {{"X", "v"}};
  EXPECT_EQ(Expand("C:\\dir`$X", env, '`'), "C:\\dir$X");
  EXPECT_EQ(Expand("\"a`\"b\"", env, '`'), "a\"b");
  EXPECT_EQ(Expand("a\\$X", env, '`'), "a\\v");
}

TEST(ShellLexerTest, UnicodeNamesAndValues) {
  ShellEnv env = {{"KOREAN", "한국어"}, {"이름", "값"}};
  EXPECT_EQ(Expand("안녕$KOREAN", env), "안녕한국어");
  EXPECT_EQ(Expand("$KOREAN한", env), "");  // letters continue the name, as in Go
  EXPECT_EQ(Expand("${이름}", env), "값");
}

TEST(ShellLexerTest, WordsSplitOnUnquotedSpace) {
  ShellLexer lexer;
  ShellEnv env = {{"S", "a  b"}};
  auto words = lexer.ProcessWords("x $S \"$S\" 'q r' y\\ z", env);
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(*words, (std::vector<std::string>{"x", "a", "b", "a  b", "q r", "y z"}));
  auto heredoc = lexer.ProcessWords("cat <<  EOF", {});
  ASSERT_TRUE(heredoc.ok());
  EXPECT_EQ(*heredoc, (std::vector<std::string>{"cat", "<<  EOF"}));
  EXPECT_TRUE(lexer.ProcessWords("", {})->empty());
}

TEST(ShellLexerTest, NestedModifierResetsPendingWordAsBuildKitDoes) {
  // BuildKit shares one word buffer between nested ${...} processing and the
  // enclosing word, so text before a ${V:-...} in the same word is dropped.
  auto words = ShellLexer().ProcessWords("pre${X:-a} b", {});
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(*words, (std::vector<std::string>{"a", "b"}));
}

TEST(ShellLexerTest, OptionsForHeredocsAndDisplay) {
  ShellLexer::Options raw;
  raw.raw_quotes = true;
  raw.skip_unset_env = true;
  ShellLexer lexer('\\', raw);
  EXPECT_EQ(*lexer.ProcessWord("'$A' \"$B\" $C ${D:-x} ${E/a/b}", {{"B", "b"}}),
            "'$A' \"b\" $C ${D:-x} ${E/a/b}");
  ShellLexer::Options no_quotes;
  no_quotes.skip_process_quotes = true;
  EXPECT_EQ(*ShellLexer('\\', no_quotes).ProcessWord("'$A'", {{"A", "1"}}), "'1'");
  ShellLexer::Options escapes;
  escapes.raw_escapes = true;
  EXPECT_EQ(*ShellLexer('\\', escapes).ProcessWord("a\\$b\"\\$\"", {}), "a\\$b\\$");
}

}  // namespace
}  // namespace strata::dockerfile
