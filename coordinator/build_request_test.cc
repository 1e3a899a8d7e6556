#include "coordinator/build_request.h"

#include <gtest/gtest.h>

namespace strata::coordinator {
namespace {

TEST(BuildRequestTest, OptionsCarryTheCacheSwitchesNormalisedTagsAndLabels) {
  v1::SubmitBuild request;
  request.set_no_cache(true);
  request.add_no_cache_filter("Build");
  request.set_cache_debug(true);
  request.add_tags("alpine");
  request.set_has_source_date_epoch(true);
  request.set_source_date_epoch(1700000000);
  (*request.mutable_labels())["org.example"] = "yes";
  Result<BuildOptions> options = BuildOptionsOf(request);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_TRUE(options->no_cache);
  EXPECT_EQ(options->no_cache_filter, std::set<std::string>{"build"});
  EXPECT_TRUE(options->cache_debug);
  EXPECT_EQ(options->tags, std::vector<std::string>{"docker.io/library/alpine:latest"});
  EXPECT_EQ(options->source_date_epoch, 1700000000);
  EXPECT_EQ(options->labels.at("org.example"), "yes");
}

TEST(BuildRequestTest, AMalformedTagIsRefusedByName) {
  v1::SubmitBuild request;
  request.add_tags("Not A Tag");
  Result<BuildOptions> options = BuildOptionsOf(request);
  ASSERT_FALSE(options.ok());
  EXPECT_TRUE(options.status().IsInvalidArgument()) << options.status().ToString();
  EXPECT_NE(options.status().message().find("tag 'Not A Tag'"), std::string::npos)
      << options.status().message();
}

TEST(BuildRequestTest, TheResultNamesTheImageAndTheTagsAsWritten) {
  BuildResult result;
  result.image.id = Digest::Sha256Of("config");
  result.image.manifest_digest = Digest::Sha256Of("manifest");
  result.cached_steps = 2;
  result.ran_steps = 1;
  v1::SubmitBuild request;
  request.add_tags("alpine");
  v1::BuildResult out;
  FillBuildResult(result, request, &out);
  EXPECT_EQ(out.image_id(), Digest::Sha256Of("config").ToString());
  EXPECT_EQ(out.manifest_digest(), Digest::Sha256Of("manifest").ToString());
  ASSERT_EQ(out.tags_size(), 1);
  EXPECT_EQ(out.tags(0), "alpine");
  EXPECT_EQ(out.steps_cached(), 2u);
  EXPECT_EQ(out.steps_run(), 1u);
}

}  // namespace
}  // namespace strata::coordinator
