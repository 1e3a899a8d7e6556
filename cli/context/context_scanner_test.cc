#include "cli/context/context_scanner.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "cli/context/test_tree.h"
#include "common/file_util.h"

namespace strata::cli::context {
namespace {

using testing::CopyTree;
using testing::SetTimes;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Paths(const ContextManifest& m) {
  std::vector<std::string> out;
  for (const ContextEntry& e : m.entries) out.push_back(e.path);
  return out;
}

const ContextEntry* Find(const ContextManifest& m, const std::string& path) {
  for (const ContextEntry& e : m.entries) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

ContextManifest Scan(const std::string& dir, ScanOptions options = {}) {
  Result<ContextManifest> m = ScanContext(dir, options);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : ContextManifest{};
}

void MakeSampleTree(const TempDir& t) {
  WriteFile(t / "Dockerfile", "FROM scratch\nCOPY . /\n");
  WriteFile(t / "src/main.c", "int main() { return 0; }\n");
  WriteFile(t / "src/util/run.sh", "#!/bin/sh\necho hi\n", 0755);
  WriteFile(t / "a-b", "sorts before a/ byte-wise\n");
  WriteFile(t / "empty", "");
  ASSERT_EQ(::symlink("src/main.c", (t / "link").c_str()), 0);
}

TEST(ContextScannerTest, ListsEntriesSortedWithTypesModesSizesAndDigests) {
  TempDir t;
  MakeSampleTree(t);
  ContextManifest m = Scan(t.path());
  EXPECT_EQ(Paths(m), (std::vector<std::string>{"Dockerfile", "a-b", "empty", "link", "src",
                                                "src/main.c", "src/util", "src/util/run.sh"}));
  const ContextEntry* main_c = Find(m, "src/main.c");
  ASSERT_NE(main_c, nullptr);
  EXPECT_EQ(main_c->type, EntryType::kRegular);
  EXPECT_EQ(main_c->size, 25u);
  EXPECT_EQ(main_c->content, Digest::Sha256Of("int main() { return 0; }\n"));
  EXPECT_EQ(main_c->mode, 0644u);
  EXPECT_EQ(Find(m, "src/util/run.sh")->mode, 0755u);
  EXPECT_EQ(Find(m, "src")->type, EntryType::kDirectory);
  EXPECT_EQ(Find(m, "empty")->content, Digest::Sha256Of(""));
  EXPECT_EQ(m.content_root, t.path());
  EXPECT_EQ(m.stats.files, 5u);
  EXPECT_EQ(m.stats.files_hashed, 5u);
  EXPECT_TRUE(m.warnings.empty());
}

TEST(ContextScannerTest, SymlinksAreRecordedNotFollowed) {
  TempDir t;
  TempDir outside;
  WriteFile(outside / "secret/key", "do not send");
  ASSERT_EQ(::symlink((outside / "secret").c_str(), (t / "dirlink").c_str()), 0);
  ASSERT_EQ(::symlink("missing-target", (t / "dangling").c_str()), 0);
  ContextManifest m = Scan(t.path());
  EXPECT_EQ(Paths(m), (std::vector<std::string>{"dangling", "dirlink"}));
  EXPECT_EQ(Find(m, "dirlink")->type, EntryType::kSymlink);
  EXPECT_EQ(Find(m, "dirlink")->link_target, outside / "secret");
  EXPECT_EQ(Find(m, "dangling")->link_target, "missing-target");
  EXPECT_EQ(m.stats.bytes_hashed, 0u);
}

TEST(ContextScannerTest, SameManifestForACopyWithOtherTimesAndInodes) {
  TempDir a;
  MakeSampleTree(a);
  ASSERT_EQ(::chmod((a / "src/util").c_str(), 0750), 0);
  ContextManifest first = Scan(a.path());
  TempDir b;
  CopyTree(a.path(), b / "ctx");
  SetTimes(b / "ctx/src/main.c", 1000);
  ContextManifest second = Scan(b / "ctx");
  EXPECT_EQ(first.entries, second.entries) << ManifestPreimage(first.entries) << "\nvs\n"
                                           << ManifestPreimage(second.entries);
  EXPECT_EQ(ManifestDigest(first.entries), ManifestDigest(second.entries));
}

TEST(ContextScannerTest, TouchDoesNotChangeTheManifest) {
  TempDir t;
  MakeSampleTree(t);
  ContextManifest before = Scan(t.path());
  SetTimes(t / "src/main.c", 2000000000);
  SetTimes(t / "src", 5);
  EXPECT_EQ(before.entries, Scan(t.path()).entries);
}

TEST(ContextScannerTest, ContentChangeChangesTheManifest) {
  TempDir t;
  MakeSampleTree(t);
  Digest before = ManifestDigest(Scan(t.path()).entries);
  WriteFile(t / "src/main.c", "int main() { return 1; }\n");  // same size
  EXPECT_NE(before, ManifestDigest(Scan(t.path()).entries));
}

TEST(ContextScannerTest, ModeChangeChangesTheManifest) {
  TempDir t;
  MakeSampleTree(t);
  Digest before = ManifestDigest(Scan(t.path()).entries);
  ASSERT_EQ(::chmod((t / "src/main.c").c_str(), 0600), 0);
  Digest after = ManifestDigest(Scan(t.path()).entries);
  EXPECT_NE(before, after);
  ASSERT_EQ(::chmod((t / "src/main.c").c_str(), 04644), 0);  // setuid counts too
  ContextManifest m = Scan(t.path());
  EXPECT_EQ(Find(m, "src/main.c")->mode, 04644u);
  EXPECT_NE(after, ManifestDigest(m.entries));
}

TEST(ContextScannerTest, DockerIgnoreExcludesAndSkipsDirectories) {
  TempDir t;
  WriteFile(t / ".dockerignore", "node_modules\n*.log\nDockerfile\n.dockerignore\n");
  WriteFile(t / "Dockerfile", "FROM scratch\n");
  WriteFile(t / "app.js", "x");
  WriteFile(t / "debug.log", "x");
  WriteFile(t / "node_modules/dep/index.js", "x");
  ContextManifest m = Scan(t.path());
  EXPECT_EQ(Paths(m), (std::vector<std::string>{"app.js"}));
  // .dockerignore, Dockerfile, debug.log and node_modules once: nothing
  // below node_modules was visited.
  EXPECT_EQ(m.stats.excluded, 4u);
}

TEST(ContextScannerTest, ExceptionUnderExcludedDirectoryIsKeptWithItsParents) {
  TempDir t;
  WriteFile(t / "docs/a.md", "a");
  WriteFile(t / "docs/api/keep.md", "k");
  WriteFile(t / "docs/api/drop.txt", "d");
  WriteFile(t / "other/x", "x");
  ScanOptions options;
  options.dockerignore = "docs\nother\n!docs/api/keep.md\n";
  ContextManifest m = Scan(t.path(), options);
  EXPECT_EQ(Paths(m), (std::vector<std::string>{"docs", "docs/api", "docs/api/keep.md"}));
}

TEST(ContextScannerTest, MalformedDockerIgnoreNamesTheFile) {
  TempDir t;
  WriteFile(t / ".dockerignore", "[unterminated\n");
  Result<ContextManifest> m = ScanContext(t.path(), {});
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsInvalidArgument());
  EXPECT_NE(m.status().message().find(".dockerignore"), std::string::npos);
}

TEST(ContextScannerTest, SocketsAreSkippedWithAWarning) {
  TempDir t;
  WriteFile(t / "keep", "k");
  std::string sock_path = t / "app.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::mkfifo((t / "pipe").c_str(), 0644), 0);
  ContextManifest m = Scan(t.path());
  ::close(fd);
  EXPECT_EQ(Paths(m), (std::vector<std::string>{"keep"}));
  EXPECT_EQ(m.warnings,
            (std::vector<std::string>{"app.sock: socket skipped", "pipe: fifo skipped"}));
}

TEST(ContextScannerTest, MissingOrNonDirectoryContextIsAClearError) {
  TempDir t;
  Result<ContextManifest> missing = ScanContext(t / "nope", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  WriteFile(t / "file", "x");
  Result<ContextManifest> file = ScanContext(t / "file", {});
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(file.status().IsInvalidArgument());
}

// Root reads everything, so the scan runs in a child that drops to nobody.
TEST(ContextScannerTest, UnreadableFileIsAnErrorNamingThePath) {
  TempDir t;
  WriteFile(t / "ok", "fine");
  WriteFile(t / "sub/locked", "secret", 0000);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    Result<ContextManifest> m = ScanContext(t.path(), {});
    if (m.ok()) ::_exit(1);
    const std::string& msg = m.status().message();
    bool good = m.status().code() == StatusCode::kPermissionDenied &&
                msg.find("\"sub/locked\"") != std::string::npos &&
                msg.find(".dockerignore") != std::string::npos;
    ::_exit(good ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 3) GTEST_SKIP() << "cannot drop privileges here";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: scan succeeded, 2: wrong code or message";
}

TEST(ContextScannerTest, ManyFilesHashOnTwoThreadsDeterministically) {
  TempDir t;
  for (int i = 0; i < 200; ++i) {
    WriteFile(t / ("d" + std::to_string(i % 7) + "/f" + std::to_string(i)),
              std::string(static_cast<size_t>(i * 37), static_cast<char>('a' + i % 26)));
  }
  ScanOptions one;
  one.hash_threads = 1;
  ScanOptions two;
  two.hash_threads = 2;
  ContextManifest a = Scan(t.path(), one);
  ContextManifest b = Scan(t.path(), two);
  EXPECT_EQ(a.entries, b.entries);
  EXPECT_EQ(a.stats.files_hashed, 200u);
  EXPECT_TRUE(std::is_sorted(b.entries.begin(), b.entries.end(),
                             [](const auto& x, const auto& y) { return x.path < y.path; }));
}

// COPY keeps hard links and xattrs (BuildKit's context transfer carries
// them): the manifest says which names share an inode and what xattrs are.
TEST(ContextScannerTest, HardLinksShareAGroupNamedByTheFirstPath) {
  TempDir t;
  WriteFile(t / "z-first", "same\n");
  WriteFile(t / "single", "one\n");
  WriteFile(t / "outside-target", "o\n");
  ASSERT_TRUE(MakeDirs(t / "b", 0755).ok());
  ASSERT_EQ(::link((t / "z-first").c_str(), (t / "b/again").c_str()), 0);
  ASSERT_EQ(::link((t / "z-first").c_str(), (t / "a-too").c_str()), 0);
  ContextManifest m = Scan(t.path());
  ASSERT_NE(Find(m, "a-too"), nullptr);
  // "a-too" sorts first, so it names the group of all three.
  EXPECT_EQ(Find(m, "a-too")->hardlink_group, "a-too");
  EXPECT_EQ(Find(m, "b/again")->hardlink_group, "a-too");
  EXPECT_EQ(Find(m, "z-first")->hardlink_group, "a-too");
  EXPECT_EQ(Find(m, "single")->hardlink_group, "");
  Digest linked = ManifestDigest(m.entries);

  // A name whose other names are left out (here by .dockerignore) is alone.
  ScanOptions ignore;
  ignore.dockerignore = "a-too\nb\n";
  ContextManifest alone = Scan(t.path(), ignore);
  EXPECT_EQ(Find(alone, "z-first")->hardlink_group, "");

  // The same files as separate copies are another context.
  TempDir copy;
  CopyTree(t.path(), copy.path());
  EXPECT_NE(ManifestDigest(Scan(copy.path()).entries), linked);
}

TEST(ContextScannerTest, ExtendedAttributesAreRecorded) {
  TempDir t;
  WriteFile(t / "f", "x");
  ASSERT_TRUE(MakeDirs(t / "d", 0755).ok());
  Digest plain = ManifestDigest(Scan(t.path()).entries);
  if (::lsetxattr((t / "f").c_str(), "user.origin", "ctx\0bin", 7, 0) != 0) {
    GTEST_SKIP() << "no user xattrs here: " << std::strerror(errno);
  }
  ASSERT_EQ(::lsetxattr((t / "d").c_str(), "user.dir", "d", 1, 0), 0);
  ContextManifest m = Scan(t.path());
  ASSERT_EQ(Find(m, "f")->xattrs.count("user.origin"), 1u);
  EXPECT_EQ(Find(m, "f")->xattrs.at("user.origin"), std::string("ctx\0bin", 7));
  EXPECT_EQ(Find(m, "d")->xattrs.at("user.dir"), "d");
  EXPECT_NE(ManifestDigest(m.entries), plain);
  EXPECT_NE(ManifestPreimage(m.entries).find("f f+ 0644 1 "), std::string::npos)
      << ManifestPreimage(m.entries);
}

}  // namespace
}  // namespace strata::cli::context
