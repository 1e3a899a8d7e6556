#include "dockerfile/heredoc.h"

#include <gtest/gtest.h>

namespace strata::dockerfile {
namespace {

std::vector<std::string> Names(std::string_view line) {
  Result<std::vector<Heredoc>> docs = HeredocsFromLine(line);
  EXPECT_TRUE(docs.ok()) << docs.status().ToString();
  std::vector<std::string> names;
  if (docs.ok()) {
    for (const Heredoc& d : *docs) names.push_back(d.name);
  }
  return names;
}

TEST(HeredocTest, FindsHeredocWordsOnALine) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Names("RUN <<EOF"), V{"EOF"});
  EXPECT_EQ(Names("RUN <<-EOF"), V{"EOF"});
  // BuildKit splits "<<-" from "EOF" here (its own test passes vacuously).
  EXPECT_TRUE(Names("RUN <<- EOF").empty());
  EXPECT_EQ(Names("RUN << -EOF"), V{"-EOF"});
  EXPECT_EQ(Names("RUN <<'EOF'"), V{"EOF"});
  EXPECT_EQ(Names("RUN 4<<EOF"), V{"EOF"});
  EXPECT_EQ(Names("RUN <<EOF <<EOF2"), (V{"EOF", "EOF2"}));
  EXPECT_EQ(Names("RUN <<  EOF  > foo"), V{"EOF"});
  EXPECT_EQ(Names("RUN <<COMPLEX python3"), V{"COMPLEX"});
  EXPECT_EQ(Names("RUN <<$EOF"), V{"$EOF"});
  EXPECT_TRUE(Names("RUN '<<EOF'").empty());
  EXPECT_TRUE(Names("RUN \"<<EOF\"").empty());
  EXPECT_TRUE(Names("RUN cat<<EOF").empty());
  EXPECT_TRUE(Names("RUN <<'EOF").empty());  // the line itself does not lex
}

TEST(HeredocTest, QuotingDisablesExpansion) {
  struct Case {
    std::string_view word;
    std::string name;
    bool expand;
  };
  for (const Case& c : {Case{"<<eo'f'", "eof", false}, Case{"<<eo\\'f", "eo'f", true},
                        Case{"<<'e'o\\'f", "eo'f", false}, Case{"<<\"EOF\"", "EOF", false},
                        Case{"<<EOF", "EOF", true}, Case{"<<'one two'", "one two", false}}) {
    Result<std::optional<Heredoc>> h = ParseHeredocWord(c.word);
    ASSERT_TRUE(h.ok()) << c.word;
    ASSERT_TRUE(h->has_value()) << c.word;
    EXPECT_EQ((*h)->name, c.name) << c.word;
    EXPECT_EQ((*h)->expand, c.expand) << c.word;
  }
}

TEST(HeredocTest, WordForms) {
  for (std::string_view not_heredoc : {"", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"}) {
    Result<std::optional<Heredoc>> h = ParseHeredocWord(not_heredoc);
    ASSERT_TRUE(h.ok()) << not_heredoc;
    EXPECT_FALSE(h->has_value()) << not_heredoc;
  }
  for (std::string_view invalid : {"<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""}) {
    EXPECT_FALSE(ParseHeredocWord(invalid).ok()) << invalid;
  }
  Result<std::optional<Heredoc>> h = ParseHeredocWord("12<<-X");
  ASSERT_TRUE(h.ok() && h->has_value());
  EXPECT_EQ((*h)->file_descriptor, 12u);
  EXPECT_TRUE((*h)->chomp);
}

TEST(HeredocTest, DeeplyNestedExpansionsDoNotOverflowTheStack) {
  std::string line = "RUN <<EOF ";
  for (int i = 0; i < 20000; ++i) line += "${a:-";
  Result<std::vector<Heredoc>> docs = HeredocsFromLine(line);
  ASSERT_TRUE(docs.ok());
  EXPECT_TRUE(docs->empty());  // the line does not lex, so it names no heredoc
  Result<std::optional<Heredoc>> word = ParseHeredocWord("<<\"" + std::string(5000, '$') + "{a:-");
  EXPECT_FALSE(word.ok());
}

TEST(HeredocTest, ChompStripsLeadingTabsOfEveryLine) {
  EXPECT_EQ(ChompHeredocContent("\thello\n\t\tworld\n  \tspaces first\n"),
            "hello\nworld\n  \tspaces first\n");
}

}  // namespace
}  // namespace strata::dockerfile
