#include "sandbox/testing/busybox_rootfs.h"

#include <sys/stat.h>
#include <unistd.h>

#include "common/errno_status.h"
#include "common/file_util.h"

namespace strata::sandbox::testing {

bool HaveBusybox() { return access(kBusyboxPath, X_OK) == 0; }

Status MakeBusyboxRootfs(const std::string& dir) {
  for (const char* sub : {"bin", "etc", "tmp", "root", "home/app", "usr/bin"}) {
    TRY(MakeDirs(dir + "/" + sub, 0755));
  }
  if (chmod((dir + "/tmp").c_str(), 01777) != 0) return ErrnoStatus("chmod", dir + "/tmp");
  if (chown((dir + "/home/app").c_str(), 1000, 1000) != 0 && geteuid() == 0) {
    return ErrnoStatus("chown", dir + "/home/app");
  }
  ASSIGN_OR_RETURN(std::string busybox, ReadFile(kBusyboxPath));
  TRY(WriteFile(dir + "/bin/busybox", busybox, 0755));
  for (const char* applet :
       {"sh",   "echo",  "cat",      "ls",    "id",     "touch", "rm",    "mkdir", "hostname",
        "wget", "httpd", "true",     "false", "sleep",  "env",   "pwd",   "grep",  "stat",
        "kill", "ip",    "ifconfig", "test",  "printf", "mknod", "chmod", "wc",    "head"}) {
    std::string link = dir + "/bin/" + applet;
    if (symlink("busybox", link.c_str()) != 0) return ErrnoStatus("symlink", link);
  }
  TRY(WriteFile(dir + "/etc/passwd",
                "root:x:0:0:root:/root:/bin/sh\n"
                "app:x:1000:1000:app:/home/app:/bin/sh\n"
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"));
  TRY(WriteFile(dir + "/etc/group",
                "root:x:0:\n"
                "app:x:1000:\n"
                "staff:x:50:app\n"
                "audio:x:29:other,app\n"
                "nogroup:x:65534:\n"));
  TRY(WriteFile(dir + "/etc/motd", "welcome to the strata test rootfs\n"));
  return Status::OK();
}

}  // namespace strata::sandbox::testing
