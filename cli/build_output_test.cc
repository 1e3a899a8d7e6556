#include "cli/build_output.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

TEST(BuildOutputTest, Archives) {
  auto oci = ParseBuildOutput("type=oci,dest=out.tar");
  ASSERT_TRUE(oci.ok());
  EXPECT_EQ(oci->type, "oci");
  EXPECT_EQ(oci->dest, "out.tar");
  EXPECT_FALSE(oci->push);
  auto bare = ParseBuildOutput("out.tar");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->type, "oci");
  EXPECT_EQ(bare->dest, "out.tar");
  auto docker = ParseBuildOutput("type=docker,dest=d.tar");
  ASSERT_TRUE(docker.ok());
  EXPECT_EQ(docker->type, "docker");
  EXPECT_EQ(ParseBuildOutput("type=oci").status().message(),
            "--output type=oci: dest=FILE is required");
  EXPECT_EQ(ParseBuildOutput("type=oci,dest=o.tar,compression=zstd").status().message(),
            "--output type=oci,dest=o.tar,compression=zstd: compression is not supported yet "
            "(oci archives take dest=FILE)");
}

TEST(BuildOutputTest, ImageWithNamesAndPush) {
  auto image = ParseBuildOutput("type=image,name=127.0.0.1:5000/app:v1,push=true");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->type, "image");
  EXPECT_EQ(image->names, std::vector<std::string>{"127.0.0.1:5000/app:v1"});
  EXPECT_TRUE(image->push);
  auto two = ParseBuildOutput("type=image,\"name=a:1,b:2\",push=false");
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(two->names, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_FALSE(two->push);
  auto registry = ParseBuildOutput("type=registry");
  ASSERT_TRUE(registry.ok());
  EXPECT_EQ(registry->type, "image");
  EXPECT_TRUE(registry->push);
  EXPECT_TRUE(registry->names.empty());  // the -t tags
}

TEST(BuildOutputTest, UnsupportedIsSaidSo) {
  EXPECT_EQ(ParseBuildOutput("type=image,push=true,compression=zstd").status().message(),
            "--output type=image,push=true,compression=zstd: compression is not supported yet "
            "(type=image takes name= and push=)");
  EXPECT_EQ(ParseBuildOutput("type=local,dest=dir").status().message(),
            "--output type=local,dest=dir: type 'local' is not supported yet; use type=oci, "
            "docker, image or registry");
  EXPECT_EQ(ParseBuildOutput("type=image,push=maybe").status().message(),
            "--output type=image,push=maybe: push=maybe is not a boolean (use true or false)");
}

}  // namespace
}  // namespace strata::cli
