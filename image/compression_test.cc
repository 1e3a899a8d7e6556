#include "image/compression.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "image/test_tree.h"

namespace strata::image {
namespace {

std::string Payload() {
  std::string s;
  std::mt19937 rng(7);
  for (int i = 0; i < 200000; ++i) s += "line " + std::to_string(i % 977) + "\n";
  for (int i = 0; i < 300000; ++i) s.push_back(static_cast<char>(rng()));
  return s;
}

std::string Compress(Compression c, const std::string& data, CompressionOptions options = {}) {
  StringSink out;
  std::unique_ptr<ByteSink> sink = NewCompressingSink(c, &out, options);
  // Feed in uneven pieces to exercise streaming.
  for (size_t pos = 0; pos < data.size(); pos += 70001) {
    EXPECT_TRUE(sink->Write(std::string_view(data).substr(pos, 70001)).ok());
  }
  EXPECT_TRUE(sink->Close().ok());
  EXPECT_TRUE(out.closed());
  return out.data();
}

Result<std::string> PullDecompressed(const std::string& data) {
  StringSource in(data);
  std::unique_ptr<ByteSource> src = NewDecompressingSource(&in);
  std::string out;
  char buf[4096];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, src->Read(buf, sizeof(buf)));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

// The sink side, fed in pieces of `piece` bytes (a download's chunks).
Result<std::string> PushDecompressed(const std::string& data, size_t piece) {
  StringSink out;
  std::unique_ptr<ByteSink> sink = NewDecompressingSink(&out);
  for (size_t pos = 0; pos < data.size(); pos += piece) {
    TRY(sink->Write(std::string_view(data).substr(pos, piece)));
  }
  TRY(sink->Close());
  EXPECT_TRUE(out.closed());
  return out.data();
}

// Both directions, which must agree (content, or the kind of error).
Result<std::string> Decompress(const std::string& data) {
  Result<std::string> pulled = PullDecompressed(data);
  for (size_t piece : {size_t{1}, size_t{3}, size_t{65536}, data.size() + 1}) {
    if (piece == 1 && data.size() > 100000) continue;  // byte by byte only on small inputs
    Result<std::string> pushed = PushDecompressed(data, piece);
    EXPECT_EQ(pushed.ok(), pulled.ok()) << "piece " << piece << ": "
                                        << (pushed.ok() ? "" : pushed.status().ToString());
    if (pushed.ok() && pulled.ok()) {
      EXPECT_TRUE(*pushed == *pulled) << "piece " << piece;
    } else if (!pushed.ok() && !pulled.ok()) {
      EXPECT_EQ(pushed.status().code(), pulled.status().code()) << "piece " << piece;
    }
  }
  return pulled;
}

TEST(CompressionTest, GzipRoundTripAndFixedHeader) {
  std::string data = Payload();
  std::string gz = Compress(Compression::kGzip, data);
  ASSERT_GE(gz.size(), 18u);
  EXPECT_LT(gz.size(), data.size());
  // Header without name, mtime 0, OS unknown: reproducible.
  EXPECT_EQ(gz.substr(0, 10), std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
  EXPECT_EQ(DetectCompression(gz), Compression::kGzip);
  EXPECT_EQ(gz, Compress(Compression::kGzip, data));
  Result<std::string> back = Decompress(gz);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, data);
}

TEST(CompressionTest, GzipReadableBySystemGzip) {
  testing::TempDir dir;
  std::string data = Payload();
  testing::WriteFile(dir / "x.gz", Compress(Compression::kGzip, data));
  std::string cmd = "gzip -dc " + (dir / "x.gz") + " > " + (dir / "x");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(testing::ReadFile(dir / "x"), data);
}

TEST(CompressionTest, ReadsMultiMemberGzipFromSystemTool) {
  testing::TempDir dir;
  testing::WriteFile(dir / "a", "hello ");
  testing::WriteFile(dir / "b", "world");
  std::string cmd = "(gzip -c " + (dir / "a") + "; gzip -c " + (dir / "b") + ") > " + (dir / "ab.gz");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Result<std::string> back = Decompress(testing::ReadFile(dir / "ab.gz"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, "hello world");
}

TEST(CompressionTest, ZstdRoundTripSingleAndMultiThreaded) {
  std::string data = Payload();
  std::string zst = Compress(Compression::kZstd, data);
  EXPECT_EQ(DetectCompression(zst), Compression::kZstd);
  EXPECT_EQ(*Decompress(zst), data);
  CompressionOptions mt;
  mt.zstd_workers = 2;
  std::string zst_mt = Compress(Compression::kZstd, data, mt);
  EXPECT_EQ(*Decompress(zst_mt), data);
  EXPECT_EQ(zst_mt, Compress(Compression::kZstd, data, mt));
}

TEST(CompressionTest, PlainPassesThroughAndCorruptionIsReported) {
  EXPECT_EQ(*Decompress("plain text"), "plain text");
  EXPECT_EQ(*Decompress(""), "");
  std::string gz = Compress(Compression::kGzip, Payload());
  Result<std::string> truncated = Decompress(gz.substr(0, gz.size() / 2));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kCorruption);
  std::string bad = gz;
  bad[bad.size() - 6] ^= 0x55;  // the CRC
  EXPECT_FALSE(Decompress(bad).ok());
  std::string zst = Compress(Compression::kZstd, Payload());
  Result<std::string> zt = Decompress(zst.substr(0, zst.size() - 10));
  ASSERT_FALSE(zt.ok());
  EXPECT_EQ(zt.status().code(), StatusCode::kCorruption);
}

TEST(CompressionTest, SinkTakesSmallStreamsAndMultiMemberGzipInTinyPieces) {
  std::string a = Compress(Compression::kGzip, "first member\n");
  std::string b = Compress(Compression::kGzip, "second member\n");
  Result<std::string> both = PushDecompressed(a + b, 1);
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(*both, "first member\nsecond member\n");
  Result<std::string> tiny = PushDecompressed("ab", 1);  // shorter than any magic: plain
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(*tiny, "ab");
  Result<std::string> trailing = PushDecompressed(a + "junk", 5);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Decompress(Compress(Compression::kZstd, "")).value_or("x"), "");
}

}  // namespace
}  // namespace strata::image
