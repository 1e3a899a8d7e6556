#include "image/layer_extract.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_util.h"
#include "image/archive_test_util.h"
#include "image/fs_walk.h"
#include "image/layer.h"
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
  e.mtime = 1234;
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

LayerEntry Dir(std::string path) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = EntryType::kDirectory;
  e.mode = 0755;
  return e;
}

Result<ExtractResult> Extract(const std::string& tar, const std::string& root) {
  StringSource in(tar);
  return ExtractLayer(&in, root);
}

TEST(LayerExtractTest, RoundTripsATreeFromEveryCompression) {
  TempDir src;
  testing::WriteFile(src / "etc/conf", "k=v\n", 0640);
  testing::WriteFile(src / "bin/run", "#!/bin/sh\n", 0755);
  ASSERT_EQ(::symlink("../etc/conf", (src / "bin/conf").c_str()), 0);
  ASSERT_EQ(::link((src / "etc/conf").c_str(), (src / "etc/conf2").c_str()), 0);
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    StringSink blob;
    Result<LayerResult> written = WriteLayer(LayerSource::FromDirectory(src.path()), c, &blob);
    ASSERT_TRUE(written.ok());
    TempDir dst;
    Result<ExtractResult> r = Extract(blob.data(), dst.path());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->diff_id, written->diff_id) << CompressionName(c);
    EXPECT_EQ(r->entries, 6u);
    EXPECT_EQ(ReadFile(dst / "etc/conf"), "k=v\n");
    EXPECT_EQ(ReadFile(dst / "bin/conf"), "k=v\n");  // through the symlink
    struct stat a, b;
    ASSERT_EQ(::stat((dst / "etc/conf").c_str(), &a), 0);
    ASSERT_EQ(::stat((dst / "etc/conf2").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);
    EXPECT_EQ(a.st_mode & 07777, 0640u);
    Result<std::vector<LayerEntry>> src_walk = WalkDirectory(src.path());
    Result<std::vector<LayerEntry>> dst_walk = WalkDirectory(dst.path());
    ASSERT_EQ(src_walk->size(), dst_walk->size());
    for (size_t i = 0; i < src_walk->size(); ++i) {
      EXPECT_EQ((*src_walk)[i].path, (*dst_walk)[i].path);
      EXPECT_EQ((*src_walk)[i].mode, (*dst_walk)[i].mode);
      EXPECT_EQ((*src_walk)[i].mtime, (*dst_walk)[i].mtime) << (*src_walk)[i].path;
    }
  }
}

TEST(LayerExtractTest, AppliesWhiteoutsAndOpaqueDirs) {
  TempDir root;
  testing::WriteFile(root / "etc/old", "lower");
  testing::WriteFile(root / "etc/keep", "lower");
  testing::WriteFile(root / "var/cache/a", "lower");
  testing::WriteFile(root / "var/cache/sub/b", "lower");
  std::vector<LayerEntry> layer = {Dir("etc"),
                                   File("etc/.wh.old", ""),
                                   Dir("var"),
                                   Dir("var/cache"),
                                   File("var/cache/.wh..wh..opq", ""),
                                   File("var/cache/new", "upper")};
  StringSink out;
  ASSERT_TRUE(WriteTar(layer, {}, &out).ok());
  Result<ExtractResult> r = Extract(out.data(), root.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(Exists(root / "etc/old"));
  EXPECT_FALSE(Exists(root / "etc/.wh.old"));
  EXPECT_EQ(ReadFile(root / "etc/keep"), "lower");
  EXPECT_FALSE(Exists(root / "var/cache/a"));
  EXPECT_FALSE(Exists(root / "var/cache/sub"));
  EXPECT_FALSE(Exists(root / "var/cache/.wh..wh..opq"));
  EXPECT_EQ(ReadFile(root / "var/cache/new"), "upper");
}

// Before the fix, `RUN rm /etc/issue /etc/issue.net` on a kernel that links
// whiteouts to one inode wrote the second whiteout as a hard link to the
// first deleted path. Such a cached layer applies as the two whiteouts it
// meant; a link to a path no whiteout deleted is still an error.
TEST(LayerExtractTest, LegacyWhiteoutLinkDeletesItsPath) {
  TempDir root;
  testing::WriteFile(root / "etc/issue", "Debian\n");
  testing::WriteFile(root / "etc/issue.net", "Debian\n");
  testing::WriteFile(root / "etc/motd", "hi\n");
  LayerEntry wh = File("etc/.wh.issue", "");
  std::string tar = testing::MakeTarEntries(
      {Dir("etc"), wh, Link("etc/issue.net", EntryType::kHardlink, "etc/issue"),
       Link("etc/motd", EntryType::kHardlink, "etc/issue")});
  Result<ExtractResult> r = Extract(tar, root.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(Exists(root / "etc/issue"));
  EXPECT_FALSE(Exists(root / "etc/issue.net"));
  EXPECT_FALSE(Exists(root / "etc/motd"));

  TempDir other;
  Result<ExtractResult> dangling =
      Extract(testing::MakeTarEntries({Link("a", EntryType::kHardlink, "missing")}), other.path());
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("does not exist"), std::string::npos);
}

TEST(LayerExtractTest, OpaqueKeepsWhatThisLayerWroteBeforeTheMarker) {
  TempDir root;
  testing::WriteFile(root / "d/lower", "x");
  // "d/-early" sorts before ".wh..wh..opq".
  std::vector<LayerEntry> layer = {Dir("d"), File("d/-early", "mine"), File("d/.wh..wh..opq", "")};
  Result<ExtractResult> r = Extract(testing::MakeTarEntries(layer), root.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFile(root / "d/-early"), "mine");
  EXPECT_FALSE(Exists(root / "d/lower"));
}

TEST(LayerExtractTest, ReplacesFilesAndKeepsDirectories) {
  TempDir root;
  testing::WriteFile(root / "x", "file");
  testing::WriteFile(root / "d/inner", "kept");
  testing::WriteFile(root / "y/inner", "gone");
  std::vector<LayerEntry> layer = {Dir("d"), File("x", "new"), File("y", "now a file")};
  ASSERT_TRUE(Extract(testing::MakeTarEntries(layer), root.path()).ok());
  EXPECT_EQ(ReadFile(root / "x"), "new");
  EXPECT_EQ(ReadFile(root / "d/inner"), "kept");
  EXPECT_EQ(ReadFile(root / "y"), "now a file");
}

TEST(LayerExtractTest, SymlinkToSlashStaysInsideRoot) {
  TempDir root;
  std::string before = ReadFile("/etc/passwd");
  std::vector<LayerEntry> layer = {Link("a", EntryType::kSymlink, "/"),
                                   File("a/etc/passwd", "owned")};
  Result<ExtractResult> r = Extract(testing::MakeTarEntries(layer), root.path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFile("/etc/passwd"), before);
  // Followed as the container sees it: "/" is the root of the image.
  EXPECT_EQ(ReadFile(root / "etc/passwd"), "owned");
}

TEST(LayerExtractTest, RefusesEveryEscape) {
  TempDir outer;
  std::string root = outer / "root";
  ASSERT_TRUE(MakeDirs(root, 0755).ok());
  testing::WriteFile(outer / "secret", "s");
  struct Case {
    std::string name;
    std::vector<LayerEntry> entries;
    StatusCode code;
  };
  std::vector<Case> cases = {
      {"dotdot", {File("../escaped", "x")}, StatusCode::kInvalidArgument},
      {"nested dotdot", {File("a/../../escaped", "x")}, StatusCode::kInvalidArgument},
      {"relative symlink",
       {Link("up", EntryType::kSymlink, "../"), File("up/escaped", "x")},
       StatusCode::kCorruption},
      {"deep symlink",
       {Link("up", EntryType::kSymlink, "a/../../.."), File("up/escaped", "x")},
       StatusCode::kCorruption},
      {"hardlink dotdot",
       {Link("h", EntryType::kHardlink, "../secret")},
       StatusCode::kInvalidArgument},
      {"hardlink absolute",
       {Link("h", EntryType::kHardlink, "/etc/passwd")},
       StatusCode::kInvalidArgument},
      {"hardlink via symlink",
       {Link("up", EntryType::kSymlink, ".."), Link("h", EntryType::kHardlink, "up/secret")},
       StatusCode::kCorruption},
      {"whiteout via symlink",
       {Link("up", EntryType::kSymlink, ".."), File("up/.wh.secret", "")},
       StatusCode::kCorruption},
  };
  for (const Case& c : cases) {
    Result<ExtractResult> r = Extract(testing::MakeTarEntries(c.entries), root);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status().ToString();
    EXPECT_FALSE(Exists(outer / "escaped")) << c.name;
    EXPECT_EQ(ReadFile(outer / "secret"), "s") << c.name;
  }
}

TEST(LayerExtractTest, RefusesAbsoluteNames) {
  TempDir dir;
  std::string root = dir / "root";
  ASSERT_TRUE(MakeDirs(root, 0755).ok());
  // Python's tarfile writes the absolute name LayerWriter refuses to.
  std::string cmd = "cd " + dir.path() +
                    " && python3 -c \"import tarfile,io; t=tarfile.open('abs.tar','w'); "
                    "i=tarfile.TarInfo('/tmp/strata-abs-escape'); i.size=1; "
                    "t.addfile(i, io.BytesIO(b'x')); t.close()\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Result<ExtractResult> r = Extract(ReadFile(dir / "abs.tar"), root);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("absolute"), std::string::npos);
  EXPECT_FALSE(Exists("/tmp/strata-abs-escape"));
}

TEST(LayerExtractTest, CorruptInputIsAnError) {
  TempDir root;
  Result<ExtractResult> r = Extract(std::string(1000, 'z'), root.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(ExtractLayer(nullptr, "/nonexistent/root").ok());
}

// A header libarchive cannot read (ARCHIVE_RETRY) stops the extraction with
// libarchive's reason (archive_fuzz).
TEST(LayerExtractTest, DamagedHeaderIsAnError) {
  TempDir root;
  StringSource in(testing::DamagedHeaderTar());
  auto r = ExtractLayer(&in, root.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Damaged tar archive"), std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace strata::image
