#include "image/tar_import.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "common/file_util.h"
#include "image/archive_test_util.h"
#include "image/layer_extract.h"
#include "image/layer_writer.h"
#include "image/test_tree.h"

namespace strata::image {
namespace {

LayerEntry File(std::string path, std::string content) {
  LayerEntry e;
  e.path = std::move(path);
  e.size = content.size();
  e.content = std::move(content);
  return e;
}

std::string Tar(std::vector<LayerEntry> entries) {
  StringSink out;
  EXPECT_TRUE(WriteTar(std::move(entries), {}, &out).ok());
  return out.data();
}

std::string Decompressed(const std::string& blob) {
  StringSource in(blob);
  std::unique_ptr<ByteSource> src = NewDecompressingSource(&in);
  std::string out;
  char buf[65536];
  while (size_t n = *src->Read(buf, sizeof(buf))) out.append(buf, n);
  return out;
}

class TarImportTest : public ::testing::TestWithParam<Compression> {};

TEST_P(TarImportTest, LayerIsTheTarWithBothDigests) {
  std::string big;
  for (int64_t i = 0; i < 300000; ++i) big += std::to_string(i * 7919 % 1000003) + ",";
  std::string tar = Tar({File("etc/big.csv", big), File("etc/small", "s")});
  for (Compression given : {Compression::kNone, Compression::kGzip}) {
    StringSink given_blob;
    std::unique_ptr<ByteSink> compressor = NewCompressingSink(given, &given_blob);
    ASSERT_TRUE(compressor->Write(tar).ok());
    ASSERT_TRUE(compressor->Close().ok());
    StringSource in(given_blob.data());
    StringSink out;
    Result<LayerResult> r = ImportTarAsLayer(&in, GetParam(), &out);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(out.closed());
    EXPECT_EQ(Decompressed(out.data()), tar);
    EXPECT_EQ(r->diff_id, Digest::Sha256Of(tar));
    EXPECT_EQ(r->uncompressed_size, tar.size());
    EXPECT_EQ(r->blob_digest, Digest::Sha256Of(out.data()));
    EXPECT_EQ(r->blob_size, out.data().size());
  }
}

// `image import` of a tarball made by GNU tar (posix and gnu formats),
// whose names are UTF-8, not UTF-8, and longer than 100 bytes: the layer
// holds them unchanged, whatever the process locale, and they unpack so.
TEST_P(TarImportTest, NamesFromGnuTarSurviveByteForByte) {
  const std::vector<std::string> odd = testing::OddNames();
  testing::TempDir dir;
  for (const std::string& name : odd) testing::WriteFile(dir / ("tree/" + name), name);
  ASSERT_EQ(::link((dir / ("tree/" + odd[0])).c_str(), (dir / "tree/names/hard").c_str()), 0);
  ASSERT_EQ(::symlink(odd[2].c_str(), (dir / "tree/names/sym").c_str()), 0);
  for (const char* format : {"posix", "gnu"}) {
    std::string tar = dir / (std::string(format) + ".tar");
    std::string cmd =
        "tar --format=" + std::string(format) + " -C " + (dir / "tree") + " -cf " + tar + " names";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    for (const char* locale : {"C", "C.UTF-8"}) {
      SCOPED_TRACE(std::string(format) + " in " + locale);
      testing::ScopedProcessLocale scoped(locale);
      ASSERT_TRUE(scoped.ok());
      StringSource in(testing::ReadFile(tar));
      StringSink out;
      Result<LayerResult> r = ImportTarAsLayer(&in, GetParam(), &out);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      StringSource layer(out.data());
      std::string root = dir / (std::string("out-") + format + "-" + locale);
      ASSERT_TRUE(MakeDirs(root, 0755).ok());
      Result<ExtractResult> extracted = ExtractLayer(&layer, root);
      ASSERT_TRUE(extracted.ok()) << extracted.status().ToString();
      for (const std::string& name : odd) EXPECT_EQ(testing::ReadFile(root + "/" + name), name);
      struct stat a, b;
      ASSERT_EQ(::lstat((root + "/" + odd[0]).c_str(), &a), 0);
      ASSERT_EQ(::lstat((root + "/names/hard").c_str(), &b), 0);
      EXPECT_EQ(a.st_ino, b.st_ino);
      char target[256] = {};
      ASSERT_GT(::readlink((root + "/names/sym").c_str(), target, sizeof target - 1), 0);
      EXPECT_EQ(std::string(target), odd[2]);
    }
  }
}

TEST_P(TarImportTest, RejectsAnEscapingNameAndLeavesOutOpen) {
  StringSource in(Tar({File("a/../../etc/passwd", "x")}));
  StringSink out;
  Result<LayerResult> r = ImportTarAsLayer(&in, GetParam(), &out);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(".."), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(out.closed());
}

// Found by archive_fuzz: the "corrupt tar at entry" message built a
// std::string from the null name of a damaged header and crashed the
// coordinator (`image import`).
TEST(TarImportFuzzTest, CorruptEntryWithoutANameIsAnError) {
  std::string tar = testing::DamagedHeaderTar();
  StringSource in(tar);
  StringSink out;
  Result<LayerResult> r = ImportTarAsLayer(&in, Compression::kNone, &out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  EXPECT_EQ(r.status().message().rfind("corrupt tar after 1 entries: ", 0), 0u)
      << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(AllCompressions, TarImportTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

}  // namespace
}  // namespace strata::image
