#include "dockerfile/image_reference.h"

#include <gtest/gtest.h>

#include "dockerfile/platform.h"

namespace strata::dockerfile {
namespace {

TEST(ImageReferenceTest, AcceptsWellFormedReferences) {
  for (const char* ref : {"alpine", "alpine:3.19", "library/alpine", "docker.io/library/alpine:3",
                          "localhost:5000/my-app_x/y.z:v1",
                          "ghcr.io/o/r@sha256:"
                          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                          "Registry.Example.com/a", "[::1]:5000/a", "a__b", "a--b"}) {
    EXPECT_TRUE(ValidateImageReference(ref).ok())
        << ref << ": " << ValidateImageReference(ref).message();
  }
}

TEST(ImageReferenceTest, RejectsMalformedReferences) {
  EXPECT_EQ(ValidateImageReference("Alpine").message(),
            "invalid reference format \"Alpine\": repository name must be lowercase");
  for (const char* ref :
       {"", "a b", "foo!", "a:", ":tag", "a@sha256:12", "-a", "a/", "a//b", "a:-tag", "a___b"}) {
    EXPECT_FALSE(ValidateImageReference(ref).ok()) << ref;
  }
}

TEST(PlatformTest, ParsesAndNormalizes) {
  EXPECT_EQ(FormatPlatform(*ParsePlatform("linux/amd64")), "linux/amd64");
  EXPECT_EQ(FormatPlatform(*ParsePlatform("Linux/x86_64")), "linux/amd64");
  EXPECT_EQ(FormatPlatform(*ParsePlatform("linux/arm/v7")), "linux/arm/v7");
  EXPECT_EQ(FormatPlatform(*ParsePlatform("linux/arm")), "linux/arm/v7");
  EXPECT_EQ(FormatPlatform(*ParsePlatform("linux/aarch64")), "linux/arm64");
  EXPECT_EQ(FormatPlatform(*ParsePlatform("arm64")), "linux/arm64");
  EXPECT_FALSE(ParsePlatform("linux/").ok());
  EXPECT_FALSE(ParsePlatform("a/b/c/d").ok());
  EXPECT_FALSE(ParsePlatform("nonsense").ok());
}

}  // namespace
}  // namespace strata::dockerfile
