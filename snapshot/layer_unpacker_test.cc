#include "snapshot/layer_unpacker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/testing/temp_dir.h"
#include "image/byte_sink.h"
#include "image/layer.h"
#include "image/layer_entry.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::snapshot {
namespace {

class ExtractingUnpackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::MakeTempDir("strata-unpacker");
    ASSERT_TRUE(MakeDirs(dir_ + "/src/sub", 0755).ok());
    ASSERT_TRUE(WriteFile(dir_ + "/src/sub/file.txt", "hello\n").ok());
    Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(dir_ + "/layer.tar.gz");
    ASSERT_TRUE(sink.ok());
    Result<image::LayerResult> layer = image::WriteLayer(
        image::LayerSource::FromDirectory(dir_ + "/src"), image::Compression::kGzip, sink->get());
    ASSERT_TRUE(layer.ok()) << layer.status().ToString();
    diff_id_ = layer->diff_id.ToString();
  }
  void TearDown() override {
    if (!HasFailure()) RemoveTree(dir_).PermitUncheckedError();
  }

  std::string dir_;
  std::string diff_id_;
};

TEST_F(ExtractingUnpackerTest, ExtractsTheBlobAndChecksItsDiffId) {
  ASSERT_TRUE(MakeDirs(dir_ + "/out", 0755).ok());
  ExtractingUnpacker unpacker = ExtractingUnpacker::FromFile(dir_ + "/layer.tar.gz", diff_id_);
  Status s = unpacker.Unpack(dir_ + "/out");
  ASSERT_TRUE(s.ok()) << s.ToString();
  Result<std::string> content = ReadFile(dir_ + "/out/sub/file.txt");
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "hello\n");
  EXPECT_EQ(unpacker.entries(), 2u);
}

TEST_F(ExtractingUnpackerTest, WhiteoutsBecomeOverlayMarkers) {
  if (geteuid() != 0) GTEST_SKIP() << "overlay whiteouts (mknod, trusted.* xattrs) need root";
  image::LayerEntry dir;
  dir.path = "d";
  dir.type = image::EntryType::kDirectory;
  dir.mode = 0755;
  image::LayerEntry opaque;
  opaque.path = "d/.wh..wh..opq";
  opaque.content = "";
  image::LayerEntry gone;
  gone.path = ".wh.gone";
  gone.content = "";
  image::LayerEntry kept;
  kept.path = "d/new";
  kept.content = "n";
  Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(dir_ + "/wh.tar.gz");
  ASSERT_TRUE(sink.ok());
  Result<image::LayerResult> layer =
      image::WriteLayer(image::LayerSource::FromEntries({gone, dir, opaque, kept}),
                        image::Compression::kGzip, sink->get());
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();

  ASSERT_TRUE(MakeDirs(dir_ + "/out", 0755).ok());
  ExtractingUnpacker unpacker =
      ExtractingUnpacker::FromFile(dir_ + "/wh.tar.gz", layer->diff_id.ToString());
  Status s = unpacker.Unpack(dir_ + "/out");
  ASSERT_TRUE(s.ok()) << s.ToString();
  struct stat st;
  ASSERT_EQ(::lstat((dir_ + "/out/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  char value[4] = {};
  EXPECT_EQ(::lgetxattr((dir_ + "/out/d").c_str(), "trusted.overlay.opaque", value, sizeof(value)),
            1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_EQ(ReadFile(dir_ + "/out/d/new").value_or(""), "n");
  EXPECT_NE(::lstat((dir_ + "/out/.wh.gone").c_str(), &st), 0);
}

// A layer cached before the whiteout fix holds the second whiteout of
// `rm /etc/issue /etc/issue.net` as a hard link to etc/issue; as a snapshot
// it must hide both lower files (image::LegacyWhiteoutLinks).
TEST_F(ExtractingUnpackerTest, LegacyWhiteoutLinkBecomesAnOverlayWhiteout) {
  if (geteuid() != 0) GTEST_SKIP() << "overlay whiteouts (mknod) need root";
  image::LayerEntry etc;
  etc.path = "etc";
  etc.type = image::EntryType::kDirectory;
  etc.mode = 0755;
  image::LayerEntry wh;
  wh.path = "etc/.wh.issue";
  wh.content = "";
  image::LayerEntry link;
  link.path = "etc/issue.net";
  link.type = image::EntryType::kHardlink;
  link.link_target = "etc/issue";
  Result<std::unique_ptr<image::FileSink>> sink = image::FileSink::Create(dir_ + "/legacy.tar");
  ASSERT_TRUE(sink.ok());
  Result<image::LayerResult> layer = image::WriteLayer(
      image::LayerSource::FromEntries({etc, wh, link}), image::Compression::kNone, sink->get());
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();

  ASSERT_TRUE(MakeDirs(dir_ + "/out", 0755).ok());
  ExtractingUnpacker unpacker =
      ExtractingUnpacker::FromFile(dir_ + "/legacy.tar", layer->diff_id.ToString());
  Status s = unpacker.Unpack(dir_ + "/out");
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const char* gone : {"/out/etc/issue", "/out/etc/issue.net"}) {
    struct stat st;
    ASSERT_EQ(::lstat((dir_ + gone).c_str(), &st), 0) << gone;
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << gone;
    EXPECT_EQ(st.st_rdev, makedev(0, 0)) << gone;
  }
}

TEST_F(ExtractingUnpackerTest, WrongDiffIdIsCorruption) {
  ASSERT_TRUE(MakeDirs(dir_ + "/out", 0755).ok());
  std::string wrong = "sha256:" + std::string(64, '0');
  ExtractingUnpacker unpacker = ExtractingUnpacker::FromFile(dir_ + "/layer.tar.gz", wrong);
  Status s = unpacker.Unpack(dir_ + "/out");
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(diff_id_), std::string::npos) << s.message();
}

TEST_F(ExtractingUnpackerTest, SourceFactoryAndOpenErrors) {
  ASSERT_TRUE(MakeDirs(dir_ + "/out", 0755).ok());
  Result<std::string> blob = ReadFile(dir_ + "/layer.tar.gz");
  ASSERT_TRUE(blob.ok());
  ExtractingUnpacker from_memory(
      [&]() -> Result<std::unique_ptr<image::ByteSource>> {
        return std::unique_ptr<image::ByteSource>(std::make_unique<image::StringSource>(*blob));
      },
      diff_id_);
  EXPECT_TRUE(from_memory.Unpack(dir_ + "/out").ok());

  ExtractingUnpacker missing = ExtractingUnpacker::FromFile(dir_ + "/nope.tar.gz", diff_id_);
  EXPECT_FALSE(missing.Unpack(dir_ + "/out").ok());
}

}  // namespace
}  // namespace strata::snapshot
