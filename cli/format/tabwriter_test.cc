#include "cli/format/tabwriter.h"

#include <gtest/gtest.h>

namespace strata::format {
namespace {

std::string Docker(std::string_view text) {
  Tabwriter w(10, 1, 3, ' ');
  w.Write(text);
  return w.Flush();
}

TEST(TabwriterTest, AlignsColumnsWithMinWidthAndPadding) {
  EXPECT_EQ(Docker("REPOSITORY\tTAG\tIMAGE ID\n"
                   "busybox\tlatest\tabc\n"
                   "a-very-long-repository\t1.0\tdef\n"),
            "REPOSITORY               TAG       IMAGE ID\n"
            "busybox                  latest    abc\n"
            "a-very-long-repository   1.0       def\n");
}

TEST(TabwriterTest, LastCellIsNotPadded) {
  EXPECT_EQ(Docker("ID\tNAME\n1\tx\n"), "ID        NAME\n1         x\n");
}

TEST(TabwriterTest, WidthCountsRunes) {
  EXPECT_EQ(Docker("h\xc3\xa9llo\tx\nab\ty\n"), "h\xc3\xa9llo     x\nab        y\n");
}

TEST(TabwriterTest, LineWithoutTabsEndsTheColumnBlock) {
  EXPECT_EQ(Docker("a\tb\nno tabs here\nlonger-cell-here\tc\n"),
            "a         b\nno tabs here\nlonger-cell-here   c\n");
}

TEST(TabwriterTest, EmptyCellsArePadded) {
  EXPECT_EQ(Docker("\tb\nxx\t\n"), "          b\nxx        \n");
}

TEST(TabwriterTest, TrailingTextWithoutNewlineIsKept) {
  EXPECT_EQ(Docker("a\tb\nc"), "a         b\nc");
  EXPECT_EQ(Docker(""), "");
}

TEST(TabwriterTest, NestedColumnBlocks) {
  // Column 1 exists only on the first two lines; column 0 spans all three.
  Tabwriter w(0, 1, 1, '.');
  w.Write("a\tbb\tc\n");
  w.Write("aaa\tb\tc\n");
  w.Write("a\tx\n");
  EXPECT_EQ(w.Flush(), "a...bb.c\naaa.b..c\na...x\n");
}

TEST(TabwriterTest, FlushResets) {
  Tabwriter w(10, 1, 3, ' ');
  w.Write("a\tb\n");
  EXPECT_EQ(w.Flush(), "a         b\n");
  w.Write("c\td\n");
  EXPECT_EQ(w.Flush(), "c         d\n");
}

}  // namespace
}  // namespace strata::format
