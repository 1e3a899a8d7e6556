#include "common/file_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace strata {
namespace {

TEST(FileLockTest, SecondProcessCannotTakeIt) {
  std::string path = testing::TempDir() + "/strata-lock-test";
  Result<FileLock> held = FileLock::Acquire(path, FileLock::Mode::kTry);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  pid_t pid = fork();
  if (pid == 0) {
    Result<FileLock> again = FileLock::Acquire(path, FileLock::Mode::kTry);
    _exit(!again.ok() && again.status().code() == StatusCode::kUnavailable ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(FileLockTest, ReleasedWhenDestroyed) {
  std::string path = testing::TempDir() + "/strata-lock-test2";
  { ASSERT_TRUE(FileLock::Acquire(path, FileLock::Mode::kTry).ok()); }
  pid_t pid = fork();
  if (pid == 0) _exit(FileLock::Acquire(path, FileLock::Mode::kTry).ok() ? 0 : 1);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace strata
