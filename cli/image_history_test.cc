#include "cli/image_history.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

image::ImageConfig Built() {
  image::ImageConfig c;
  c.history.push_back(
      {"2024-01-01T00:00:00Z", "/bin/sh -c #(nop) ADD file:abc in / ", "", "", false});
  c.history.push_back({"2024-01-02T00:00:00Z",
                       "RUN /bin/sh -c apt-get update && apt-get install -y nginx # buildkit", "",
                       "buildkit.dockerfile.v0", false});
  c.history.push_back({"2024-01-02T00:00:00Z", "CMD [\"nginx\" \"-g\" \"daemon off;\"]", "",
                       "buildkit.dockerfile.v0", true});
  return c;
}

const std::string kId = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(HistoryRowsTest, NewestFirstImageIdOnTopMissingBelow) {
  HistoryOptions o;
  o.now = *ParseRfc3339Seconds("2024-01-02T00:05:00Z");
  auto rows = HistoryRows(Built(), {80'000'000, 60'000'000}, kId, o);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["ID"], "0123456789ab");
  EXPECT_EQ(rows[1]["ID"], "<missing>");
  EXPECT_EQ(rows[2]["ID"], "<missing>");
  EXPECT_EQ(rows[0]["CreatedBy"], "CMD [\"nginx\" \"-g\" \"daemon off;\"]");
  EXPECT_EQ(rows[0]["Size"], "0B");
  EXPECT_EQ(rows[1]["Size"], "60MB");
  EXPECT_EQ(rows[2]["Size"], "80MB");
  EXPECT_EQ(rows[1]["CreatedSince"], "5 minutes ago");
  EXPECT_EQ(rows[1]["Comment"], "buildkit.dockerfile.v0");
  // Docker truncates CREATED BY to 45 characters: 44 and an ellipsis.
  EXPECT_EQ(rows[1]["CreatedBy"], "RUN /bin/sh -c apt-get update && apt-get ins…");
}

TEST(HistoryRowsTest, NoTruncAndNotHuman) {
  HistoryOptions o;
  o.no_trunc = true;
  o.human = false;
  auto rows = HistoryRows(Built(), {80'000'000, 60'000'000}, kId, o);
  EXPECT_EQ(rows[0]["ID"], kId);
  EXPECT_EQ(rows[1]["CreatedBy"],
            "RUN /bin/sh -c apt-get update && apt-get install -y nginx # buildkit");
  EXPECT_EQ(rows[1]["Size"], "60000000");
  EXPECT_EQ(rows[1]["CreatedSince"], "2024-01-02T00:00:00Z");
  EXPECT_EQ(rows[1]["CreatedAt"], "2024-01-02T00:00:00Z");
}

TEST(HistoryRowsTest, ParsesRfc3339) {
  EXPECT_EQ(ParseRfc3339Seconds("1970-01-02T00:00:00Z"), 86400);
  EXPECT_EQ(ParseRfc3339Seconds("2024-01-02T00:00:00.123456789Z"),
            ParseRfc3339Seconds("2024-01-02T00:00:00Z"));
  EXPECT_EQ(ParseRfc3339Seconds("1970-01-02T01:00:00+01:00"), 86400);
  EXPECT_EQ(ParseRfc3339Seconds(""), std::nullopt);
  EXPECT_EQ(ParseRfc3339Seconds("yesterday"), std::nullopt);
  EXPECT_EQ(ParseRfc3339Seconds("2024-13-02T00:00:00Z"), std::nullopt);
}

TEST(HistoryRowsTest, EllipsisCountsCharactersNotBytes) {
  EXPECT_EQ(Ellipsis("short", 45), "short");
  EXPECT_EQ(Ellipsis("Főtanúsítvány", 5), "Főta…");
}

// Runes as common/utf8.h decodes them (Go's rules): each byte that is not
// part of a valid sequence is one rune, so stray continuation bytes are
// counted too and the column cannot grow without bound.
TEST(HistoryRowsTest, EllipsisCountsInvalidBytesAsOneRuneEach) {
  EXPECT_EQ(Ellipsis("\x80\x80\x80\x80\x80\x80", 5), "\x80\x80\x80\x80…");
  EXPECT_EQ(Ellipsis("ab\xe2\x82"
                     "cd",
                     5),
            "ab\xe2\x82…")
      << "a truncated sequence is two runes";
}

}  // namespace
}  // namespace strata::cli
