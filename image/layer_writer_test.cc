#include "image/layer_writer.h"

#include <gtest/gtest.h>

#include <map>

#include "image/layer_reader.h"
#include "image/test_tree.h"

namespace strata::image {
namespace {

LayerEntry File(std::string path, std::string content, int64_t mtime = 1000) {
  LayerEntry e;
  e.path = std::move(path);
  e.content = std::move(content);
  e.mtime = mtime;
  e.uid = 1000;
  e.gid = 1001;
  return e;
}

LayerEntry Node(std::string path, EntryType type) {
  LayerEntry e;
  e.path = std::move(path);
  e.type = type;
  e.mode = type == EntryType::kDirectory ? 0755 : 0644;
  e.mtime = 1000;
  return e;
}

std::vector<LayerEntry> Sample() {
  LayerEntry link = Node("d/link", EntryType::kSymlink);
  link.link_target = "../f";
  LayerEntry hard = Node("d/hard", EntryType::kHardlink);
  hard.link_target = "f";
  LayerEntry dev = Node("dev/null", EntryType::kCharDevice);
  dev.dev_major = 1;
  dev.dev_minor = 3;
  LayerEntry capped = File("bin/ping", "ELF");
  capped.mode = 0755;
  capped.xattrs["security.capability"] = std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8);
  return {File("f", "hello", 5000), Node("d", EntryType::kDirectory), link, hard, dev,
          Node("fifo", EntryType::kFifo), Node("bin", EntryType::kDirectory), capped,
          Node("dev", EntryType::kDirectory), File(std::string(120, 'n') + "/long", "x")};
}

TEST(LayerWriterTest, WritesSortedEntriesThatReadBack) {
  StringSink out;
  ASSERT_TRUE(WriteTar(Sample(), {}, &out).ok());
  StringSource in(out.data());
  Result<std::vector<LayerEntry>> back = ReadLayerEntries(&in);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::vector<std::string> paths;
  for (const LayerEntry& e : *back) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"bin", "bin/ping", "d", "d/hard", "d/link", "dev",
                                             "dev/null", "f", "fifo", std::string(120, 'n') + "/long"}));
  const auto& e = *back;
  EXPECT_EQ(e[1].xattrs.at("security.capability").size(), 8u);
  EXPECT_EQ(e[1].mode, 0755u);
  EXPECT_EQ(e[1].content, "ELF");
  EXPECT_EQ(e[3].type, EntryType::kHardlink);
  EXPECT_EQ(e[3].link_target, "f");
  EXPECT_EQ(e[4].type, EntryType::kSymlink);
  EXPECT_EQ(e[4].link_target, "../f");
  EXPECT_EQ(e[6].type, EntryType::kCharDevice);
  EXPECT_EQ(e[6].dev_major, 1u);
  EXPECT_EQ(e[6].dev_minor, 3u);
  EXPECT_EQ(e[7].content, "hello");
  EXPECT_EQ(e[7].uid, 1000u);
  EXPECT_EQ(e[7].gid, 1001u);
  EXPECT_EQ(e[7].mtime, 5000);
  EXPECT_EQ(e[8].type, EntryType::kFifo);
}

TEST(LayerWriterTest, ReproducibleNumericOwnersNoPadding) {
  StringSink a, b;
  ASSERT_TRUE(WriteTar(Sample(), {}, &a).ok());
  std::vector<LayerEntry> reversed = Sample();
  std::reverse(reversed.begin(), reversed.end());
  ASSERT_TRUE(WriteTar(reversed, {}, &b).ok());
  EXPECT_EQ(a.data(), b.data());  // input order does not matter
  EXPECT_EQ(a.data().size() % 512, 0u);
  // Ends right after the two zero blocks, like Go's archive/tar.
  EXPECT_EQ(a.data().substr(a.data().size() - 1024), std::string(1024, '\0'));
  EXPECT_NE(a.data().substr(a.data().size() - 1536, 512), std::string(512, '\0'));
  // No user/group names and no atime/ctime anywhere.
  EXPECT_EQ(a.data().find("root"), std::string::npos);
  EXPECT_EQ(a.data().find("atime"), std::string::npos);
  EXPECT_EQ(a.data().find("ctime"), std::string::npos);
  EXPECT_NE(a.data().find("SCHILY.xattr.security.capability"), std::string::npos);
  EXPECT_EQ(a.data().find("LIBARCHIVE.xattr"), std::string::npos);
  // ustar header of the first entry: uname (offset 265) and gname (297) empty.
  EXPECT_EQ(a.data().substr(257, 5), "ustar");
  EXPECT_EQ(a.data().substr(265, 64), std::string(64, '\0'));
}

TEST(LayerWriterTest, ClampsMtimesToSourceDateEpoch) {
  LayerWriterOptions options;
  options.source_date_epoch = 2000;
  StringSink out;
  ASSERT_TRUE(WriteTar({File("old", "a", 1500), File("new", "b", 999999)}, options, &out).ok());
  StringSource in(out.data());
  std::vector<LayerEntry> back = *ReadLayerEntries(&in);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].path, "new");
  EXPECT_EQ(back[0].mtime, 2000);
  EXPECT_EQ(back[1].mtime, 1500);
}

TEST(LayerWriterTest, ReadableBySystemTar) {
  testing::TempDir dir;
  StringSink out;
  std::vector<LayerEntry> entries = {Node("d", EntryType::kDirectory), File("d/f", "data")};
  ASSERT_TRUE(WriteTar(entries, {}, &out).ok());
  testing::WriteFile(dir / "l.tar", out.data());
  std::string cmd = "tar -tf " + (dir / "l.tar") + " > " + (dir / "list");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(testing::ReadFile(dir / "list"), "d/\nd/f\n");
}

// `RUN touch /tmp/Főtanúsítvány.crt` crashed the worker: libarchive
// converted the name through the C locale and dereferenced the NULL it got.
// Names are bytes: the same tar whatever the process locale, and each name
// (path, hard link and symlink target) reads back unchanged.
TEST(LayerWriterTest, NamesAreCarriedByteForByteInEveryLocale) {
  const std::vector<std::string> odd = testing::OddNames();
  std::map<std::string, std::string> tars;
  for (const char* locale : {"C", "C.UTF-8"}) {
    SCOPED_TRACE(locale);
    testing::ScopedProcessLocale scoped(locale);
    ASSERT_TRUE(scoped.ok());
    std::vector<LayerEntry> entries;
    for (const std::string& name : odd) entries.push_back(File(name, "content of " + name));
    LayerEntry hard = Node("names/hard", EntryType::kHardlink);
    hard.link_target = odd[0];
    LayerEntry sym = Node("names/sym", EntryType::kSymlink);
    sym.link_target = odd[2];
    LayerEntry sym_long = Node("names/sym-long", EntryType::kSymlink);
    sym_long.link_target = "../" + odd[3];
    entries.push_back(hard);
    entries.push_back(sym);
    entries.push_back(sym_long);
    StringSink out;
    Status written = WriteTar(entries, {}, &out);
    ASSERT_TRUE(written.ok()) << written.ToString();
    tars[locale] = out.data();

    StringSource in(out.data());
    Result<std::vector<LayerEntry>> back = ReadLayerEntries(&in);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    std::map<std::string, LayerEntry> by_path;
    for (const LayerEntry& e : *back) by_path[e.path] = e;
    ASSERT_EQ(by_path.size(), entries.size());
    for (const std::string& name : odd) {
      ASSERT_EQ(by_path.count(name), 1u) << name;
      EXPECT_EQ(by_path[name].content, "content of " + name);
    }
    EXPECT_EQ(by_path["names/hard"].type, EntryType::kHardlink);
    EXPECT_EQ(by_path["names/hard"].link_target, odd[0]);
    EXPECT_EQ(by_path["names/sym"].link_target, odd[2]);
    EXPECT_EQ(by_path["names/sym-long"].link_target, "../" + odd[3]);
  }
  EXPECT_EQ(tars["C"], tars["C.UTF-8"]);
  // A UTF-8 name is a plain pax path record, as Docker writes it.
  EXPECT_NE(tars["C"].find(" path=" + odd[0] + "\n"), std::string::npos);
}

// A UTF-16 surrogate pair in 3-byte form is the one byte string libarchive
// would rewrite: refused with the name rather than changed.
TEST(LayerWriterTest, SurrogatePairNameIsRefusedNotRewritten) {
  StringSink out;
  Status s = WriteTar({File("names/cesu\xed\xa0\x80\xed\xb0\x80", "x")}, {}, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("names/cesu"), std::string::npos);
}

TEST(LayerWriterTest, ShrunkSourceFileIsAnError) {
  testing::TempDir dir;
  testing::WriteFile(dir / "f", "abc");
  LayerEntry e = File("f", "");
  e.content.reset();
  e.source_path = dir / "f";
  e.size = 10;  // claims more than the file has
  StringSink out;
  Status s = WriteTar({e}, {}, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("shrank"), std::string::npos);
  EXPECT_FALSE(WriteTar({File("/abs", "x")}, {}, &out).ok());
}

}  // namespace
}  // namespace strata::image
