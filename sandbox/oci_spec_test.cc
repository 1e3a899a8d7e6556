#include "sandbox/oci_spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace strata::sandbox {
namespace {

using Json = nlohmann::json;

Json Build(const RunSpec& spec) {
  return Json::parse(
      BuildOciConfig(spec, {"box", "/strata/c1", 4096}, {"/b/hosts", "/b/resolv.conf"}));
}

RunSpec BasicSpec() {
  RunSpec spec;
  spec.rootfs = "/r";
  spec.args = {"sh", "-c", "true"};
  return spec;
}

std::vector<std::string> NamespaceTypes(const Json& config) {
  std::vector<std::string> types;
  for (const Json& ns : config["linux"]["namespaces"]) types.push_back(ns["type"]);
  return types;
}

const Json* FindMount(const Json& config, const std::string& destination) {
  for (const Json& m : config["mounts"]) {
    if (m["destination"] == destination) return &m;
  }
  return nullptr;
}

TEST(OciSpecTest, HostNetworkSharesTheHostNamespace) {
  Json config = Build(BasicSpec());
  std::vector<std::string> types = NamespaceTypes(config);
  EXPECT_EQ(types, (std::vector<std::string>{"pid", "ipc", "uts", "mount"}));
}

TEST(OciSpecTest, NetworkNoneGetsItsOwnNamespace) {
  RunSpec spec = BasicSpec();
  spec.network = NetworkMode::kNone;
  std::vector<std::string> types = NamespaceTypes(Build(spec));
  EXPECT_NE(std::find(types.begin(), types.end(), "network"), types.end());
}

TEST(OciSpecTest, ProcessHasDockerDefaults) {
  RunSpec spec = BasicSpec();
  spec.uid = 1000;
  spec.gid = 1000;
  spec.additional_gids = {50, 29};
  spec.cwd = "/work";
  spec.env = {"FOO=bar"};
  Json config = Build(spec);
  const Json& process = config["process"];
  EXPECT_EQ(process["terminal"], false);
  EXPECT_EQ(process["noNewPrivileges"], false);
  EXPECT_EQ(process["user"]["uid"], 1000);
  EXPECT_EQ(process["user"]["additionalGids"], Json::array({50, 29}));
  EXPECT_EQ(process["cwd"], "/work");
  EXPECT_EQ(process["args"], Json::array({"sh", "-c", "true"}));
  EXPECT_EQ(process["env"], Json::array({kDefaultPath, "FOO=bar"}));
  EXPECT_EQ(process["capabilities"]["bounding"].size(), 14u);
  EXPECT_EQ(process["capabilities"]["effective"], process["capabilities"]["bounding"]);
  EXPECT_FALSE(process["capabilities"].contains("inheritable"));
  EXPECT_EQ(process["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(process["rlimits"][0]["hard"], 4096);
  EXPECT_FALSE(config["linux"].contains("seccomp"));
}

TEST(OciSpecTest, GivenPathIsKept) {
  RunSpec spec = BasicSpec();
  spec.env = {"PATH=/opt/bin"};
  EXPECT_EQ(Build(spec)["process"]["env"], Json::array({"PATH=/opt/bin"}));
}

TEST(OciSpecTest, MountsFollowDocker) {
  RunSpec spec = BasicSpec();
  spec.mounts = {{"/host/cache", "/cache", true}};
  Json config = Build(spec);
  for (const char* d : {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                        "/etc/hosts", "/etc/resolv.conf", "/cache"}) {
    EXPECT_NE(FindMount(config, d), nullptr) << d;
  }
  const Json* sys = FindMount(config, "/sys");
  ASSERT_NE(sys, nullptr);
  const Json& sys_options = (*sys)["options"];
  EXPECT_NE(std::find(sys_options.begin(), sys_options.end(), "ro"), sys_options.end());
  const Json* hosts = FindMount(config, "/etc/hosts");
  ASSERT_NE(hosts, nullptr);
  EXPECT_EQ((*hosts)["source"], "/b/hosts");
  EXPECT_EQ((*hosts)["type"], "bind");
  const Json* cache = FindMount(config, "/cache");
  ASSERT_NE(cache, nullptr);
  const Json& cache_options = (*cache)["options"];
  EXPECT_NE(std::find(cache_options.begin(), cache_options.end(), "ro"), cache_options.end());
  EXPECT_EQ(config["hostname"], "box");
  EXPECT_EQ(config["linux"]["cgroupsPath"], "/strata/c1");
  EXPECT_EQ(config["root"]["path"], "/r");
  EXPECT_EQ(config["root"]["readonly"], false);
  EXPECT_GE(config["linux"]["maskedPaths"].size(), 10u);
  EXPECT_EQ(config["linux"]["readonlyPaths"].size(), 5u);
}

TEST(OciSpecTest, NofileNeverAboveDockersOrOurHardLimit) {
  EXPECT_LE(NofileLimit(), 1048576u);
  EXPECT_GT(NofileLimit(), 0u);
}

TEST(OciSpecTest, HostsFileNamesTheContainer) {
  std::string hosts = HostsFileContent("builder");
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost builder\n"), std::string::npos);
}

}  // namespace
}  // namespace strata::sandbox
