// ExtractArchive: ADD of a local tar, extracted as a chroot at the
// destination would (BuildKit's unpack), unlike a layer.

#include <gtest/gtest.h>

#include <cstdlib>

#include "common/file_util.h"
#include "image/archive_test_util.h"
#include "image/layer_extract.h"
#include "image/layer_writer.h"
#include "image/test_tree.h"

namespace strata::image {
namespace {

using testing::Exists;
using testing::ReadFile;
using testing::TempDir;

LayerEntry File(std::string path, std::string content) {
  LayerEntry e;
  e.path = std::move(path);
  e.content = std::move(content);
  return e;
}

LayerEntry Link(std::string path, EntryType type, std::string target) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = type;
  e.mode = 0777;
  e.link_target = std::move(target);
  return e;
}

Result<ExtractResult> Extract(const std::string& tar, const std::string& root) {
  StringSource in(tar);
  return ExtractArchive(&in, root);
}

// A chroot at the destination: ".." at its top stays there.
TEST(LayerExtractArchiveTest, DotDotSymlinksResolveAsAChrootAtTheDestination) {
  TempDir outer;
  std::string root = outer / "dir";
  ASSERT_TRUE(MakeDirs(root, 0755).ok());
  struct Case {
    std::string name;
    std::vector<LayerEntry> entries;
    std::string lands;  // relative to root
  };
  std::vector<Case> cases = {
      {"link to ..", {Link("link", EntryType::kSymlink, ".."), File("link/x", "1")}, "x"},
      {"link to ../", {Link("up", EntryType::kSymlink, "../"), File("up/y", "2")}, "y"},
      {"deep", {Link("deep", EntryType::kSymlink, "a/../../.."), File("deep/z", "3")}, "z"},
      {"nested", {Link("sub/l", EntryType::kSymlink, "../../.."), File("sub/l/w", "4")}, "w"},
      {"absolute",
       {Link("abs", EntryType::kSymlink, "/etc"), File("abs/passwd", "5")},
       "etc/passwd"},
  };
  std::string passwd = ReadFile("/etc/passwd");
  for (const Case& c : cases) {
    Result<ExtractResult> r = Extract(testing::MakeTarEntries(c.entries), root);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.status().ToString();
    EXPECT_EQ(ReadFile(root + "/" + c.lands), c.entries.back().content) << c.name;
  }
  EXPECT_FALSE(Exists(outer / "x"));
  EXPECT_FALSE(Exists(outer / "y"));
  EXPECT_EQ(ReadFile("/etc/passwd"), passwd);
}

// What names a place above the destination itself is still refused.
TEST(LayerExtractArchiveTest, NamesThatLeaveTheDestinationAreRefused) {
  TempDir outer;
  std::string root = outer / "dir";
  ASSERT_TRUE(MakeDirs(root, 0755).ok());
  testing::WriteFile(outer / "secret", "s");
  std::vector<std::vector<LayerEntry>> cases = {
      {File("../escaped", "x")},
      {File("a/../../escaped", "x")},
      {Link("h", EntryType::kHardlink, "../secret")},
  };
  for (const auto& entries : cases) {
    Result<ExtractResult> r = Extract(testing::MakeTarEntries(entries), root);
    ASSERT_FALSE(r.ok()) << entries[0].path;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
    EXPECT_NE(r.status().message().find("outside the destination"), std::string::npos)
        << r.status().ToString();
  }
  // A hardlink through "up -> .." looks for the target inside the root.
  Result<ExtractResult> r =
      Extract(testing::MakeTarEntries({Link("up", EntryType::kSymlink, ".."),
                                       Link("h", EntryType::kHardlink, "up/secret")}),
              root);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(Exists(outer / "escaped"));
  EXPECT_FALSE(Exists(root + "/h"));
  EXPECT_EQ(ReadFile(outer / "secret"), "s");
  // A ".." that stays inside is just applied.
  ASSERT_TRUE(Extract(testing::MakeTarEntries({File("a/../b", "b")}), root).ok());
  EXPECT_EQ(ReadFile(root + "/b"), "b");
}

TEST(LayerExtractArchiveTest, AbsoluteNamesCountFromTheDestination) {
  TempDir dir;
  std::string root = dir / "root";
  ASSERT_TRUE(MakeDirs(root, 0755).ok());
  // Python's tarfile writes the absolute name LayerWriter refuses to.
  std::string cmd = "cd " + dir.path() +
                    " && python3 -c \"import tarfile,io; t=tarfile.open('abs.tar','w'); "
                    "i=tarfile.TarInfo('/strata-abs-name'); i.size=1; "
                    "t.addfile(i, io.BytesIO(b'x')); t.close()\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Result<ExtractResult> r = Extract(ReadFile(dir / "abs.tar"), root);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFile(root + "/strata-abs-name"), "x");
  EXPECT_FALSE(Exists("/strata-abs-name"));
}

// BuildKit's ADD keeps ".wh." files: an archive is not a layer.
TEST(LayerExtractArchiveTest, WhiteoutNamesAreOrdinaryFiles) {
  TempDir root;
  testing::WriteFile(root / "victim", "v");
  ASSERT_TRUE(Extract(testing::MakeTarEntries({File(".wh.victim", "w")}), root.path()).ok());
  EXPECT_EQ(ReadFile(root / "victim"), "v");
  EXPECT_EQ(ReadFile(root / ".wh.victim"), "w");
}

}  // namespace
}  // namespace strata::image
