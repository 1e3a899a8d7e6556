#include "image/layer_sink.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace strata::image {
namespace {

// A few MiB that compress somewhat: text runs between random runs.
std::string TarLikeBytes(size_t n) {
  std::mt19937_64 rng(7);
  std::string s;
  while (s.size() < n) {
    if (rng() % 2) {
      for (int i = 0; i < 5000; ++i) s += "static const int value = 0x1f;\n";
    } else {
      for (int i = 0; i < 20000; ++i) s += static_cast<char>(rng());
    }
  }
  s.resize(n);
  return s;
}

// The single-threaded reference: the compressor fed in 1 MiB pieces, as
// the pipeline feeds it.
std::string CompressInOneThread(Compression c, const std::string& data) {
  StringSink out;
  std::unique_ptr<ByteSink> compressor = NewCompressingSink(c, &out);
  for (size_t pos = 0; pos < data.size(); pos += 1 << 20) {
    EXPECT_TRUE(compressor->Write(data.substr(pos, 1 << 20)).ok());
  }
  EXPECT_TRUE(compressor->Close().ok());
  return out.data();
}

class LayerSinkTest : public ::testing::TestWithParam<Compression> {};

TEST_P(LayerSinkTest, SameBytesAndDigestsAsOneThread) {
  std::string tar = TarLikeBytes(5 * (1 << 20) + 12345);
  StringSink out;
  LayerSink sink(GetParam(), &out);
  for (size_t pos = 0, piece = 1; pos < tar.size(); pos += piece, piece = piece * 7 % 100003 + 1) {
    ASSERT_TRUE(sink.Write(tar.data() + pos, std::min(piece, tar.size() - pos)).ok());
  }
  ASSERT_TRUE(sink.Close().ok());
  EXPECT_TRUE(out.closed());
  LayerResult r = sink.Finish();

  std::string expected =
      GetParam() == Compression::kNone ? tar : CompressInOneThread(GetParam(), tar);
  EXPECT_TRUE(out.data() == expected) << "output bytes differ from a single-threaded pass";
  EXPECT_EQ(r.diff_id, Digest::Sha256Of(tar));
  EXPECT_EQ(r.uncompressed_size, tar.size());
  EXPECT_EQ(r.blob_digest, Digest::Sha256Of(expected));
  EXPECT_EQ(r.blob_size, expected.size());
}

TEST_P(LayerSinkTest, EmptyStream) {
  StringSink out;
  LayerSink sink(GetParam(), &out);
  ASSERT_TRUE(sink.Close().ok());
  LayerResult r = sink.Finish();
  EXPECT_EQ(r.diff_id, Digest::Sha256Of(""));
  EXPECT_EQ(r.uncompressed_size, 0u);
  EXPECT_EQ(r.blob_digest, Digest::Sha256Of(out.data()));
  EXPECT_EQ(r.blob_size, out.data().size());
}

// Fails every Write after the first `ok_writes`; counts Close calls.
class FlakySink : public ByteSink {
 public:
  explicit FlakySink(int ok_writes) : ok_writes_(ok_writes) {}
  Status Write(const void*, size_t) override {
    return ok_writes_-- > 0 ? Status::OK() : Status::IOError("blob store: no space left");
  }
  Status Close() override {
    ++closes;
    return Status::OK();
  }
  int closes = 0;

 private:
  int ok_writes_;
};

TEST_P(LayerSinkTest, OutputErrorReachesTheProducerAndLeavesOutOpen) {
  std::string tar = TarLikeBytes(4 << 20);
  for (int ok_writes : {0, 3}) {
    FlakySink out(ok_writes);
    LayerSink sink(GetParam(), &out);
    Status s;
    // Far more than the pipeline buffers, so Write itself must fail.
    for (int i = 0; i < 20 && s.ok(); ++i) s = sink.Write(tar);
    if (s.ok()) s = sink.Close();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("no space left"), std::string::npos) << s.ToString();
    EXPECT_EQ(out.closes, 0);
  }
}

TEST_P(LayerSinkTest, DestroyedUnclosedLeavesOutOpen) {
  StringSink out;
  {
    LayerSink sink(GetParam(), &out);
    ASSERT_TRUE(sink.Write(TarLikeBytes(3 << 20)).ok());
  }
  EXPECT_FALSE(out.closed());
}

INSTANTIATE_TEST_SUITE_P(AllCompressions, LayerSinkTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

}  // namespace
}  // namespace strata::image
