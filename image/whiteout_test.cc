#include "image/whiteout.h"

#include <gtest/gtest.h>

namespace strata::image {
namespace {

LayerEntry Entry(std::string path, EntryType type) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = type;
  return e;
}

TEST(WhiteoutTest, ConvertsOverlayMarkers) {
  LayerEntry dir = Entry("etc", EntryType::kDirectory);
  dir.mode = 0755;
  dir.xattrs["trusted.overlay.opaque"] = "y";
  dir.xattrs["user.keep"] = "1";
  LayerEntry dev = Entry("etc/gone", EntryType::kCharDevice);
  LayerEntry real_dev = Entry("etc/null", EntryType::kCharDevice);
  real_dev.dev_major = 1;
  real_dev.dev_minor = 3;
  LayerEntry file = Entry("etc/app.conf", EntryType::kRegular);
  file.content = "x";
  std::vector<LayerEntry> out = ConvertOverlayWhiteouts({dir, file, dev, real_dev});
  std::vector<std::string> paths;
  for (const LayerEntry& e : out) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"etc", "etc/.wh..wh..opq", "etc/.wh.gone",
                                             "etc/app.conf", "etc/null"}));
  EXPECT_EQ(out[0].xattrs.count("trusted.overlay.opaque"), 0u);
  EXPECT_EQ(out[0].xattrs.at("user.keep"), "1");
  EXPECT_EQ(out[1].type, EntryType::kRegular);
  EXPECT_EQ(out[1].content, "");
  EXPECT_EQ(out[2].type, EntryType::kRegular);
  EXPECT_EQ(out[2].mode, 0600u);
  EXPECT_EQ(out[4].type, EntryType::kCharDevice);  // a real device stays
}

TEST(WhiteoutTest, NonOpaqueDirKeepsNoMarker) {
  LayerEntry dir = Entry("d", EntryType::kDirectory);
  dir.xattrs["trusted.overlay.opaque"] = "n";
  std::vector<LayerEntry> out = ConvertOverlayWhiteouts({dir});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].xattrs.empty());
}

TEST(WhiteoutTest, IsWhiteout) {
  EXPECT_TRUE(IsWhiteout("a/.wh.b"));
  EXPECT_TRUE(IsWhiteout(".wh..wh..opq"));
  EXPECT_FALSE(IsWhiteout("a/b.wh.c"));
  EXPECT_FALSE(IsWhiteout(".whx"));
}

}  // namespace
}  // namespace strata::image
