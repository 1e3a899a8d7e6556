#include "sandbox/runc_driver.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "common/file_util.h"

namespace strata::sandbox {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

}  // namespace

BundlePaths::BundlePaths(std::string d)
    : dir(std::move(d)),
      config(dir + "/config.json"),
      hosts(dir + "/hosts"),
      resolv_conf(dir + "/resolv.conf"),
      log(dir + "/runc.log"),
      pid(dir + "/pid") {}

Status WriteBundle(const BundlePaths& paths, const RunSpec& spec, const ContainerSettings& settings,
                   const std::string& resolv_conf_source) {
  TRY(MakeDirs(paths.dir, 0700));
  TRY(WriteFile(paths.hosts, HostsFileContent(settings.hostname)));
  Result<std::string> resolv = ReadFile(resolv_conf_source);
  TRY(WriteFile(paths.resolv_conf, resolv.ok() ? *resolv : std::string()));
  BundleFiles files{paths.hosts, paths.resolv_conf};
  return WriteFile(paths.config, BuildOciConfig(spec, settings, files));
}

std::vector<std::string> RuncDriver::Command(std::vector<std::string> args) const {
  std::vector<std::string> argv = {binary_, "--root", state_dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

bool RuncDriver::HasState(const std::string& id) const { return Exists(state_dir_ + "/" + id); }

Result<pid_t> RuncDriver::StartRun(const std::string& id, const BundlePaths& bundle,
                                   ChildStdio stdio, bool new_session) const {
  return SpawnProcess(Command({"--log", bundle.log, "--log-format", "json", "run", "--bundle",
                               bundle.dir, "--pid-file", bundle.pid, id}),
                      stdio, new_session);
}

Result<pid_t> RuncDriver::StartExec(const std::string& id, const ExecFiles& files, bool detach,
                                    ChildStdio stdio) const {
  std::vector<std::string> args = {"--log",     files.log,     "--log-format", "json",   "exec",
                                   "--process", files.process, "--pid-file",   files.pid};
  if (detach) args.push_back("--detach");
  args.push_back(id);
  return SpawnProcess(Command(std::move(args)), stdio);
}

Result<CapturedRun> RuncDriver::Kill(const std::string& id, const std::string& signal) const {
  return RunAndCapture(Command({"kill", id, signal}));
}

Status RuncDriver::Delete(const std::string& id) const {
  if (!HasState(id)) return Status::OK();
  ASSIGN_OR_RETURN(CapturedRun deleted, RunAndCapture(Command({"delete", "-f", id})));
  if (deleted.exit_code != 0 && HasState(id)) {
    return Status::Internal("runc delete -f " + id + " failed: " + deleted.output);
  }
  return Status::OK();
}

std::string RuncDriver::StartFailure(const std::string& log_path) {
  Result<std::string> text = ReadFile(log_path);
  if (!text.ok()) return "runc wrote no log";
  std::string log = *text;
  while (!log.empty() && log.back() == '\n') log.pop_back();
  size_t newline = log.rfind('\n');
  std::string line = log.substr(newline == std::string::npos ? 0 : newline + 1);
  // runc logs JSON lines {"level":"error","msg":"..."}.
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("msg") && j["msg"].is_string()) return j["msg"];
  return line.empty() ? "runc wrote no log" : line;
}

}  // namespace strata::sandbox
