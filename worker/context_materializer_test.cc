#include "worker/context_materializer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "common/testing/temp_dir.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::worker {
namespace {

class ContextMaterializerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::MakeTempDir("strata-context");
    out_ = dir_ + "/ctx";
    ASSERT_TRUE(MakeDirs(out_, 0755).ok());
    ASSERT_TRUE(MakeDirs(dir_ + "/blobs", 0755).ok());
  }
  void TearDown() override {
    if (!HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }

  // A regular-file entry whose content is stored as a blob.
  void AddFile(const std::string& path, const std::string& content, uint32_t mode) {
    Digest digest = Digest::Sha256Of(content);
    ASSERT_TRUE(WriteFile(dir_ + "/blobs/" + digest.hex(), content).ok());
    v1::ContextEntry* e = entries_.Add();
    e->set_path(path);
    e->set_type(v1::ContextEntry::TYPE_REGULAR);
    e->set_mode(mode);
    e->set_size(content.size());
    e->set_sha256(digest.ToString());
  }
  void AddDir(const std::string& path, uint32_t mode) {
    v1::ContextEntry* e = entries_.Add();
    e->set_path(path);
    e->set_type(v1::ContextEntry::TYPE_DIRECTORY);
    e->set_mode(mode);
  }
  void AddLink(const std::string& path, const std::string& target) {
    v1::ContextEntry* e = entries_.Add();
    e->set_path(path);
    e->set_type(v1::ContextEntry::TYPE_SYMLINK);
    e->set_mode(0777);
    e->set_link_target(target);
  }

  Status Materialize(int64_t mtime = 0) {
    return MaterializeContext(
        entries_, out_,
        [&](const Digest& digest) -> Result<std::string> {
          ++lookups_;
          return dir_ + "/blobs/" + digest.hex();
        },
        mtime);
  }

  std::map<std::string, std::string> Tree() {
    std::map<std::string, std::string> tree;
    for (const auto& e : std::filesystem::recursive_directory_iterator(out_)) {
      std::string rel = e.path().string().substr(out_.size() + 1);
      if (e.is_symlink()) {
        tree[rel] = "-> " + std::filesystem::read_symlink(e.path()).string();
      } else if (e.is_directory()) {
        tree[rel] = "dir";
      } else {
        tree[rel] = *ReadFile(e.path().string());
      }
    }
    return tree;
  }

  static struct stat Lstat(const std::string& path) {
    struct stat st = {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
  }

  std::string dir_, out_;
  google::protobuf::RepeatedPtrField<v1::ContextEntry> entries_;
  int lookups_ = 0;
};

TEST_F(ContextMaterializerTest, WritesExactlyTheEntries) {
  AddFile("src/main.c", "int main() {}\n", 0644);
  AddFile("run.sh", "#!/bin/sh\n", 0755);
  AddDir("src", 0750);
  AddDir("empty", 0700);
  AddLink("src/current", "main.c");
  AddFile("deep/er/file", "x", 0600);  // parents not listed
  ASSERT_TRUE(Materialize().ok());

  std::map<std::string, std::string> want = {
      {"deep", "dir"},
      {"deep/er", "dir"},
      {"deep/er/file", "x"},
      {"empty", "dir"},
      {"run.sh", "#!/bin/sh\n"},
      {"src", "dir"},
      {"src/current", "-> main.c"},
      {"src/main.c", "int main() {}\n"},
  };
  EXPECT_EQ(Tree(), want);
  EXPECT_EQ(lookups_, 3);
  EXPECT_EQ(Lstat(out_ + "/run.sh").st_mode & 07777, 0755u);
  EXPECT_EQ(Lstat(out_ + "/src/main.c").st_mode & 07777, 0644u);
  EXPECT_EQ(Lstat(out_ + "/deep/er/file").st_mode & 07777, 0600u);
  EXPECT_EQ(Lstat(out_ + "/src").st_mode & 07777, 0750u);
  EXPECT_EQ(Lstat(out_ + "/empty").st_mode & 07777, 0700u);
  EXPECT_EQ(Lstat(out_ + "/deep").st_mode & 07777, 0755u);
}

TEST_F(ContextMaterializerTest, EveryMtimeIsTheGivenOne) {
  AddFile("a/b.txt", "b", 0644);
  AddLink("a/link", "b.txt");
  AddDir("a", 0755);
  ASSERT_TRUE(Materialize(1234567).ok());
  for (const char* path : {"", "/a", "/a/b.txt", "/a/link"}) {
    EXPECT_EQ(Lstat(out_ + path).st_mtim.tv_sec, 1234567) << path;
    EXPECT_EQ(Lstat(out_ + path).st_mtim.tv_nsec, 0) << path;
  }
}

TEST_F(ContextMaterializerTest, DotComponentsAreNormalizedAndTheRootSkipped) {
  AddDir(".", 0755);
  AddFile("./x//y", "y", 0644);
  ASSERT_TRUE(Materialize().ok());
  EXPECT_EQ(Tree(), (std::map<std::string, std::string>{{"x", "dir"}, {"x/y", "y"}}));
}

TEST_F(ContextMaterializerTest, RefusesPathsOutsideTheContext) {
  for (const char* bad : {"/etc/passwd", "../x", "a/../../x", "a/.."}) {
    entries_.Clear();
    AddFile(bad, "x", 0644);
    Status s = Materialize();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad << ": " << s.ToString();
    EXPECT_TRUE(Tree().empty()) << bad;
  }
}

TEST_F(ContextMaterializerTest, RefusesEntriesUnderASymlinkAndDuplicates) {
  AddLink("lib", "/etc");
  AddFile("lib/passwd", "root::0:0\n", 0644);
  Status s = Materialize();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("symlink 'lib'"), std::string::npos) << s.message();
  EXPECT_TRUE(Tree().empty());

  entries_.Clear();
  AddFile("a", "1", 0644);
  AddDir("a", 0755);
  s = Materialize();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("twice"), std::string::npos) << s.message();
}

TEST_F(ContextMaterializerTest, SizeMismatchIsCorruption) {
  AddFile("f", "four", 0644);
  entries_.Mutable(0)->set_size(5);
  Status s = Materialize();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
}

TEST_F(ContextMaterializerTest, BlobErrorsPassThrough) {
  AddFile("f", "x", 0644);
  Status s = MaterializeContext(
      entries_, out_,
      [](const Digest& digest) -> Result<std::string> {
        return Status::NotFound("no blob " + digest.ToString());
      },
      0);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

// The names of one hardlink group become one file again; xattrs are set.
TEST_F(ContextMaterializerTest, HardlinkGroupsAndXattrs) {
  AddFile("a", "same", 0640);
  AddFile("sub/b", "same", 0640);
  AddFile("c", "other", 0644);
  entries_.Mutable(0)->set_hardlink_group("a");
  entries_.Mutable(1)->set_hardlink_group("a");
  (*entries_.Mutable(2)->mutable_xattrs())["user.origin"] = std::string("v\0w", 3);
  (*entries_.Mutable(2)->mutable_xattrs())["security.capability"] =
      std::string("\x01\0\0\x02\0\x04\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
  Status s = Materialize();
  if (s.code() == StatusCode::kIOError && s.message().find("lsetxattr") != std::string::npos) {
    GTEST_SKIP() << s.ToString();
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  struct stat a, b;
  ASSERT_EQ(::lstat((out_ + "/a").c_str(), &a), 0);
  ASSERT_EQ(::lstat((out_ + "/sub/b").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_nlink, 2u);
  EXPECT_EQ(lookups_, 2);  // the second name needs no blob
  char value[64];
  ssize_t n = ::lgetxattr((out_ + "/c").c_str(), "user.origin", value, sizeof value);
  ASSERT_EQ(n, 3) << std::strerror(errno);
  EXPECT_EQ(std::string(value, 3), std::string("v\0w", 3));
  EXPECT_EQ(::lgetxattr((out_ + "/c").c_str(), "security.capability", value, sizeof value), 20);
}

TEST_F(ContextMaterializerTest, HardlinkGroupWithDifferentContentIsRefused) {
  AddFile("a", "one", 0644);
  AddFile("b", "two", 0644);
  entries_.Mutable(0)->set_hardlink_group("a");
  entries_.Mutable(1)->set_hardlink_group("a");
  Status s = Materialize();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

}  // namespace
}  // namespace strata::worker
