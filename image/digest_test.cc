#include "image/digest.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(DigestTest, Sha256OfKnownVectors) {
  EXPECT_EQ(Digest::Sha256Of("").ToString(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Digest::Sha256Of("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, StreamingEqualsOneShot) {
  Sha256Hasher h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h.Finish(), Digest::Sha256Of("abc"));
}

TEST(DigestTest, ParseValidatesFormat) {
  std::string good = "sha256:" + std::string(64, 'a');
  ASSERT_TRUE(Digest::Parse(good).ok());
  EXPECT_EQ(Digest::Parse(good)->Short(), "aaaaaaaaaaaa");
  EXPECT_FALSE(Digest::Parse("sha256:abc").ok());
  EXPECT_FALSE(Digest::Parse("md5:" + std::string(32, 'a')).ok());
  EXPECT_FALSE(Digest::Parse("sha256:" + std::string(64, 'A')).ok());
  EXPECT_FALSE(Digest::Parse("nocolon").ok());
}

}  // namespace
}  // namespace strata
