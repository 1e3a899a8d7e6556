#include "image/layer.h"

#include <gtest/gtest.h>

#include "image/layer_reader.h"
#include "image/media_types.h"
#include "image/test_tree.h"

namespace strata::image {
namespace {

void MakeTree(const std::string& root) {
  std::string big;
  for (int64_t i = 0; i < 300000; ++i) big += std::to_string(i * 7919 % 1000003) + ",";
  testing::WriteFile(root + "/etc/big.csv", big);
  testing::WriteFile(root + "/etc/small", "s");
  testing::WriteFile(root + "/bin/tool", "#!/bin/sh\necho hi\n", 0755);
}

std::string Decompressed(const std::string& blob) {
  StringSource in(blob);
  std::unique_ptr<ByteSource> src = NewDecompressingSource(&in);
  std::string out;
  char buf[65536];
  while (size_t n = *src->Read(buf, sizeof(buf))) out.append(buf, n);
  return out;
}

class LayerTest : public ::testing::TestWithParam<Compression> {};

TEST_P(LayerTest, OnePassGivesBothDigests) {
  testing::TempDir dir;
  MakeTree(dir.path());
  StringSink out;
  Result<LayerResult> r = WriteLayer(LayerSource::FromDirectory(dir.path()), GetParam(), &out);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(out.closed());
  EXPECT_EQ(r->blob_size, out.data().size());
  EXPECT_EQ(r->blob_digest, Digest::Sha256Of(out.data()));
  std::string tar = Decompressed(out.data());
  EXPECT_EQ(r->uncompressed_size, tar.size());
  EXPECT_EQ(r->diff_id, Digest::Sha256Of(tar));
  if (GetParam() == Compression::kNone) {
    EXPECT_EQ(r->diff_id, r->blob_digest);
  } else {
    EXPECT_LT(r->blob_size, r->uncompressed_size);
  }
  StringSource in(out.data());
  Result<std::vector<LayerEntry>> entries = ReadLayerEntries(&in);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 5u);
}

TEST_P(LayerTest, SameTreeSameDigestsWithSourceDateEpoch) {
  testing::TempDir a, b;
  MakeTree(a.path());
  MakeTree(b.path());
  LayerSource sa = LayerSource::FromDirectory(a.path());
  LayerSource sb = LayerSource::FromDirectory(b.path());
  sa.source_date_epoch = sb.source_date_epoch = 0;
  StringSink oa, ob;
  Result<LayerResult> ra = WriteLayer(sa, GetParam(), &oa);
  Result<LayerResult> rb = WriteLayer(sb, GetParam(), &ob);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->diff_id, rb->diff_id);
  EXPECT_EQ(ra->blob_digest, rb->blob_digest);
}

INSTANTIATE_TEST_SUITE_P(AllCompressions, LayerTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

class FailingSink : public ByteSink {
 public:
  Status Write(const void*, size_t) override { return Status::IOError("disk full"); }
  Status Close() override { return Status::OK(); }
};

TEST(LayerErrorsTest, SinkErrorSurfaces) {
  testing::TempDir dir;
  MakeTree(dir.path());
  FailingSink sink;
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    Result<LayerResult> r = WriteLayer(LayerSource::FromDirectory(dir.path()), c, &sink);
    ASSERT_FALSE(r.ok()) << CompressionName(c);
    EXPECT_NE(r.status().message().find("disk full"), std::string::npos);
  }
  Result<LayerResult> missing =
      WriteLayer(LayerSource::FromDirectory("/nonexistent/x"), Compression::kGzip, &sink);
  EXPECT_FALSE(missing.ok());
}

TEST(LayerErrorsTest, MediaTypes) {
  EXPECT_EQ(LayerMediaType(Compression::kGzip), media_type::kOciLayerGzip);
  EXPECT_EQ(LayerMediaType(Compression::kZstd), media_type::kOciLayerZstd);
  EXPECT_EQ(LayerMediaType(Compression::kNone), media_type::kOciLayer);
}

}  // namespace
}  // namespace strata::image
