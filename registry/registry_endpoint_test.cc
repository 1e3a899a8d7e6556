#include "registry/registry_endpoint.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace strata::registry {
namespace {

TEST(RegistryEndpointTest, DockerHubAndHttpsByDefault) {
  unsetenv("STRATA_INSECURE_REGISTRIES");
  RegistryEndpoint hub = ResolveEndpoint("docker.io", {});
  EXPECT_EQ(hub.BaseUrl(), "https://registry-1.docker.io");
  EXPECT_EQ(ResolveEndpoint("ghcr.io", {}).BaseUrl(), "https://ghcr.io");
  EXPECT_EQ(ResolveEndpoint("reg.example:5000", {}).BaseUrl(), "https://reg.example:5000");
}

TEST(RegistryEndpointTest, LoopbackIsPlainHttpAsInDocker) {
  unsetenv("STRATA_INSECURE_REGISTRIES");
  EXPECT_EQ(ResolveEndpoint("127.0.0.1:5000", {}).BaseUrl(), "http://127.0.0.1:5000");
  EXPECT_TRUE(ResolveEndpoint("127.3.4.5", {}).insecure);
  EXPECT_TRUE(ResolveEndpoint("localhost:5000", {}).insecure);
  EXPECT_TRUE(ResolveEndpoint("[::1]:5000", {}).insecure);
  EXPECT_FALSE(ResolveEndpoint("128.0.0.1:5000", {}).insecure);
  EXPECT_FALSE(ResolveEndpoint("127.0.0.1.example.com", {}).insecure);
}

TEST(RegistryEndpointTest, ConfiguredAndEnvironmentInsecureRegistries) {
  unsetenv("STRATA_INSECURE_REGISTRIES");
  EXPECT_TRUE(ResolveEndpoint("reg.lan:5000", {"reg.lan:5000"}).insecure);
  EXPECT_TRUE(ResolveEndpoint("reg.lan:5000", {"reg.lan"}).insecure);
  EXPECT_FALSE(ResolveEndpoint("reg.lan:5001", {"reg.lan:5000"}).insecure);
  setenv("STRATA_INSECURE_REGISTRIES", "a.lan:1, http://b.lan:2/", 1);
  EXPECT_TRUE(ResolveEndpoint("a.lan:1", {}).insecure);
  EXPECT_TRUE(ResolveEndpoint("b.lan:2", {}).insecure);
  EXPECT_FALSE(ResolveEndpoint("c.lan:3", {}).insecure);
  unsetenv("STRATA_INSECURE_REGISTRIES");
}

TEST(RegistryEndpointTest, LoginArgument) {
  EXPECT_EQ(LoginArgument("docker.io"), "");
  EXPECT_EQ(LoginArgument("127.0.0.1:5000"), "127.0.0.1:5000");
}

}  // namespace
}  // namespace strata::registry
