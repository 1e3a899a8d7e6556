#include "common/testing/machine_probe.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace strata::testing {
namespace {

bool KernelHasOverlay() {
  std::ifstream filesystems("/proc/filesystems");
  for (std::string line; std::getline(filesystems, line);) {
    if (line.size() >= 7 && line.compare(line.size() - 7, 7, "overlay") == 0) return true;
  }
  return false;
}

std::string RawOverlayMountProblem(const std::string& scratch_parent) {
  std::string tmpl = scratch_parent + "/strata-machine-probe-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return "cannot make a scratch directory under " + scratch_parent + ": " + std::strerror(errno);
  }
  const std::string dir = tmpl;
  std::string problem;
  for (const char* sub : {"/lower", "/upper", "/work", "/merged"}) {
    ::mkdir((dir + sub).c_str(), 0755);
  }
  std::string options =
      "lowerdir=" + dir + "/lower,upperdir=" + dir + "/upper,workdir=" + dir + "/work";
  if (::mount("overlay", (dir + "/merged").c_str(), "overlay", 0, options.c_str()) != 0) {
    problem = std::string("mount -t overlay fails here: ") + std::strerror(errno);
  } else {
    ::umount2((dir + "/merged").c_str(), MNT_DETACH);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return problem;
}

bool RuncAnswers() {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int null_fd = ::open("/dev/null", O_WRONLY);
    if (null_fd >= 0) {
      dup2(null_fd, 1);
      dup2(null_fd, 2);
    }
    execlp("runc", "runc", "--version", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::string WhyMachineCannotRunContainers(const std::string& scratch_parent) {
  if (::geteuid() != 0) return "runc and overlayfs need root; run the tests as root";
  if (!RuncAnswers()) return "runc is not installed or does not run (apt-get install runc)";
  if (!KernelHasOverlay()) return "the kernel has no overlay file system";
  return RawOverlayMountProblem(scratch_parent);
}

}  // namespace strata::testing
