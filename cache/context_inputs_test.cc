#include "cache/context_inputs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cache/test_util.h"

namespace strata::cache {
namespace {

namespace fs = std::filesystem;

class ContextInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(root() + "/src/sub");
    Write("src/a.txt", "alpha");
    Write("src/sub/b.txt", "beta");
    ASSERT_EQ(::symlink("a.txt", (root() + "/src/link").c_str()), 0);
  }
  void Write(const std::string& rel, const std::string& content) {
    std::ofstream(root() + "/" + rel, std::ios::trunc) << content;
  }
  const std::string& root() const { return dir_.path(); }
  Digest Scan(const std::vector<std::string>& paths) {
    auto entries = ScanContextInputs(root(), paths);
    EXPECT_OK(entries);
    return ContextInputsDigest(entries.value_or({}));
  }

  TempDir dir_;
};

TEST_F(ContextInputsTest, ScanDescribesFilesDirectoriesAndLinks) {
  auto entries = ScanContextInputs(root(), {"src"});
  ASSERT_OK(entries);
  ASSERT_EQ(entries->size(), 5u);  // src, src/a.txt, src/link, src/sub, src/sub/b.txt
  EXPECT_EQ((*entries)[0].path, "src");
  EXPECT_EQ((*entries)[0].type, InputType::kDirectory);
  EXPECT_EQ((*entries)[0].size, 0u);
  EXPECT_EQ((*entries)[1].path, "src/a.txt");
  EXPECT_EQ((*entries)[1].content, Digest::Sha256Of("alpha"));
  EXPECT_EQ((*entries)[1].size, 5u);
  EXPECT_EQ((*entries)[2].type, InputType::kSymlink);
  EXPECT_EQ((*entries)[2].link_target, "a.txt");
}

TEST_F(ContextInputsTest, IgnoresMtimeAndAtime) {
  Digest before = Scan({"src"});
  fs::last_write_time(root() + "/src/a.txt",
                      fs::file_time_type::clock::now() - std::chrono::hours(50));
  EXPECT_EQ(Scan({"src"}), before);
}

TEST_F(ContextInputsTest, FreshCopyOfTheTreeGivesTheSameDigest) {
  Digest original = Scan({"src"});
  // Another checkout: new inodes, new times, same content.
  fs::copy(root() + "/src", root() + "/copy",
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  auto a = ScanContextInputs(root() + "/src", {"."});
  auto b = ScanContextInputs(root() + "/copy", {"."});
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(ContextInputsDigest(*a), ContextInputsDigest(*b));
  EXPECT_NE(ContextInputsDigest(*a), original);  // paths are part of the digest
}

TEST_F(ContextInputsTest, ContentModeAndLinkTargetChangeTheDigest) {
  Digest before = Scan({"src"});
  Write("src/a.txt", "ALPHA");
  Digest content_changed = Scan({"src"});
  EXPECT_NE(content_changed, before);
  fs::permissions(root() + "/src/a.txt", fs::perms::owner_exec, fs::perm_options::add);
  Digest mode_changed = Scan({"src"});
  EXPECT_NE(mode_changed, content_changed);
  fs::remove(root() + "/src/link");
  ASSERT_EQ(::symlink("sub/b.txt", (root() + "/src/link").c_str()), 0);
  EXPECT_NE(Scan({"src"}), mode_changed);
}

TEST_F(ContextInputsTest, OrderOfSelectionDoesNotMatter) {
  EXPECT_EQ(Scan({"src/a.txt", "src/sub"}), Scan({"src/sub", "src/a.txt", "src/a.txt"}));
  EXPECT_EQ(Scan({"./src//a.txt"}), Scan({"src/a.txt"}));
}

TEST_F(ContextInputsTest, EntryOrderDoesNotMatter) {
  InputEntry a{"a", InputType::kRegular, 0644, 1, Digest::Sha256Of("a"), ""};
  InputEntry b{"b", InputType::kSymlink, 0777, 0, Digest(), "a"};
  EXPECT_EQ(ContextInputsDigest({a, b}), ContextInputsDigest({b, a}));
  EXPECT_NE(ContextInputsDigest({a}), ContextInputsDigest({a, b}));
  EXPECT_NE(ContextInputsPreimage({a, b}).find("b l 0777 0 a"), std::string::npos)
      << ContextInputsPreimage({a, b});
}

// A COPY's layer keeps hard links and xattrs, so its key must cover them;
// entries without either keep the digest they always had.
TEST_F(ContextInputsTest, XattrsAndHardlinkGroupsAreInTheKey) {
  InputEntry a{"a", InputType::kRegular, 0644, 1, Digest::Sha256Of("a"), ""};
  Digest plain = ContextInputsDigest({a});
  InputEntry with_xattr = a;
  with_xattr.xattrs["user.x"] = "1";
  InputEntry other_value = a;
  other_value.xattrs["user.x"] = "2";
  InputEntry linked = a;
  linked.hardlink_group = "a";
  EXPECT_NE(ContextInputsDigest({with_xattr}), plain);
  EXPECT_NE(ContextInputsDigest({with_xattr}), ContextInputsDigest({other_value}));
  EXPECT_NE(ContextInputsDigest({linked}), plain);
  EXPECT_NE(ContextInputsDigest({linked}), ContextInputsDigest({with_xattr}));
  EXPECT_EQ(plain.ToString(), ContextInputsDigest({a}).ToString());
  EXPECT_NE(ContextInputsPreimage({with_xattr}).find("a f+ 0644 1 "), std::string::npos)
      << ContextInputsPreimage({with_xattr});
}

TEST_F(ContextInputsTest, PathsOutsideTheContextAreRejected) {
  EXPECT_EQ(ScanContextInputs(root(), {"../etc"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ScanContextInputs(root(), {"nope"}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace strata::cache
