#include "cli/context/tar_context.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <map>

#include "cli/context/context_scanner.h"
#include "cli/context/test_tree.h"
#include "image/byte_sink.h"
#include "image/layer_writer.h"

namespace strata::cli::context {
namespace {

using image::EntryType;
using image::LayerEntry;
using testing::TempDir;
using testing::WriteFile;

LayerEntry File(const std::string& path, const std::string& content, uint32_t mode = 0644) {
  LayerEntry e;
  e.path = path;
  e.type = EntryType::kRegular;
  e.mode = mode;
  e.size = content.size();
  e.content = content;
  e.mtime = 1234;
  return e;
}

LayerEntry Dir(const std::string& path, uint32_t mode = 0755) {
  LayerEntry e;
  e.path = path;
  e.type = EntryType::kDirectory;
  e.mode = mode;
  return e;
}

LayerEntry Link(const std::string& path, const std::string& target, EntryType type) {
  LayerEntry e;
  e.path = path;
  e.type = type;
  e.mode = 0777;
  e.link_target = target;
  return e;
}

// A tar with the entries in exactly the given order.
std::string Tar(const std::vector<LayerEntry>& entries) {
  image::StringSink sink;
  image::LayerWriter writer(&sink, {});
  for (const LayerEntry& e : entries) EXPECT_TRUE(writer.Add(e).ok()) << e.path;
  EXPECT_TRUE(writer.Finish().ok());
  return sink.data();
}

Result<ContextManifest> ScanTar(const std::string& tar, const std::string& spool) {
  image::StringSource source(tar);
  return ScanTarContext(source, spool);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(TarContextTest, SameManifestAsTheDirectoryItWasMadeFrom) {
  TempDir t;
  WriteFile(t / "ctx/Dockerfile", "FROM scratch\n");
  WriteFile(t / "ctx/bin/tool", "#!/bin/sh\n", 04755);
  WriteFile(t / "ctx/data/big", std::string(3 << 20, 'z'));
  ASSERT_EQ(::symlink("bin/tool", (t / "ctx/tool").c_str()), 0);
  ASSERT_EQ(::chmod((t / "ctx/data").c_str(), 0700), 0);
  Result<ContextManifest> from_dir = ScanContext(t / "ctx", {});
  ASSERT_TRUE(from_dir.ok());

  std::vector<LayerEntry> entries = {
      Dir("bin"),
      File("bin/tool", "#!/bin/sh\n", 04755),
      Dir("data", 0700),
      File("data/big", std::string(3 << 20, 'z')),
      File("Dockerfile", "FROM scratch\n"),
      Link("tool", "bin/tool", EntryType::kSymlink),
  };
  Result<ContextManifest> from_tar = ScanTar(Tar(entries), t / "spool");
  ASSERT_TRUE(from_tar.ok()) << from_tar.status().ToString();
  EXPECT_EQ(from_tar->entries, from_dir->entries) << ManifestPreimage(from_tar->entries) << "\nvs\n"
                                                  << ManifestPreimage(from_dir->entries);
  EXPECT_EQ(from_tar->content_root, t / "spool");
  EXPECT_EQ(ReadAll(t / "spool/data/big"), std::string(3 << 20, 'z'));
  EXPECT_EQ(from_tar->stats.files, 3u);
  EXPECT_EQ(from_tar->stats.bytes_total, (3u << 20) + 23u);
}

TEST(TarContextTest, ImpliedParentsDuplicatesAndHardLinks) {
  TempDir t;
  std::vector<LayerEntry> entries = {
      File("./a/b/c.txt", "first"),
      File("a/b/c.txt", "second"),
      Link("a/hard", "a/b/c.txt", EntryType::kHardlink),
  };
  Result<ContextManifest> m = ScanTar(Tar(entries), t / "spool");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<std::string> paths;
  for (const ContextEntry& e : m->entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"a", "a/b", "a/b/c.txt", "a/hard"}));
  EXPECT_EQ(m->entries[0].type, cli::context::EntryType::kDirectory);
  EXPECT_EQ(m->entries[0].mode, 0755u);
  EXPECT_EQ(m->entries[2].content, Digest::Sha256Of("second"));
  EXPECT_EQ(m->entries[3].content, Digest::Sha256Of("second"));
  EXPECT_EQ(ReadAll(t / "spool/a/hard"), "second");
  // COPY keeps hard links: both names share a group, named by the first.
  EXPECT_EQ(m->entries[2].hardlink_group, "a/b/c.txt");
  EXPECT_EQ(m->entries[3].hardlink_group, "a/b/c.txt");
  EXPECT_EQ(m->entries[0].hardlink_group, "");
}

TEST(TarContextTest, XattrsOfTheTarAreKeptButNotTheHostsLabels) {
  TempDir t;
  LayerEntry f = File("f", "x");
  f.xattrs["user.origin"] = "tar";
  f.xattrs["security.selinux"] = "system_u:object_r:tmp_t:s0";
  Result<ContextManifest> m = ScanTar(Tar({f}), t / "spool");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->entries.size(), 1u);
  EXPECT_EQ(m->entries[0].xattrs, (std::map<std::string, std::string>{{"user.origin", "tar"}}));
}

TEST(TarContextTest, EntriesLeavingTheContextAreRejected) {
  TempDir t;
  Result<ContextManifest> up = ScanTar(Tar({File("a/../../etc/passwd", "x")}), t / "spool");
  ASSERT_FALSE(up.ok());
  EXPECT_TRUE(up.status().IsInvalidArgument()) << up.status().ToString();
  struct stat st;
  EXPECT_NE(::lstat((t / "etc").c_str(), &st), 0);

  Result<ContextManifest> below_link =
      ScanTar(Tar({Link("l", "/etc", EntryType::kSymlink), File("l/passwd", "x")}), t / "spool2");
  ASSERT_FALSE(below_link.ok());
  EXPECT_NE(below_link.status().message().find("not a directory"), std::string::npos);
}

TEST(TarContextTest, AppliesTheDockerIgnoreInsideTheTar) {
  TempDir t;
  std::vector<LayerEntry> entries = {
      File("keep.txt", "k"),
      File("logs/x.log", "l"),
      File("logs/important.log", "i"),
      File(".dockerignore", "logs\n!logs/important.log\n"),
  };
  Result<ContextManifest> m = ScanTar(Tar(entries), t / "spool");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<std::string> paths;
  for (const ContextEntry& e : m->entries) paths.push_back(e.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{".dockerignore", "keep.txt", "logs", "logs/important.log"}));
  EXPECT_EQ(m->stats.excluded, 1u);
}

TEST(TarContextTest, GarbageIsCorruption) {
  TempDir t;
  Result<ContextManifest> m = ScanTar(std::string(2000, 'q'), t / "spool");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << m.status().ToString();
}

}  // namespace
}  // namespace strata::cli::context
