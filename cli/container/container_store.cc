#include "cli/container/container_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"

namespace strata::cli::container {
namespace {

using Json = nlohmann::json;
constexpr int kStateVersion = 1;

bool IsHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Json ToJson(const ContainerRecord& r) {
  return Json{{"version", kStateVersion},
              {"id", r.id},
              {"name", r.name},
              {"image", r.image},
              {"image_id", r.image_id},
              {"chain", r.chain},
              {"config", Json::parse(r.config.ToJson())},
              {"ports", r.ports},
              {"interactive", r.interactive},
              {"tty", r.tty},
              {"auto_remove", r.auto_remove},
              {"publish_all", r.publish_all},
              {"hostname", r.hostname},
              {"created_ns", r.created_ns},
              {"state", StateName(r.state)},
              {"monitor_pid", r.monitor_pid},
              {"monitor_start", r.monitor_start},
              {"exit_code", r.exit_code},
              {"started_ns", r.started_ns},
              {"finished_ns", r.finished_ns},
              {"error", r.error}};
}

Result<ContainerRecord> FromJson(const std::string& text, const std::string& where) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != kStateVersion) {
    return Status::Corruption(where + " is not a version " + std::to_string(kStateVersion) +
                              " container state file; remove the container's directory");
  }
  try {
    ContainerRecord r;
    r.id = j.at("id").get<std::string>();
    r.name = j.at("name").get<std::string>();
    r.image = j.at("image").get<std::string>();
    r.image_id = j.at("image_id").get<std::string>();
    r.chain = j.at("chain").get<std::vector<std::string>>();
    ASSIGN_OR_RETURN(r.config, image::ImageConfig::FromJson(j.at("config").dump(
                                   -1, ' ', false, nlohmann::json::error_handler_t::replace)));
    r.ports = j.at("ports").get<std::vector<std::string>>();
    r.interactive = j.at("interactive").get<bool>();
    r.tty = j.at("tty").get<bool>();
    r.auto_remove = j.at("auto_remove").get<bool>();
    r.publish_all = j.value("publish_all", false);
    r.hostname = j.value("hostname", std::string());
    r.created_ns = j.at("created_ns").get<int64_t>();
    std::string state = j.at("state").get<std::string>();
    r.state = state == "running"  ? State::kRunning
              : state == "exited" ? State::kExited
                                  : State::kCreated;
    r.monitor_pid = j.at("monitor_pid").get<pid_t>();
    r.monitor_start = j.value("monitor_start", uint64_t{0});
    r.exit_code = j.at("exit_code").get<int>();
    r.started_ns = j.at("started_ns").get<int64_t>();
    r.finished_ns = j.at("finished_ns").get<int64_t>();
    r.error = j.value("error", std::string());
    return r;
  } catch (const Json::exception& e) {
    return Status::Corruption(where + ": " + e.what());
  }
}

// An exclusive flock on ROOT/containers/names.lock for its lifetime.
class NameLock {
 public:
  explicit NameLock(const std::string& path)
      : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~NameLock() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  int fd_;
};

}  // namespace

uint64_t ProcessStartTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return 0;
  // "pid (comm) state ppid ...": comm may hold spaces, so count from the
  // last ')'; starttime is field 22, the 20th after it.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return 0;
}

const char* StateName(State state) {
  switch (state) {
    case State::kCreated:
      return "created";
    case State::kRunning:
      return "running";
    case State::kExited:
      return "exited";
  }
  return "created";
}

std::vector<std::string> ContainerRecord::Argv() const {
  std::vector<std::string> argv;
  if (config.config.entrypoint) argv = *config.config.entrypoint;
  if (config.config.cmd)
    argv.insert(argv.end(), config.config.cmd->begin(), config.config.cmd->end());
  return argv;
}

ContainerStore::ContainerStore(std::string root) : root_(std::move(root)) {}

Status ContainerStore::Create(const ContainerRecord& record) {
  TRY(MakeDirs(root_ + "/containers", 0700));
  NameLock lock(root_ + "/containers/names.lock");
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> all, List());
  for (const auto& other : all) {
    if (other.name == record.name) {
      return Status::AlreadyExists("Conflict. The container name \"/" + record.name +
                                   "\" is already in use by container \"" + other.id +
                                   "\". You have to remove (or rename) that container to be "
                                   "able to reuse that name.");
    }
  }
  std::string dir = Dir(record.id);
  if (mkdir(dir.c_str(), 0700) != 0) return ErrnoStatus("mkdir", dir);
  return Save(record);
}

Status ContainerStore::Save(const ContainerRecord& record) {
  std::string path = Dir(record.id) + "/state.json";
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  TRY(WriteFile(tmp,
                ToJson(record).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                0600));
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = ErrnoStatus("rename", tmp);
    unlink(tmp.c_str());
    return s;
  }
  return Status::OK();
}

Result<ContainerRecord> ContainerStore::Load(const std::string& id) {
  std::string path = Dir(id) + "/state.json";
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return Status::NotFound("No such container: " + id);
  return FromJson(*text, path);
}

Result<std::vector<ContainerRecord>> ContainerStore::List() {
  std::vector<ContainerRecord> out;
  std::string dir_path = root_ + "/containers";
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) return out;  // no container was ever made
  std::vector<std::string> ids;
  while (struct dirent* e = readdir(dir)) {
    if (IsHex64(e->d_name)) ids.push_back(e->d_name);
  }
  closedir(dir);
  for (const auto& id : ids) {
    Result<ContainerRecord> r = Load(id);
    if (r.ok()) out.push_back(std::move(*r));  // a half-created or removed one is skipped
  }
  std::sort(out.begin(), out.end(), [](const ContainerRecord& a, const ContainerRecord& b) {
    return a.created_ns > b.created_ns;
  });
  return out;
}

Result<ContainerRecord> ContainerStore::Find(const std::string& name_or_id) {
  std::string want = name_or_id;
  if (!want.empty() && want[0] == '/') want = want.substr(1);
  if (want.empty()) return Status::NotFound("No such container: " + name_or_id);
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> all, List());
  for (auto& r : all) {
    if (r.id == want) return r;
  }
  for (auto& r : all) {
    if (r.name == want) return r;
  }
  std::vector<ContainerRecord*> prefixed;
  for (auto& r : all) {
    if (r.id.compare(0, want.size(), want) == 0) prefixed.push_back(&r);
  }
  if (prefixed.size() > 1) {
    return Status::InvalidArgument("multiple containers found with provided prefix: " + want);
  }
  if (prefixed.size() == 1) return *prefixed[0];
  return Status::NotFound("No such container: " + name_or_id);
}

Status ContainerStore::Remove(const std::string& id) { return RemoveTree(Dir(id)); }

bool ContainerStore::IsRunning(ContainerRecord& record) {
  if (record.state != State::kRunning) return false;
  if (record.monitor_pid > 0 && ProcessStartTime(record.monitor_pid) == record.monitor_start &&
      record.monitor_start != 0) {
    return true;
  }
  record.state = State::kExited;
  record.exit_code = 137;
  Save(record).PermitUncheckedError();
  return false;
}

}  // namespace strata::cli::container
