#include "cli/container/snapshot_tar.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <map>

#include "common/file_tree.h"
#include "common/file_util.h"
#include "common/random_hex.h"
#include "image/byte_source.h"
#include "image/digest.h"
#include "image/layer_reader.h"
#include "snapshot/overlay_snapshotter.h"

namespace strata::cli::container {
namespace {

// UTF-8, NFD, a byte that is not UTF-8, a non-ASCII path over 100 bytes.
std::vector<std::string> OddNames() {
  std::string long_dir;
  for (int i = 0; i < 40; ++i) long_dir += "\xc5\x91";
  return {"names/F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny.crt", "names/nfd-o\xcc\x88",
          "names/latin1-\xe9t\xe9", "names/" + long_dir + "/" + long_dir + "/f\xc5\x91.txt"};
}

std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

std::map<std::string, image::LayerEntry> ReadTar(const std::string& path) {
  std::map<std::string, image::LayerEntry> by_path;
  Result<std::unique_ptr<image::FileSource>> file = image::FileSource::Open(path);
  EXPECT_TRUE(file.ok());
  if (!file.ok()) return by_path;
  Result<std::vector<image::LayerEntry>> entries = image::ReadLayerEntries(file->get());
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  if (!entries.ok()) return by_path;
  for (image::LayerEntry& e : *entries) by_path[e.path] = std::move(e);
  return by_path;
}

class SnapshotTarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/snapshot-tar-" + RandomHex(8);
    store_ = std::make_unique<ContainerStore>(root_);
    // One image layer with two files, unpacked as the snapshotter keeps it.
    layer_ = Digest::Sha256Of("snapshot-tar-base").ToString();
    std::string src = root_ + "/base";
    ASSERT_TRUE(MakeDirs(src + "/etc", 0755).ok());
    ASSERT_TRUE(WriteFile(src + "/etc/issue", "Debian\n").ok());
    ASSERT_TRUE(WriteFile(src + "/etc/issue.net", "Debian\n").ok());
    Result<std::unique_ptr<snapshot::OverlaySnapshotter>> snap =
        snapshot::OverlaySnapshotter::Open(store_->SnapshotRoot());
    ASSERT_TRUE(snap.ok()) << snap.status().ToString();
    snapshotter_ = std::move(*snap);
    snapshot::DirectoryCopyUnpacker unpacker(src);
    ASSERT_TRUE(snapshotter_->EnsureLayer(layer_, unpacker).ok());
    record_.id = RandomHex(64);
    record_.name = "odd";
    record_.image = "base";
    record_.image_id = "sha256:" + std::string(64, 'a');
    record_.chain = {layer_};
    ASSERT_TRUE(store_->Create(record_).ok());
  }
  void TearDown() override {
    if (!HasFailure()) RemoveTree(root_).PermitUncheckedError();
  }

  // What the container wrote: files with odd names in its upper dir.
  void WriteOddFiles(const std::string& dir) {
    for (const std::string& name : OddNames()) {
      ASSERT_TRUE(MakeDirs(dir + "/" + Parent(name), 0755).ok());
      ASSERT_TRUE(WriteFile(dir + "/" + name, name).ok());
    }
  }

  std::string root_;
  std::unique_ptr<ContainerStore> store_;
  std::unique_ptr<snapshot::OverlaySnapshotter> snapshotter_;
  std::string layer_;
  ContainerRecord record_;
};

// `strata container commit` of a container that made files with non-ASCII
// names and deleted two image files (overlayfs whiteouts sharing one inode,
// as Linux 6.x makes them) exited 139; the layer now carries every name
// byte for byte and two separate whiteouts.
TEST_F(SnapshotTarTest, CommitCarriesOddNamesAndSharedInodeWhiteouts) {
  std::string upper = store_->Dir(record_.id) + "/upper";
  WriteOddFiles(upper);
  bool whiteouts = ::geteuid() == 0;
  if (whiteouts) {
    ASSERT_TRUE(MakeDirs(upper + "/etc", 0755).ok());
    ASSERT_EQ(::mknod((upper + "/etc/issue").c_str(), S_IFCHR | 0600, makedev(0, 0)), 0);
    ASSERT_EQ(::link((upper + "/etc/issue").c_str(), (upper + "/etc/issue.net").c_str()), 0);
  }
  Result<std::string> tar = WriteChangesTar(*store_, record_, root_ + "/tmp");
  ASSERT_TRUE(tar.ok()) << tar.status().ToString();
  std::map<std::string, image::LayerEntry> entries = ReadTar(*tar);
  for (const std::string& name : OddNames()) {
    ASSERT_EQ(entries.count(name), 1u) << name;
    EXPECT_EQ(entries[name].content, name);
  }
  if (whiteouts) {
    for (const char* wh : {"etc/.wh.issue", "etc/.wh.issue.net"}) {
      ASSERT_EQ(entries.count(wh), 1u) << wh;
      EXPECT_EQ(entries[wh].type, image::EntryType::kRegular) << wh;
    }
    EXPECT_EQ(entries.count("etc/issue.net"), 0u);
  }
}

// `strata container export` walks the merged rootfs (an overlay mount).
TEST_F(SnapshotTarTest, ExportCarriesOddNames) {
  if (::geteuid() != 0) GTEST_SKIP() << "export mounts an overlay: needs root";
  if (!snapshotter_->Probe().ok()) GTEST_SKIP() << "cannot mount overlayfs here";
  WriteOddFiles(store_->Dir(record_.id) + "/upper");
  Result<std::string> tar = WriteRootfsTar(*store_, record_, root_ + "/tmp");
  ASSERT_TRUE(tar.ok()) << tar.status().ToString();
  std::map<std::string, image::LayerEntry> entries = ReadTar(*tar);
  for (const std::string& name : OddNames()) {
    ASSERT_EQ(entries.count(name), 1u) << name;
    EXPECT_EQ(entries[name].content, name);
  }
  EXPECT_EQ(entries["etc/issue"].content, "Debian\n");
}

}  // namespace
}  // namespace strata::cli::container
