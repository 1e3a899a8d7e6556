#include "worker/copy_step.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/testing/temp_dir.h"
#include "image/byte_sink.h"
#include "image/layer.h"
#include "image/layer_writer.h"
#include "sandbox/testing/busybox_rootfs.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::worker {
namespace {

// A context directory and a busybox rootfs (for --chown names) as the
// destination; the step writes straight into it (no overlay needed).
class CopyStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "COPY sets owners (lchown); run as root";
    dir_ = strata::testing::MakeTempDir("strata-copy");
    ctx_ = dir_ + "/ctx";
    root_ = dir_ + "/root";
    ASSERT_TRUE(MakeDirs(ctx_ + "/src/nested", 0755).ok());
    ASSERT_TRUE(MakeDirs(root_, 0755).ok());
    ASSERT_TRUE(sandbox::testing::MakeBusyboxRootfs(root_).ok());
    Write("a.txt", "A");
    Write("b.txt", "B");
    Write("c.md", "C");
    Write("src/main.c", "int main;");
    Write("src/nested/deep.h", "deep");
    ASSERT_EQ(::symlink("a.txt", (ctx_ + "/link").c_str()), 0);
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }

  void Write(const std::string& rel, const std::string& content, unsigned mode = 0644) {
    ASSERT_TRUE(WriteFile(ctx_ + "/" + rel, content, mode).ok());
  }

  Status Copy(std::vector<std::string> sources, std::string dest, std::string workdir = "/") {
    CopyStep step;
    step.source_root = ctx_;
    step.sources = std::move(sources);
    step.dest = std::move(dest);
    return CopyWith(step, workdir);
  }
  Status CopyWith(CopyStep step, std::string workdir = "/") {
    if (step.source_root.empty()) step.source_root = ctx_;
    return ApplyCopy(step, root_, workdir, std::nullopt);
  }

  std::string Read(const std::string& path) {
    Result<std::string> r = ReadFile(root_ + path);
    return r.ok() ? *r : "<" + r.status().ToString() + ">";
  }
  bool Exists(const std::string& path) {
    struct stat st;
    return ::lstat((root_ + path).c_str(), &st) == 0;
  }
  struct stat Stat(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat((root_ + path).c_str(), &st), 0) << path;
    return st;
  }

  std::string dir_, ctx_, root_;
};

TEST_F(CopyStepTest, FileToFileAndIntoDirectory) {
  ASSERT_TRUE(Copy({"a.txt"}, "/renamed").ok());
  EXPECT_EQ(Read("/renamed"), "A");
  ASSERT_TRUE(Copy({"a.txt"}, "/dir/").ok());
  EXPECT_EQ(Read("/dir/a.txt"), "A");
  // An existing directory receives the file even without a trailing '/'.
  ASSERT_TRUE(Copy({"b.txt"}, "/dir").ok());
  EXPECT_EQ(Read("/dir/b.txt"), "B");
  // Context files become root's.
  EXPECT_EQ(Stat("/dir/a.txt").st_uid, 0u);
}

TEST_F(CopyStepTest, RelativeDestJoinsWorkdir) {
  ASSERT_TRUE(Copy({"a.txt"}, ".", "/app").ok());
  EXPECT_EQ(Read("/app/a.txt"), "A");
  ASSERT_TRUE(Copy({"b.txt"}, "sub/b", "/app").ok());
  EXPECT_EQ(Read("/app/sub/b"), "B");
}

TEST_F(CopyStepTest, DirectorySourceCopiesItsContents) {
  ASSERT_TRUE(Copy({"src"}, "/code").ok());
  EXPECT_EQ(Read("/code/main.c"), "int main;");
  EXPECT_EQ(Read("/code/nested/deep.h"), "deep");
  EXPECT_FALSE(Exists("/code/src"));
}

TEST_F(CopyStepTest, WildcardsMatchPerComponent) {
  ASSERT_TRUE(Copy({"*.txt"}, "/w/").ok());
  EXPECT_EQ(Read("/w/a.txt"), "A");
  EXPECT_EQ(Read("/w/b.txt"), "B");
  EXPECT_FALSE(Exists("/w/c.md"));
  ASSERT_TRUE(Copy({"s?c/*.c"}, "/x/").ok());
  EXPECT_EQ(Read("/x/main.c"), "int main;");
  // A wildcard that matches nothing copies nothing (BuildKit's AllowEmptyWildcard).
  EXPECT_TRUE(Copy({"*.none"}, "/empty/").ok());
  EXPECT_FALSE(Exists("/empty"));
}

// `COPY n\?pe /e/` copies only the file named "n?pe" (a '\' escapes a wildcard).
TEST_F(CopyStepTest, BackslashEscapesAWildcardCharacter) {
  Write("n?pe", "literal");
  Write("nope", "other");
  ASSERT_TRUE(MakeDirs(ctx_ + "/d[1]", 0755).ok());
  Write("d[1]/f", "in d[1]");
  ASSERT_TRUE(Copy({"n\\?pe"}, "/e/").ok());
  EXPECT_EQ(Read("/e/n?pe"), "literal");
  EXPECT_FALSE(Exists("/e/nope"));
  // Escapes before a later wildcard: the directory "d[1]", then every file in it.
  ASSERT_TRUE(Copy({"d\\[1]/*"}, "/f/").ok());
  EXPECT_EQ(Read("/f/f"), "in d[1]");
  EXPECT_TRUE(Copy({"n\\?p"}, "/g/").IsNotFound());
}

// COPY --parents keeps each match's path below the root, or below the
// source's "/./" pivot (BuildKit's --parents).
TEST_F(CopyStepTest, ParentsKeepThePathBelowThePivot) {
  ASSERT_TRUE(MakeDirs(ctx_ + "/x/y", 0755).ok());
  Write("x/y/1.txt", "1");
  Write("x/y/2.txt", "2");
  Write("x/y/3.md", "3");
  CopyStep step;
  step.parents = true;
  step.sources = {"a.txt", "src/nested/deep.h", "x/y/*.txt"};
  step.dest = "/p";  // always a directory
  ASSERT_TRUE(CopyWith(step).ok());
  EXPECT_EQ(Read("/p/a.txt"), "A");
  EXPECT_EQ(Read("/p/src/nested/deep.h"), "deep");
  EXPECT_FALSE(Exists("/p/src/main.c"));
  EXPECT_EQ(Read("/p/x/y/1.txt"), "1");
  EXPECT_EQ(Read("/p/x/y/2.txt"), "2");
  EXPECT_FALSE(Exists("/p/x/y/3.md"));
  // The pivot: only what follows "/./" is kept; a directory keeps its contents below it.
  step.sources = {"x/./y/1.txt", "./src/./nested"};
  step.dest = "q/";
  ASSERT_TRUE(CopyWith(step, "/w").ok());
  EXPECT_EQ(Read("/w/q/y/1.txt"), "1");
  EXPECT_EQ(Read("/w/q/nested/deep.h"), "deep");
  EXPECT_FALSE(Exists("/w/q/x"));
  // A plain source that does not exist is still an error.
  step.sources = {"x/./nothere"};
  EXPECT_TRUE(CopyWith(step).IsNotFound());
}

TEST_F(CopyStepTest, SeveralSourcesNeedADirectoryDest) {
  Status s = Copy({"a.txt", "b.txt"}, "/notdir");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("must be a directory and end with a /"), std::string::npos);
  s = Copy({"*.txt"}, "/notdir");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE(Exists("/notdir"));
  // One match of a wildcard is a file copy to the named path.
  EXPECT_TRUE(Copy({"*.md"}, "/readme").ok());
  EXPECT_EQ(Read("/readme"), "C");
}

TEST_F(CopyStepTest, MissingSourceAndEscapeAreErrors) {
  Status s = Copy({"missing.txt"}, "/x/");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.message().find("\"/missing.txt\": not found"), std::string::npos) << s.message();
  s = Copy({"../x"}, "/x/");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("../x"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("outside the build context"), std::string::npos) << s.message();
  // "a/../b" stays inside and is fine.
  EXPECT_TRUE(Copy({"src/../a.txt"}, "/ok").ok());
}

TEST_F(CopyStepTest, SourceSymlinksAreFollowedInsideTheRoot) {
  ASSERT_TRUE(Copy({"link"}, "/l/").ok());
  struct stat st = Stat("/l/link");
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(Read("/l/link"), "A");
  // A link pointing out of the context resolves inside it.
  ASSERT_EQ(::symlink("/../../etc/passwd", (ctx_ + "/out").c_str()), 0);
  Status s = Copy({"out"}, "/o/");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(CopyStepTest, ChmodAndChownByName) {
  CopyStep step;
  step.sources = {"a.txt", "src"};
  step.dest = "/own/";
  step.chmod = "0750";
  step.chown = "app:staff";
  ASSERT_TRUE(CopyWith(step).ok());
  struct stat f = Stat("/own/a.txt");
  EXPECT_EQ(f.st_mode & 07777, 0750u);
  EXPECT_EQ(f.st_uid, 1000u);
  struct stat g = Stat("/own/nested");
  EXPECT_EQ(g.st_mode & 07777, 0750u);
  struct stat own = Stat("/own");
  EXPECT_EQ(own.st_uid, 1000u);

  step.chown = "app";  // no group: the user's primary group
  step.chmod = "";
  step.dest = "/own2/";
  ASSERT_TRUE(CopyWith(step).ok());
  EXPECT_EQ(Stat("/own2/a.txt").st_gid, 1000u);
  EXPECT_EQ(Stat("/own2/a.txt").st_mode & 07777, 0644u);
  step.chown = "";
  step.chmod = "9x";
  EXPECT_TRUE(CopyWith(step).IsInvalidArgument());
}

// BuildKit's readUser: a name alone takes its passwd gid (not the uid), a
// number is uid and gid, an unknown name is 0:0 rather than an error.
TEST_F(CopyStepTest, ChownFollowsBuildKitsOwnerRules) {
  Result<std::string> passwd = ReadFile(root_ + "/etc/passwd");
  ASSERT_TRUE(passwd.ok());
  ASSERT_TRUE(WriteFile(root_ + "/etc/passwd", *passwd + "web:x:1200:50:web:/srv:/bin/sh\n").ok());
  auto owner_of = [&](const std::string& chown, const std::string& dest) {
    CopyStep step;
    step.sources = {"a.txt"};
    step.dest = dest;
    step.chown = chown;
    Status s = CopyWith(step);
    EXPECT_TRUE(s.ok()) << chown << ": " << s.ToString();
    struct stat st = Stat(dest + "a.txt");
    return std::make_pair(st.st_uid, st.st_gid);
  };
  using Owner = std::pair<uid_t, gid_t>;
  EXPECT_EQ(owner_of("web", "/w1/"), Owner(1200, 50));
  EXPECT_EQ(owner_of("1200", "/w2/"), Owner(1200, 1200));
  EXPECT_EQ(owner_of(":audio", "/w3/"), Owner(0, 29));
  EXPECT_EQ(owner_of("nosuchuser", "/w4/"), Owner(0, 0));
  EXPECT_EQ(owner_of("nosuchuser:staff", "/w5/"), Owner(0, 50));
  EXPECT_EQ(Stat("/w4").st_uid, 0u);  // the created directory too
}

TEST_F(CopyStepTest, KeepsSourceMtimesAndSettlesDirectoryTimes) {
  struct timespec old[2] = {{1000000, 0}, {1000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (ctx_ + "/a.txt").c_str(), old, 0), 0);
  struct stat etc_before = Stat("/etc");
  ASSERT_TRUE(Copy({"a.txt"}, "/etc/new/").ok());
  EXPECT_EQ(Stat("/etc/new/a.txt").st_mtim.tv_sec, 1000000);
  EXPECT_EQ(Stat("/etc/new").st_mtim.tv_sec, 0);  // created: SOURCE_DATE_EPOCH or 0
  struct stat etc_after = Stat("/etc");
  EXPECT_EQ(etc_after.st_mtim.tv_sec, etc_before.st_mtim.tv_sec);
  EXPECT_EQ(etc_after.st_mtim.tv_nsec, etc_before.st_mtim.tv_nsec);
  // The root directory too, when a new top-level directory is made.
  struct stat root_before = Stat("/");
  ASSERT_TRUE(Copy({"a.txt"}, "/top/").ok());
  EXPECT_EQ(Stat("/").st_mtim.tv_nsec, root_before.st_mtim.tv_nsec);
  EXPECT_EQ(Stat("/").st_mtim.tv_sec, root_before.st_mtim.tv_sec);
}

TEST_F(CopyStepTest, HeredocSources) {
  CopyStep step;
  step.contents = {{"greeting", "hello\n"}, {"other", "x"}};
  step.dest = "/h/";
  ASSERT_TRUE(CopyWith(step).ok());
  EXPECT_EQ(Read("/h/greeting"), "hello\n");
  EXPECT_EQ(Stat("/h/greeting").st_mode & 07777, 0644u);
  step.contents = {{"one", "1"}};
  step.dest = "/named";
  ASSERT_TRUE(CopyWith(step).ok());
  EXPECT_EQ(Read("/named"), "1");
}

TEST_F(CopyStepTest, AddExtractsLocalArchivesCopyDoesNot) {
  ASSERT_TRUE(MakeDirs(dir_ + "/tree/pkg", 0755).ok());
  ASSERT_TRUE(WriteFile(dir_ + "/tree/pkg/lib.so", "ELF").ok());
  for (image::Compression c :
       {image::Compression::kGzip, image::Compression::kZstd, image::Compression::kNone}) {
    std::string name = "bundle-" + std::string(image::CompressionName(c)) + ".tar";
    Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(ctx_ + "/" + name);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE(
        image::WriteLayer(image::LayerSource::FromDirectory(dir_ + "/tree"), c, sink->get()).ok());
    CopyStep add;
    add.sources = {name};
    add.dest = "/opt/" + name + "/";
    add.unpack_archives = true;
    ASSERT_TRUE(CopyWith(add).ok()) << name;
    EXPECT_EQ(Read("/opt/" + name + "/pkg/lib.so"), "ELF") << name;
  }
  CopyStep copy;
  copy.sources = {"bundle-gzip.tar"};
  copy.dest = "/copied/";
  ASSERT_TRUE(CopyWith(copy).ok());
  EXPECT_TRUE(S_ISREG(Stat("/copied/bundle-gzip.tar").st_mode));
  // ADD of a file that is not an archive copies it.
  CopyStep add_plain;
  add_plain.sources = {"a.txt"};
  add_plain.dest = "/plain/";
  add_plain.unpack_archives = true;
  ASSERT_TRUE(CopyWith(add_plain).ok());
  EXPECT_EQ(Read("/plain/a.txt"), "A");
}

// ADD extracts as a chroot at the destination would: "link -> .." at the
// archive's top leads back to the destination, not above it.
TEST_F(CopyStepTest, AddArchiveResolvesDotDotLinksInsideTheDestination) {
  auto write_tar = [&](const std::string& name, const std::vector<image::LayerEntry>& entries) {
    Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(ctx_ + "/" + name);
    ASSERT_TRUE(sink.ok());
    image::LayerWriter writer(sink->get(), {});
    for (const image::LayerEntry& e : entries) ASSERT_TRUE(writer.Add(e).ok()) << e.path;
    ASSERT_TRUE(writer.Finish().ok());
    ASSERT_TRUE((*sink)->Close().ok());
  };
  image::LayerEntry link;
  link.path = "link";
  link.type = image::EntryType::kSymlink;
  link.link_target = "..";
  image::LayerEntry through;
  through.path = "link/x";
  through.content = "inside";
  write_tar("dotdot.tar", {link, through});
  CopyStep add;
  add.sources = {"dotdot.tar"};
  add.dest = "/dir/";
  add.unpack_archives = true;
  Status s = CopyWith(add);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("/dir/x"), "inside");
  EXPECT_FALSE(Exists("/x"));
  EXPECT_TRUE(S_ISLNK(Stat("/dir/link").st_mode));

  image::LayerEntry escape;
  escape.path = "../escaped";
  escape.content = "out";
  write_tar("escape.tar", {escape});
  add.sources = {"escape.tar"};
  s = CopyWith(add);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_FALSE(Exists("/escaped"));

  // ADD --chown owns what the archive holds (BuildKit), not only the copy.
  add.sources = {"dotdot.tar"};
  add.dest = "/owned/";
  add.chown = "app:staff";
  s = CopyWith(add);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Stat("/owned/x").st_uid, 1000u);
  EXPECT_EQ(Stat("/owned/x").st_gid, 50u);
  EXPECT_EQ(Stat("/owned/link").st_uid, 1000u);
}

// Two names of one file copied by one instruction land as one file with
// two names, so the layer holds a tar hard link.
TEST_F(CopyStepTest, HardLinksWithinOneCopyStayLinked) {
  ASSERT_EQ(::link((ctx_ + "/a.txt").c_str(), (ctx_ + "/a-again.txt").c_str()), 0);
  ASSERT_TRUE(MakeDirs(ctx_ + "/hl", 0755).ok());
  Write("hl/one", "1");
  ASSERT_EQ(::link((ctx_ + "/hl/one").c_str(), (ctx_ + "/hl/two").c_str()), 0);
  ASSERT_TRUE(Copy({"a.txt", "a-again.txt"}, "/files/").ok());
  EXPECT_EQ(Stat("/files/a.txt").st_ino, Stat("/files/a-again.txt").st_ino);
  EXPECT_EQ(Stat("/files/a.txt").st_nlink, 2u);
  ASSERT_TRUE(Copy({"hl"}, "/tree/").ok());
  EXPECT_EQ(Stat("/tree/one").st_ino, Stat("/tree/two").st_ino);
  EXPECT_EQ(Read("/tree/two"), "1");
  // A later source replacing the first copy does not take its other names.
  Write("src/a.txt", "other");
  ASSERT_TRUE(Copy({"a.txt", "src/a.txt", "a-again.txt"}, "/rep/").ok());
  EXPECT_EQ(Read("/rep/a.txt"), "other");
  EXPECT_EQ(Read("/rep/a-again.txt"), "A");
  // Separate instructions make separate files.
  ASSERT_TRUE(Copy({"a.txt"}, "/sep1/").ok());
  ASSERT_TRUE(Copy({"a-again.txt"}, "/sep1/").ok());
  EXPECT_NE(Stat("/sep1/a.txt").st_ino, Stat("/sep1/a-again.txt").st_ino);
}

std::string GetXattr(const std::string& path, const char* name) {
  char value[256];
  ssize_t n = ::lgetxattr(path.c_str(), name, value, sizeof value);
  return n < 0 ? "<" + std::string(std::strerror(errno)) + ">" : std::string(value, n);
}

// user.* and security.capability come along, also under --chown (a chown
// drops file capabilities, so they are set after it).
TEST_F(CopyStepTest, ExtendedAttributesAreCopied) {
  std::string file = ctx_ + "/a.txt";
  if (::lsetxattr(file.c_str(), "user.origin", "ctx", 3, 0) != 0) {
    GTEST_SKIP() << "no user xattrs here: " << std::strerror(errno);
  }
  // vfs_cap_data revision 2: effective, permitted CAP_NET_BIND_SERVICE.
  const unsigned char cap[20] = {0x01, 0, 0, 0x02, 0x00, 0x04, 0, 0, 0, 0,
                                 0,    0, 0, 0,    0,    0,    0, 0, 0, 0};
  ASSERT_EQ(::lsetxattr(file.c_str(), "security.capability", cap, sizeof cap, 0), 0)
      << std::strerror(errno);
  ASSERT_EQ(::lsetxattr((ctx_ + "/src/nested").c_str(), "user.nested", "n", 1, 0), 0);
  CopyStep step;
  step.sources = {"a.txt", "src"};
  step.dest = "/x/";
  step.chown = "app";
  ASSERT_TRUE(CopyWith(step).ok());
  EXPECT_EQ(GetXattr(root_ + "/x/a.txt", "user.origin"), "ctx");
  EXPECT_EQ(GetXattr(root_ + "/x/a.txt", "security.capability"),
            std::string(reinterpret_cast<const char*>(cap), sizeof cap));
  EXPECT_EQ(Stat("/x/a.txt").st_uid, 1000u);
  EXPECT_EQ(GetXattr(root_ + "/x/nested", "user.nested"), "n");  // directories too
}

}  // namespace
}  // namespace strata::worker
