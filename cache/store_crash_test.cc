// Crash safety: a child process changes the store in a loop and is killed
// with SIGKILL at random points; after each kill the store must satisfy every
// invariant of docs/store-format.md. The child is this test binary re-executed
// (a clean process, no inherited RocksDB threads) running the DISABLED_ test
// below, which ctest never runs on its own.
//
// SIGKILL loses no page cache, so this proves process-crash consistency; the
// fsyncs that extend it to power loss are argued in docs/store-format.md.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "cache/store.h"
#include "cache/test_records.h"
#include "cache/test_util.h"

namespace strata::cache {
namespace {

namespace fs = std::filesystem;

std::string RandomLayer(std::mt19937& rng) {
  // A third of the layers come from a small shared pool, the rest are unique.
  if (rng() % 3 == 0) return "shared-layer-" + std::to_string(rng() % 8);
  std::string bytes(1 + rng() % 200000, '\0');
  for (size_t i = 0; i < bytes.size(); i += 64) bytes[i] = static_cast<char>(rng());
  return bytes;
}

Status WriteLayer(Store& store, const std::string& layer) {
  ASSIGN_OR_RETURN(auto writer, store.blobs().Create());
  for (size_t off = 0; off < layer.size(); off += 8192) {
    TRY(writer->Write(layer.data() + off, std::min<size_t>(8192, layer.size() - off)));
  }
  return writer->Commit(Digest::Sha256Of(layer)).status();
}

// One random change; errors other than "not found" races are failures.
Status RandomStep(Store& store, std::mt19937& rng, int step) {
  int op = static_cast<int>(rng() % 100);
  if (op < 55) {
    std::string name = "img-" + std::to_string(rng()) + "-" + std::to_string(step);
    std::vector<std::string> layers;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i) {
      layers.push_back(RandomLayer(rng));
    }
    for (const std::string& layer : layers) TRY(WriteLayer(store, layer));
    TRY(store.blobs().Put("config:" + name).status());
    TRY(store.blobs().Put("manifest:" + name).status());
    std::vector<std::string> tags = {"docker.io/library/t" + std::to_string(rng() % 6) + ":latest"};
    return store.PutImage(MakeImage(name, layers), tags);
  }
  if (op < 70) {
    ASSIGN_OR_RETURN(auto tags, store.metadata().ListTags());
    if (tags.empty()) return Status::OK();
    return store.Untag(tags[rng() % tags.size()].first).status();
  }
  if (op < 80) {
    ASSIGN_OR_RETURN(auto images, store.metadata().ListImages());
    if (images.empty()) return Status::OK();
    return store.RemoveImage(images[rng() % images.size()].id).status();
  }
  if (op < 93) {
    std::string layer = RandomLayer(rng);
    TRY(WriteLayer(store, layer));
    return store.PutCacheEntry(MakeEntry(std::to_string(rng() % 20), "ns", layer));
  }
  ASSIGN_OR_RETURN(auto entries, store.metadata().ListCacheEntries());
  if (entries.empty()) return Status::OK();
  const CacheEntry& e = entries[rng() % entries.size()];
  return store.RemoveCacheEntry(e.key, e.ns).status();
}

// The child: runs only when re-executed by the test below.
TEST(StoreCrashTest, DISABLED_ChildWriterLoop) {
  const char* root = std::getenv("STRATA_CRASH_ROOT");
  const char* seed = std::getenv("STRATA_CRASH_SEED");
  const char* ready_fd = std::getenv("STRATA_CRASH_READY_FD");
  if (root == nullptr || seed == nullptr || ready_fd == nullptr) GTEST_SKIP() << "child only";
  auto store = Store::Open(root);
  ASSERT_OK(store);
  int fd = std::atoi(ready_fd);
  ASSERT_EQ(::write(fd, "r", 1), 1);
  ::close(fd);
  std::mt19937 rng(static_cast<uint32_t>(std::atoi(seed)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int step = 0; step < 5000 && std::chrono::steady_clock::now() < deadline; ++step) {
    ASSERT_OK(RandomStep(**store, rng, step));
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StoreCrashTest, SigkillAtRandomPointsLeavesAConsistentStore) {
  TempDir dir;
  const std::string root = dir.path() + "/store";
  const std::string log = dir.path() + "/child.log";
  std::mt19937 rng(20261128);
  size_t max_images = 0;
  for (int iteration = 0; iteration < 6; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    // Everything the child needs is prepared before fork: between fork and
    // exec only async-signal-safe calls.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.push_back("STRATA_CRASH_ROOT=" + root);
    env_strings.push_back("STRATA_CRASH_SEED=" + std::to_string(1000 + iteration));
    env_strings.push_back("STRATA_CRASH_READY_FD=" + std::to_string(ready[1]));
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    const char* argv[] = {"cache_test", "--gtest_also_run_disabled_tests",
                          "--gtest_filter=StoreCrashTest.DISABLED_ChildWriterLoop", nullptr};
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(ready[0]);
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::execve("/proc/self/exe", const_cast<char* const*>(argv), envp.data());
      ::_exit(127);
    }
    ::close(ready[1]);
    struct pollfd pfd = {ready[0], POLLIN, 0};
    ASSERT_EQ(::poll(&pfd, 1, 60000), 1) << "child did not open the store:\n" << ReadFile(log);
    char byte;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "child died early:\n" << ReadFile(log);
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 400));
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child finished before the kill:\n" << ReadFile(log);

    StoreOptions options;
    options.collect_garbage_on_open = false;
    auto store = Store::Open(root, options);
    ASSERT_OK(store);
    EXPECT_TRUE(fs::is_empty(root + "/tmp")) << "partial blobs survived the open";
    // Every blob verifies against its name, every record's blobs exist, every
    // tag names an image, reference counts equal the recount.
    auto report = (*store)->Check(/*verify_content=*/true);
    ASSERT_OK(report);
    for (const std::string& problem : report->problems) ADD_FAILURE() << problem;
    max_images = std::max(max_images, report->images_checked);
    // Orphans (the crash between blob and record, or record and delete) go.
    ASSERT_OK((*store)->CollectGarbage());
    auto after = (*store)->Check(/*verify_content=*/false);
    ASSERT_OK(after);
    EXPECT_TRUE(after->ok());
    EXPECT_TRUE(after->orphan_blobs.empty());
  }
  EXPECT_GT(max_images, 0u) << "the child never got far enough to store an image";
}

}  // namespace
}  // namespace strata::cache
