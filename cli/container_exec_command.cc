#include "cli/container_exec_command.h"

#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/container/container_store.h"
#include "cli/container/run_config.h"
#include "cli/container/runner.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;

// Bad flags exit 125 (Docker's flag errors); the others 1, as docker exec.
int Fail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return s.IsInvalidArgument() ? 125 : 1;
}

int DaemonError(const Status& s) {
  std::cerr << "Error response from daemon: " << s.message() << "\n";
  return 1;
}

struct ExecFlags {
  bool interactive = false, tty = false, detach = false, privileged = false;
  std::string user, workdir, detach_keys;
  std::vector<std::string> env, env_files;
  std::vector<std::string> container_and_command;
};

int RunExec(const CliContext& ctx, const ExecFlags& f) {
  const std::vector<std::string>& words = f.container_and_command;
  if (!words.empty()) {
    std::string unknown = container::UnknownFlagMessage(words[0], "exec");
    if (!unknown.empty()) {
      std::cerr << unknown << "\n";
      return 125;
    }
  }
  if (f.privileged || !f.detach_keys.empty()) {
    return Fail(Status::InvalidArgument(
        std::string(f.privileged ? "exec --privileged" : "exec --detach-keys") +
        " is not supported yet"));
  }
  if (words.size() < 2) {
    std::cerr << "\"strata exec\" requires at least 2 arguments.\nUsage:  strata exec [OPTIONS] "
                 "CONTAINER COMMAND [ARG...]\n";
    return 1;
  }
  if (f.tty && f.detach) {
    return Fail(Status::InvalidArgument(
        "exec -t with -d is not supported yet: a detached process gets no terminal; drop -t"));
  }
  if (f.tty && !isatty(0)) {
    std::cerr << "the input device is not a TTY\n";
    return 1;
  }
  if (!f.workdir.empty() && f.workdir[0] != '/') {
    return Fail(Status::InvalidArgument("the working directory '" + f.workdir +
                                        "' is invalid, it needs to be an absolute path"));
  }
  container::ExecOptions options;
  options.args.assign(words.begin() + 1, words.end());
  options.user = f.user;
  options.workdir = f.workdir;
  options.detach = f.detach;
  std::vector<std::string> file_env;
  for (const auto& path : f.env_files) {
    Result<std::vector<std::string>> lines = container::ReadEnvFile(path);
    if (!lines.ok()) return Fail(lines.status());
    file_env.insert(file_env.end(), lines->begin(), lines->end());
  }
  Result<std::vector<std::string>> env =
      container::MergeEnv({}, file_env, f.env, container::CallerEnv);
  if (!env.ok()) return Fail(env.status());
  options.env = *env;

  ContainerStore store(ctx.root);
  Result<ContainerRecord> r = store.Find(words[0]);
  if (!r.ok()) return DaemonError(r.status());
  container::RunIo io;
  io.in = (f.interactive || f.tty) && !f.detach ? 0 : -1;  // runc's terminal proxy reads stdin
  io.terminal = f.tty;
  if (f.detach) io.out = io.err = -1;
  Result<int> code = container::ExecInContainer(store, *r, options, io, container::RuncConfig{});
  if (!code.ok()) {
    if (code.status().code() == StatusCode::kUnavailable) return DaemonError(code.status());
    return Fail(code.status());
  }
  return *code;
}

}  // namespace

void AddExecCommand(CLI::App* parent, CliContext& ctx) {
  auto f = std::make_shared<ExecFlags>();
  CLI::App* cmd = parent->add_subcommand("exec", "Execute a command in a running container");
  cmd->prefix_command();
  cmd->fallthrough(false);  // CONTAINER and the command belong to exec
  cmd->add_flag("-d,--detach", f->detach, "detached mode: run the command in the background");
  cmd->add_flag("-i,--interactive", f->interactive, "keep STDIN open");
  cmd->add_flag("-t,--tty", f->tty, "allocate a pseudo-TTY");
  cmd->add_option("-e,--env", f->env, "set environment variables (KEY=VALUE or KEY)")
      ->allow_extra_args(false);
  cmd->add_option("--env-file", f->env_files, "read a file of environment variables")
      ->allow_extra_args(false);
  cmd->add_option("-u,--user", f->user, "username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_option("-w,--workdir", f->workdir, "working directory inside the container");
  cmd->add_flag("--privileged", f->privileged)->group("");
  cmd->add_option("--detach-keys", f->detach_keys)->group("");
  cmd->final_callback([&ctx, f, cmd] {
    f->container_and_command = cmd->remaining();
    ctx.run = [&ctx, f] { return RunExec(ctx, *f); };
  });
}

}  // namespace strata::cli
