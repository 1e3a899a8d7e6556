#include "image/image_config.h"

#include <gtest/gtest.h>

namespace strata::image {
namespace {

ImageConfig SampleConfig() {
  ImageConfig c;
  c.created = "2024-05-06T07:08:09Z";
  c.author = "strata";
  c.architecture = "amd64";
  c.os = "linux";
  c.config.user = "app";
  c.config.exposed_ports = {"80/tcp", "53/udp"};
  c.config.env = {"PATH=/usr/bin:/bin", "A=b"};
  c.config.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
  c.config.cmd = std::vector<std::string>{};
  c.config.volumes = {"/data"};
  c.config.working_dir = "/srv";
  c.config.labels = {{"b", "2"}, {"a", "1"}};
  c.config.stop_signal = "SIGTERM";
  c.config.healthcheck = Healthcheck{{"CMD-SHELL", "true"}, 30000000000, 5000000000, 0, 0, 3};
  c.config.shell = std::vector<std::string>{"/bin/bash", "-c"};
  c.config.on_build = {"RUN echo hi"};
  c.config.args_escaped = true;
  c.rootfs.diff_ids = {Digest::Sha256Of("layer1"), Digest::Sha256Of("layer2")};
  c.history = {{"2024-05-06T07:08:09Z", "/bin/sh -c #(nop) ADD file", "", "", false},
               {"2024-05-06T07:08:10Z", "/bin/sh -c #(nop) CMD []", "", "c", true}};
  return c;
}

TEST(ImageConfigTest, RoundTripsEveryField) {
  ImageConfig c = SampleConfig();
  Result<ImageConfig> back = ImageConfig::FromJson(c.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
  // Empty Cmd stays empty, not absent.
  ASSERT_TRUE(back->config.cmd.has_value());
  EXPECT_TRUE(back->config.cmd->empty());
}

TEST(ImageConfigTest, SameConfigSameDigest) {
  ImageConfig a = SampleConfig(), b = SampleConfig();
  EXPECT_EQ(a.ToJson(), b.ToJson());
  EXPECT_EQ(a.ComputeDigest(), b.ComputeDigest());
  // Re-reading and writing again gives the same bytes.
  EXPECT_EQ(ImageConfig::FromJson(a.ToJson())->ToJson(), a.ToJson());
  b.config.env.push_back("X=1");
  EXPECT_NE(a.ComputeDigest(), b.ComputeDigest());
  // Maps and sets are written sorted.
  std::string json = a.ToJson();
  EXPECT_LT(json.find("\"53/udp\""), json.find("\"80/tcp\""));
  EXPECT_LT(json.find("\"a\":\"1\""), json.find("\"b\":\"2\""));
}

TEST(ImageConfigTest, ReadsDockerStyleNulls) {
  std::string json = R"({"architecture":"amd64","os":"linux",
    "config":{"Env":["PATH=/bin"],"Cmd":null,"Entrypoint":null,"Labels":null,
              "ExposedPorts":{"8080/tcp":{}},"OnBuild":null},
    "rootfs":{"type":"layers","diff_ids":["sha256:)" + std::string(64, 'c') + R"("]},
    "history":[{"created":"2024-01-01T00:00:00Z","created_by":"x","empty_layer":true}],
    "container_config":{"Hostname":"abc"},"docker_version":"24.0.0"})";
  Result<ImageConfig> c = ImageConfig::FromJson(json);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->config.cmd.has_value());
  EXPECT_EQ(c->config.exposed_ports.count("8080/tcp"), 1u);
  ASSERT_EQ(c->rootfs.diff_ids.size(), 1u);
  EXPECT_TRUE(c->history[0].empty_layer);
}

TEST(ImageConfigTest, RejectsMalformedFieldsByName) {
  auto message = [](const std::string& json) {
    Result<ImageConfig> c = ImageConfig::FromJson(json);
    EXPECT_FALSE(c.ok());
    return c.ok() ? std::string() : c.status().message();
  };
  EXPECT_EQ(message(R"({"os":"linux","rootfs":{"type":"layers"}})"),
            "image config: field \"architecture\": is required");
  EXPECT_EQ(message(R"({"architecture":"amd64","os":"linux","config":{"Env":"A=1"},"rootfs":{"type":"layers"}})"),
            "image config: field \"config.Env\": expected an array of strings, got string");
  EXPECT_EQ(message(R"({"architecture":"amd64","os":"linux","config":{"Cmd":["a",1]},"rootfs":{"type":"layers"}})"),
            "image config: field \"config.Cmd[1]\": expected a string, got number");
  EXPECT_NE(message(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["md5:x"]}})")
                .find("rootfs.diff_ids[0]"),
            std::string::npos);
  EXPECT_NE(message(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers"},"history":[{"empty_layer":"yes"}]})")
                .find("history[0].empty_layer"),
            std::string::npos);
}

}  // namespace
}  // namespace strata::image
