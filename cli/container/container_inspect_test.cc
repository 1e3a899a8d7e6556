#include "cli/container/container_inspect.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace strata::cli::container {
namespace {

using Json = nlohmann::json;

ContainerRecord Web() {
  ContainerRecord r;
  r.id = std::string(64, 'c');
  r.name = "web";
  r.image = "busybox";
  r.image_id = "sha256:" + std::string(64, 'a');
  r.config.os = "linux";
  r.config.config.entrypoint = std::vector<std::string>{"httpd"};
  r.config.config.cmd = std::vector<std::string>{"-f", "-p", "80"};
  r.config.config.env = {"PATH=/bin"};
  r.config.config.exposed_ports = {"80/tcp"};
  r.ports = {"0.0.0.0:80->80/tcp"};
  r.created_ns = 1700000000123456789LL;
  return r;
}

TEST(ContainerInspectTest, RunningContainerAsDocker) {
  ContainerRecord r = Web();
  r.state = State::kRunning;
  r.started_ns = 1700000001000000000LL;
  InspectFacts facts;
  facts.running = true;
  facts.pid = 4242;
  facts.dir = "/root/containers/" + r.id;
  Json j = Json::parse(InspectJson(r, facts));
  EXPECT_EQ(j["Id"], r.id);
  EXPECT_EQ(j["Name"], "/web");
  EXPECT_EQ(j["Created"], "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(j["Path"], "httpd");
  EXPECT_EQ(j["Args"], (Json{"-f", "-p", "80"}));
  EXPECT_EQ(j["State"]["Status"], "running");
  EXPECT_EQ(j["State"]["Running"], true);
  EXPECT_EQ(j["State"]["Pid"], 4242);
  EXPECT_EQ(j["State"]["StartedAt"], "2023-11-14T22:13:21Z");
  EXPECT_EQ(j["State"]["FinishedAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j["Image"], r.image_id);
  EXPECT_EQ(j["RestartCount"], 0);
  EXPECT_EQ(j["HostConfig"]["NetworkMode"], "host");
  Json binding = Json::array({{{"HostIp", "0.0.0.0"}, {"HostPort", "80"}}});
  EXPECT_EQ(j["HostConfig"]["PortBindings"]["80/tcp"], binding);
  EXPECT_EQ(j["NetworkSettings"]["Ports"]["80/tcp"], binding);
  EXPECT_EQ(j["Config"]["Hostname"], "cccccccccccc");
  EXPECT_EQ(j["Config"]["Image"], "busybox");
  EXPECT_EQ(j["Config"]["Entrypoint"], Json{"httpd"});
  EXPECT_EQ(j["Config"]["Env"], Json{"PATH=/bin"});
  EXPECT_TRUE(j["Config"]["ExposedPorts"].contains("80/tcp"));
  EXPECT_EQ(j["Mounts"], Json::array());
  EXPECT_FALSE(j.contains("SizeRw"));
}

TEST(ContainerInspectTest, ExitedContainerHasNoPortsPidOrRunningState) {
  ContainerRecord r = Web();
  r.state = State::kExited;
  r.exit_code = 3;
  r.error = "boom";
  r.config.config.entrypoint.reset();
  InspectFacts facts;
  facts.size_rw = 12;
  facts.size_root_fs = 34;
  Json j = Json::parse(InspectJson(r, facts));
  EXPECT_EQ(j["State"]["Status"], "exited");
  EXPECT_EQ(j["State"]["Running"], false);
  EXPECT_EQ(j["State"]["Pid"], 0);
  EXPECT_EQ(j["State"]["ExitCode"], 3);
  EXPECT_EQ(j["State"]["Error"], "boom");
  EXPECT_EQ(j["State"]["StartedAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j["NetworkSettings"]["Ports"], Json::object());
  EXPECT_FALSE(j["HostConfig"]["PortBindings"].empty());
  EXPECT_TRUE(j["Config"]["Entrypoint"].is_null());
  EXPECT_EQ(j["Path"], "-f");
  EXPECT_EQ(j["SizeRw"], 12);
  EXPECT_EQ(j["SizeRootFs"], 34);
}

}  // namespace
}  // namespace strata::cli::container
