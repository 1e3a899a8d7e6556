#include "cli/container/container_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/file_tree.h"
#include "common/random_hex.h"

namespace strata::cli::container {
namespace {

class ContainerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = ::testing::TempDir() + "/container-store-" + RandomHex(8); }
  void TearDown() override { RemoveTree(root_).PermitUncheckedError(); }

  ContainerRecord Make(const std::string& name, int64_t created) {
    ContainerRecord r;
    r.id = RandomHex(64);
    r.name = name;
    r.image = "busybox";
    r.image_id = "sha256:" + std::string(64, 'a');
    r.config.architecture = "amd64";
    r.config.os = "linux";
    r.config.config.entrypoint = std::vector<std::string>{"/bin/echo"};
    r.config.config.cmd = std::vector<std::string>{"hi"};
    r.created_ns = created;
    return r;
  }
  std::string root_;
};

TEST_F(ContainerStoreTest, RoundTripsTheState) {
  ContainerStore store(root_);
  ContainerRecord r = Make("web", 1);
  r.ports = {"0.0.0.0:80->80/tcp"};
  r.auto_remove = true;
  r.publish_all = true;
  r.hostname = "web.local";
  ASSERT_TRUE(store.Create(r).ok());
  r.state = State::kExited;
  r.exit_code = 3;
  r.error = "exec: \"x\": executable file not found in $PATH";
  ASSERT_TRUE(store.Save(r).ok());
  Result<ContainerRecord> back = store.Load(r.id);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, "web");
  EXPECT_EQ(back->state, State::kExited);
  EXPECT_EQ(back->exit_code, 3);
  EXPECT_EQ(back->ports, r.ports);
  EXPECT_TRUE(back->auto_remove);
  EXPECT_TRUE(back->publish_all);
  EXPECT_EQ(back->Hostname(), "web.local");
  EXPECT_EQ(back->error, r.error);
  EXPECT_EQ(back->Argv(), (std::vector<std::string>{"/bin/echo", "hi"}));
}

TEST_F(ContainerStoreTest, NamesAreUniqueWithDockersMessage) {
  ContainerStore store(root_);
  ASSERT_TRUE(store.Create(Make("web", 1)).ok());
  Status again = store.Create(Make("web", 2));
  ASSERT_TRUE(again.code() == StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find("Conflict. The container name \"/web\" is already in use"),
            std::string::npos);
}

TEST_F(ContainerStoreTest, FindsByIdNamePrefixAndListsNewestFirst) {
  // Names that are not hex, so they can never be an id prefix.
  ContainerStore store(root_);
  ContainerRecord a = Make("alpha", 1), b = Make("beta", 2);
  ASSERT_TRUE(store.Create(a).ok());
  ASSERT_TRUE(store.Create(b).ok());
  EXPECT_EQ(store.Find("alpha")->id, a.id);
  EXPECT_EQ(store.Find("/beta")->id, b.id);
  EXPECT_EQ(store.Find(a.id)->name, "alpha");
  EXPECT_EQ(store.Find(a.ShortId())->name, "alpha");
  Result<ContainerRecord> missing = store.Find("nosuch");
  ASSERT_TRUE(missing.status().IsNotFound());
  EXPECT_EQ(missing.status().message(), "No such container: nosuch");
  Result<std::vector<ContainerRecord>> all = store.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "beta");
  ASSERT_TRUE(store.Remove(a.id).ok());
  EXPECT_TRUE(store.Find("alpha").status().IsNotFound());
}

TEST_F(ContainerStoreTest, RunningWithADeadMonitorIsExited) {
  ContainerStore store(root_);
  ContainerRecord r = Make("x", 1);
  ASSERT_TRUE(store.Create(r).ok());
  r.state = State::kRunning;
  r.monitor_pid = getpid();
  r.monitor_start = ProcessStartTime(getpid());
  ASSERT_NE(r.monitor_start, 0u);
  EXPECT_TRUE(store.IsRunning(r));
  r.monitor_start += 1;  // the pid was reused by another process
  EXPECT_FALSE(store.IsRunning(r));
  r.state = State::kRunning;
  r.monitor_start -= 1;
  r.monitor_pid = 0x7ffffff0;  // no such process
  EXPECT_FALSE(store.IsRunning(r));
  EXPECT_EQ(store.Load(r.id)->state, State::kExited);
}

}  // namespace
}  // namespace strata::cli::container
