#pragma once

// The containers of one state root: ROOT/containers/<id>/ with state.json
// (format in docs/containers.md), container.log, upper/ and work/ (the
// container's own layer, kept across stop/start) and merged/ (its rootfs
// while it runs). Several `strata` processes use one store at a time (the
// CLI, detached monitors): state.json is replaced atomically (write + rename)
// and names are claimed under a lock file.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/image_config.h"

namespace strata::cli::container {

enum class State { kCreated, kRunning, kExited };

struct ContainerRecord {
  std::string id;        // 64 hex digits
  std::string name;      // without Docker's leading '/'
  std::string image;     // as the user named it
  std::string image_id;  // "sha256:<hex>" of the image config
  std::vector<std::string> chain;  // the image's diff_ids, base first
  // The image config with the run's effective Config (Entrypoint, Cmd, Env,
  // WorkingDir, User): what `commit` starts from.
  image::ImageConfig config;
  std::vector<std::string> ports;  // Docker's PORTS form, "0.0.0.0:80->80/tcp"
  bool interactive = false, tty = false, auto_remove = false;
  bool publish_all = false;  // -P (HostConfig.PublishAllPorts)
  std::string hostname;      // -h; empty: the short id
  int64_t created_ns = 0;

  State state = State::kCreated;
  pid_t monitor_pid = 0;  // the process running the container (0: none)
  // Its start time (/proc/<pid>/stat field 22), so that a reused pid (after
  // a crash or reboot) is not taken for the monitor.
  uint64_t monitor_start = 0;
  int exit_code = 0;
  int64_t started_ns = 0, finished_ns = 0;
  std::string error;  // why the last start failed (State.Error), else ""

  std::vector<std::string> Argv() const;
  std::string ShortId() const { return id.substr(0, 12); }
  std::string Hostname() const { return hostname.empty() ? ShortId() : hostname; }
};

class ContainerStore {
 public:
  // `root` is the strata state root; the store lives in root/containers.
  explicit ContainerStore(std::string root);

  const std::string& root() const { return root_; }
  std::string Dir(const std::string& id) const { return root_ + "/containers/" + id; }
  std::string LogPath(const std::string& id) const { return Dir(id) + "/container.log"; }
  // runc's state directory (`runc --root`), shared by all containers.
  std::string RuncStateDir() const { return root_ + "/containers/runc"; }
  // The layer snapshots, shared with the local build worker.
  std::string SnapshotRoot() const { return root_ + "/worker/snap"; }

  // Creates the container's directory and state.json. AlreadyExists with
  // Docker's "Conflict. The container name ..." when the name is taken.
  Status Create(const ContainerRecord& record);
  Status Save(const ContainerRecord& record);
  Result<ContainerRecord> Load(const std::string& id);
  // All containers, newest first.
  Result<std::vector<ContainerRecord>> List();
  // By full id, name, or unambiguous id prefix; NotFound "No such container: X".
  Result<ContainerRecord> Find(const std::string& name_or_id);
  // Deletes the container's directory (REQUIRES: not running, unmounted).
  Status Remove(const std::string& id);

  // Whether the record's monitor still runs. A record that says running
  // whose monitor died is reported (and saved) as exited with code 137.
  bool IsRunning(ContainerRecord& record);

 private:
  std::string root_;
};

// The start time of process `pid` in clock ticks since boot (field 22 of
// /proc/<pid>/stat); 0 when it does not exist.
uint64_t ProcessStartTime(pid_t pid);

// "created", "running", "exited" (docker inspect's State.Status).
const char* StateName(State state);

}  // namespace strata::cli::container
