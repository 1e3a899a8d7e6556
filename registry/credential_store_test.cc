#include "registry/credential_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "registry/base64.h"

namespace strata::registry {
namespace {

class CredentialStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base = std::filesystem::temp_directory_path() / "strata-cred-test-XXXXXX";
    dir_ = ::mkdtemp(base.data());
    files_ = {dir_ + "/state/auth.json", dir_ + "/docker/config.json"};
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  void WriteDocker(const std::string& text) {
    std::filesystem::create_directories(dir_ + "/docker");
    std::ofstream(files_.docker_config_path) << text;
  }
  std::string dir_;
  CredentialFiles files_;
};

TEST_F(CredentialStoreTest, PutWritesA0600FileThatGetReads) {
  auto store = NewFileCredentialStore(files_);
  ASSERT_TRUE(store->Put("127.0.0.1:5000", {"tester", "pa:ss"}).ok());
  struct stat st;
  ASSERT_EQ(::stat(files_.strata_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto got = store->Get("127.0.0.1:5000");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->username, "tester");
  EXPECT_EQ((*got)->password, "pa:ss");
  // The grammar of docs/registry.md.
  std::ifstream in(files_.strata_path);
  std::stringstream s;
  s << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(s.str(), nullptr, false);
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["auths"]["127.0.0.1:5000"]["auth"], Base64Encode("tester:pa:ss"));
  // No temporary file left beside it.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_ + "/state")) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(CredentialStoreTest, DockerHubUsesDockersKey) {
  auto store = NewFileCredentialStore(files_);
  ASSERT_TRUE(store->Put("docker.io", {"u", "p"}).ok());
  EXPECT_EQ(CredentialKey("docker.io"), "https://index.docker.io/v1/");
  auto got = store->Get("index.docker.io");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->username, "u");
}

TEST_F(CredentialStoreTest, FallsBackToDockerConfigAuths) {
  WriteDocker(R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + Base64Encode("hub:pw") +
              R"("},"http://reg.lan:5000/v2/":{"auth":")" + Base64Encode("lan:pw2") + R"("}}})");
  auto store = NewFileCredentialStore(files_);
  auto hub = store->Get("docker.io");
  ASSERT_TRUE(hub.ok() && hub->has_value()) << hub.status().ToString();
  EXPECT_EQ((*hub)->username, "hub");
  auto lan = store->Get("reg.lan:5000");
  ASSERT_TRUE(lan.ok() && lan->has_value());
  EXPECT_EQ((*lan)->password, "pw2");
  auto none = store->Get("other:1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // strata's own login wins.
  ASSERT_TRUE(store->Put("reg.lan:5000", {"mine", "x"}).ok());
  EXPECT_EQ((*store->Get("reg.lan:5000"))->username, "mine");
}

TEST_F(CredentialStoreTest, EraseRemovesOnlyThatHost) {
  auto store = NewFileCredentialStore(files_);
  ASSERT_TRUE(store->Put("a:1", {"a", "1"}).ok());
  ASSERT_TRUE(store->Put("b:2", {"b", "2"}).ok());
  ASSERT_TRUE(store->Erase("a:1").ok());
  EXPECT_FALSE(store->Get("a:1")->has_value());
  EXPECT_TRUE(store->Get("b:2")->has_value());
  Status again = store->Erase("a:1");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_EQ(again.message(), "not logged in to a:1");
}

TEST_F(CredentialStoreTest, MalformedFilesAreClearErrors) {
  WriteDocker("{not json");
  auto store = NewFileCredentialStore(files_);
  auto got = store->Get("x:1");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find(files_.docker_config_path), std::string::npos);
  WriteDocker(R"({"auths":{"x:1":{"auth":"bm9jb2xvbg=="}}})");  // "nocolon"
  got = store->Get("x:1");
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("user:password"), std::string::npos);
}

TEST_F(CredentialStoreTest, DefaultFilesHonourTheEnvironment) {
  setenv("DOCKER_CONFIG", "/dc", 1);
  setenv("STRATA_AUTH_FILE", "/sa.json", 1);
  CredentialFiles f = DefaultCredentialFiles("/root/state");
  EXPECT_EQ(f.strata_path, "/sa.json");
  EXPECT_EQ(f.docker_config_path, "/dc/config.json");
  unsetenv("STRATA_AUTH_FILE");
  unsetenv("DOCKER_CONFIG");
  setenv("HOME", "/home/u", 1);
  f = DefaultCredentialFiles("/root/state");
  EXPECT_EQ(f.strata_path, "/root/state/auth.json");
  EXPECT_EQ(f.docker_config_path, "/home/u/.docker/config.json");
}

}  // namespace
}  // namespace strata::registry
