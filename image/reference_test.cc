#include "image/reference.h"

#include <gtest/gtest.h>

namespace strata::image {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'e');

std::string Canonical(std::string_view text) {
  Result<Reference> r = ParseReference(text);
  return r.ok() ? r->String() : "ERROR: " + r.status().message();
}

TEST(ReferenceTest, NormalisesDockerHubNames) {
  Result<Reference> r = ParseReference("busybox");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->String(), "docker.io/library/busybox:latest");
  EXPECT_EQ(r->domain(), "docker.io");
  EXPECT_EQ(r->path(), "library/busybox");
  EXPECT_EQ(r->tag(), "latest");
  EXPECT_EQ(r->FamiliarString(), "busybox:latest");
  EXPECT_EQ(r->FamiliarName(), "busybox");
  EXPECT_EQ(Canonical("user/app:1.0"), "docker.io/user/app:1.0");
  EXPECT_EQ(ParseReference("user/app:1.0")->FamiliarString(), "user/app:1.0");
  EXPECT_EQ(Canonical("index.docker.io/library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(Canonical("docker.io/busybox:1.36"), "docker.io/library/busybox:1.36");
}

TEST(ReferenceTest, RegistryHostsAndPorts) {
  Result<Reference> r = ParseReference("localhost:5000/foo:bar");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->domain(), "localhost:5000");
  EXPECT_EQ(r->path(), "foo");
  EXPECT_EQ(r->tag(), "bar");
  EXPECT_EQ(r->FamiliarString(), "localhost:5000/foo:bar");
  EXPECT_EQ(Canonical("localhost:5000/x"), "localhost:5000/x:latest");
  EXPECT_EQ(Canonical("localhost/x"), "localhost/x:latest");
  EXPECT_EQ(Canonical("ghcr.io/org/sub/img:v1.2-rc_3"), "ghcr.io/org/sub/img:v1.2-rc_3");
  EXPECT_EQ(Canonical("[::1]:5000/x"), "[::1]:5000/x:latest");
  EXPECT_EQ(Canonical("a__b/c-d--e/f.g"), "docker.io/a__b/c-d--e/f.g:latest");
}

TEST(ReferenceTest, Digests) {
  Result<Reference> r = ParseReference("x@" + kDigest);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tag(), "");
  EXPECT_EQ(r->digest(), kDigest);
  EXPECT_EQ(r->String(), "docker.io/library/x@" + kDigest);
  EXPECT_EQ(r->FamiliarString(), "x@" + kDigest);

  Result<Reference> both = ParseReference("x:tag@" + kDigest);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->tag(), "tag");
  EXPECT_EQ(both->digest(), kDigest);
  EXPECT_EQ(Canonical("localhost:5000/x:t@" + kDigest), "localhost:5000/x:t@" + kDigest);
}

TEST(ReferenceTest, RejectsWithDockersWording) {
  EXPECT_EQ(Canonical("UPPER:case"),
            "ERROR: invalid reference format: repository name (library/UPPER) must be lowercase");
  EXPECT_EQ(Canonical("a:b:c"), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical(""), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("-x"), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("x:"), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("x:-tag"), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("x:" + std::string(129, 't')), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("x__y_"), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("x@sha256:abc"), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("x@sha256:" + std::string(63, 'a')), "ERROR: invalid checksum digest length");
  EXPECT_EQ(Canonical("x@md5:" + std::string(32, 'a')), "ERROR: unsupported digest algorithm");
  EXPECT_EQ(Canonical(std::string(64, 'a')),
            "ERROR: invalid repository name (" + std::string(64, 'a') +
                "), cannot specify 64-byte hexadecimal strings");
  EXPECT_EQ(Canonical("localhost:port/x"), "ERROR: invalid reference format");
  EXPECT_EQ(Canonical("example.com/" + std::string(250, 'a')),
            "ERROR: repository name must not be more than 255 characters");
  Result<Reference> r = ParseReference("a:b:c");
  EXPECT_TRUE(r.status().IsInvalidArgument());
}

}  // namespace
}  // namespace strata::image
