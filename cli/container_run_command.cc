#include "cli/container_run_command.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "cli/container/container_store.h"
#include "cli/container/port_check.h"
#include "cli/container/rootfs.h"
#include "cli/container/run_config.h"
#include "cli/container/runner.h"
#include "cli/container_command_support.h"
#include "cli/coordinator_client.h"
#include "cli/pull_command.h"
#include "common/random_hex.h"
#include "image/reference.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;

struct ImageData {
  std::string id;
  image::ImageConfig config;
  std::vector<container::LayerBlobRef> layers;
};

Result<ImageData> ResolveImage(const CliContext& ctx, const std::string& name) {
  ASSIGN_OR_RETURN(auto client, CoordinatorClient::Connect(ctx));
  protocol::Envelope req = protocol::NewEnvelope(0);
  req.mutable_resolve_image()->set_name(name);
  Result<protocol::Envelope> reply = client->Call(req);
  if (!reply.ok() && reply.status().IsNotFound() && image::ParseReference(name).ok()) {
    // As Docker: say so, pull it (its lines on stderr), and look again.
    std::cerr << "Unable to find image '" << container::WithDefaultTag(name) << "' locally\n";
    TRY(PullImage(ctx, name, "", std::cerr));
    reply = client->Call(req);
  }
  if (!reply.ok()) return reply.status();
  const auto& r = reply->resolved_image();
  ImageData data;
  data.id = r.id();
  ASSIGN_OR_RETURN(data.config, image::ImageConfig::FromJson(r.config_json()));
  for (const auto& l : r.layers()) data.layers.push_back({l.digest(), l.diff_id()});
  return data;
}

struct RunFlags {
  bool detach = false, interactive = false, tty = false, remove = false, publish_all = false;
  std::string name, workdir, user, entrypoint, hostname, network, restart, stop_signal;
  bool entrypoint_given = false, workdir_given = false, user_given = false;
  std::vector<std::string> env, env_files, publish, expose, labels;
  std::vector<std::string> image_and_args;
  // Docker flags strata parses but does not carry out: the first one given.
  std::string unsupported;
};

// "80", "80/udp" (--expose, an image's ExposedPorts) -> "80/tcp", "80/udp".
Result<std::string> ExposedPort(const std::string& value) {
  std::string port = value.substr(0, value.find('/'));
  std::string proto =
      value.find('/') == std::string::npos ? "tcp" : value.substr(value.find('/') + 1);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("invalid --expose " + value +
                                   ": use PORT[/PROTO] (a port range is not supported yet)");
  }
  return port + "/" + proto;
}

Result<ContainerRecord> MakeRecord(const CliContext& ctx, const RunFlags& f, ContainerStore& store,
                                   std::vector<container::LayerBlobRef>* layers) {
  if (f.image_and_args.empty()) {
    return Status::InvalidArgument(
        "\"run\" requires at least 1 argument: strata run [OPTIONS] IMAGE [COMMAND] [ARG...]");
  }
  if (!f.name.empty() && !container::ValidName(f.name)) {
    return Status::InvalidArgument("Invalid container name (" + f.name +
                                   "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  }
  if (!f.unsupported.empty())
    return Status::InvalidArgument(f.unsupported + " is not supported yet");
  if (!f.network.empty() && f.network != "host") {
    return Status::InvalidArgument("--network " + f.network +
                                   " is not supported yet: containers share the host's network "
                                   "(--network host)");
  }
  if (!f.restart.empty() && f.restart != "no") {
    return Status::InvalidArgument("--restart " + f.restart +
                                   " is not supported yet (only \"no\")");
  }
  ContainerRecord r;
  for (const auto& p : f.publish) {
    ASSIGN_OR_RETURN(std::string port, container::ParsePublish(p));
    r.ports.push_back(port);
  }
  std::vector<std::string> exposed;
  for (const auto& e : f.expose) {
    ASSIGN_OR_RETURN(std::string port, ExposedPort(e));
    exposed.push_back(port);
  }
  std::map<std::string, std::string> labels;
  for (const auto& l : f.labels) {
    if (l.empty() || l[0] == '=')
      return Status::InvalidArgument("invalid label '" + l + "': use KEY=VALUE");
    size_t eq = l.find('=');
    labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  std::vector<std::string> file_env;
  for (const auto& path : f.env_files) {
    ASSIGN_OR_RETURN(std::vector<std::string> lines, container::ReadEnvFile(path));
    file_env.insert(file_env.end(), lines.begin(), lines.end());
  }
  TRY(RequireLocal(ctx));
  r.image = f.image_and_args[0];
  ASSIGN_OR_RETURN(ImageData image, ResolveImage(ctx, r.image));
  *layers = image.layers;

  container::CommandParts parts;
  parts.image_entrypoint = image.config.config.entrypoint;
  parts.image_cmd = image.config.config.cmd;
  if (f.entrypoint_given) parts.entrypoint_flag = f.entrypoint;
  parts.args.assign(f.image_and_args.begin() + 1, f.image_and_args.end());
  ASSIGN_OR_RETURN(container::ContainerCommand command, container::ResolveCommand(parts));
  image::ContainerConfig& config = image.config.config;
  config.entrypoint =
      command.entrypoint.empty() ? std::nullopt : std::make_optional(command.entrypoint);
  config.cmd = command.cmd.empty() ? std::nullopt : std::make_optional(command.cmd);
  ASSIGN_OR_RETURN(config.env,
                   container::MergeEnv(config.env, file_env, f.env, container::CallerEnv));
  // Docker exposes what -p publishes and --expose names; -P publishes every
  // exposed port, here at its own number (the host network cannot remap).
  for (const auto& port : r.ports) config.exposed_ports.insert(port.substr(port.find("->") + 2));
  config.exposed_ports.insert(exposed.begin(), exposed.end());
  if (f.publish_all) {
    for (const auto& e : config.exposed_ports) {
      ASSIGN_OR_RETURN(std::string port, ExposedPort(e));
      std::string number = port.substr(0, port.find('/'));
      ASSIGN_OR_RETURN(std::string published, container::ParsePublish(number + ":" + number +
                                                                      port.substr(port.find('/'))));
      if (std::find(r.ports.begin(), r.ports.end(), published) == r.ports.end()) {
        r.ports.push_back(published);
      }
    }
  }
  for (const auto& [k, v] : labels) config.labels[k] = v;
  if (!f.stop_signal.empty()) config.stop_signal = f.stop_signal;
  if (f.workdir_given) {
    if (f.workdir.empty() || f.workdir[0] != '/') {
      return Status::InvalidArgument("the working directory '" + f.workdir +
                                     "' is invalid, it needs to be an absolute path");
    }
    config.working_dir = f.workdir;
  }
  if (f.user_given) config.user = f.user;

  r.id = RandomHex(64);
  r.image_id = image.id;
  r.config = image.config;
  for (const auto& l : image.layers) r.chain.push_back(l.diff_id);
  r.interactive = f.interactive;
  r.tty = f.tty;
  r.auto_remove = f.remove;
  r.publish_all = f.publish_all;
  r.hostname = f.hostname;
  r.created_ns = NowNanos();
  std::random_device random;
  for (int attempt = 0;; ++attempt) {
    r.name =
        f.name.empty() ? container::RandomName([&](size_t n) { return random() % n; }) : f.name;
    Status created = store.Create(r);
    if (created.ok()) break;
    if (created.code() != StatusCode::kAlreadyExists || !f.name.empty() || attempt > 20)
      return created;
  }
  return r;
}

int RunRun(const CliContext& ctx, const RunFlags& f) {
  if (!f.image_and_args.empty()) {
    std::string unknown = container::UnknownFlagMessage(f.image_and_args[0], "run");
    if (!unknown.empty()) {
      std::cerr << unknown << "\n";
      return 125;
    }
  }
  if (f.tty && !f.detach && !isatty(0)) {
    std::cerr << "the input device is not a TTY\n";
    return 1;
  }
  ContainerStore store(ctx.root);
  std::vector<container::LayerBlobRef> layers;
  Result<ContainerRecord> record = MakeRecord(ctx, f, store, &layers);
  if (!record.ok()) return RunFail(record.status());
  Status ready = CheckPorts(store, *record);
  if (ready.ok()) {
    ready = container::EnsureLayers(store.SnapshotRoot(), ctx.root + "/store/blobs/sha256", layers);
  }
  if (!ready.ok()) {
    store.Remove(record->id).PermitUncheckedError();
    return PrintError(ready, 125);
  }
  if (f.detach) {
    Status started = container::SpawnMonitor(store, record->id, ctx.bin_dir + "/strata");
    if (!started.ok()) {
      return PrintError(started, container::StartFailureExitCode(started.message()));
    }
    std::cout << record->id << "\n";
    return 0;
  }
  container::RunIo io;
  io.in = f.interactive || f.tty ? 0 : -1;  // runc's terminal proxy reads stdin
  io.terminal = f.tty;
  io.tee_log = store.LogPath(record->id);
  Result<int> code = container::RunOnce(store, *record, io, Runc());
  if (f.remove) store.Remove(record->id).PermitUncheckedError();
  if (!code.ok()) return RunFail(code.status());
  return *code;
}

// Docker's run flags that strata does not carry out: parsed (so that their
// value is not taken for the image) and refused with "is not supported yet".
using UnsupportedFlags = std::vector<std::pair<CLI::Option*, std::string>>;
std::shared_ptr<UnsupportedFlags> AddUnsupportedRunFlags(CLI::App* cmd) {
  static const char* const kWithValue[] = {"-v,--volume",     "--mount",         "--volumes-from",
                                           "--cap-add",       "--cap-drop",      "--add-host",
                                           "--dns",           "--dns-search",    "--dns-option",
                                           "-m,--memory",     "--memory-swap",   "--cpus",
                                           "-c,--cpu-shares", "--cpuset-cpus",   "--platform",
                                           "--pull",          "--tmpfs",         "--ulimit",
                                           "--security-opt",  "--device",        "--ipc",
                                           "--pid",           "--uts",           "--userns",
                                           "--cgroupns",      "--cgroup-parent", "--cidfile",
                                           "--log-driver",    "--log-opt",       "-a,--attach",
                                           "--stop-timeout",  "--shm-size",      "--ip",
                                           "--ip6",           "--mac-address",   "--network-alias",
                                           "--group-add",     "--runtime",       "--gpus",
                                           "--health-cmd",    "--sysctl",        "--label-file",
                                           "--domainname",    "--link",          "--detach-keys",
                                           "--storage-opt",   "--pids-limit"};
  static const char* const kFlags[] = {"--privileged", "--init", "--read-only", "--no-healthcheck",
                                       "--oom-kill-disable"};
  // The long name for the message (CLI11 gives hidden options no name).
  auto long_name = [](std::string names) { return names.substr(names.find("--")); };
  auto options = std::make_shared<UnsupportedFlags>();
  for (const char* name : kWithValue) {
    options->emplace_back(cmd->add_option(name)->group("")->allow_extra_args(false),
                          long_name(name));
  }
  for (const char* name : kFlags)
    options->emplace_back(cmd->add_flag(name)->group(""), long_name(name));
  return options;
}

}  // namespace

void AddRunCommand(CLI::App* parent, CliContext& ctx) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = parent->add_subcommand("run", "Create and run a new container from an image");
  cmd->prefix_command();
  cmd->fallthrough(false);  // IMAGE and its arguments belong to run, not to strata
  cmd->set_help_flag("--help", "print this help");  // -h is --hostname, as in Docker
  cmd->add_flag("-d,--detach", f->detach, "run in the background and print the container ID");
  cmd->add_flag("-i,--interactive", f->interactive, "keep STDIN open");
  cmd->add_flag("-t,--tty", f->tty, "allocate a pseudo-TTY");
  cmd->add_flag("--rm", f->remove, "remove the container when it exits");
  cmd->add_option("--name", f->name, "assign a name to the container");
  cmd->add_option("-e,--env", f->env, "set environment variables (KEY=VALUE or KEY)")
      ->allow_extra_args(false);
  cmd->add_option("--env-file", f->env_files, "read a file of environment variables")
      ->allow_extra_args(false);
  CLI::Option* ep =
      cmd->add_option("--entrypoint", f->entrypoint, "overwrite the image's ENTRYPOINT");
  CLI::Option* wd =
      cmd->add_option("-w,--workdir", f->workdir, "working directory inside the container");
  CLI::Option* user =
      cmd->add_option("-u,--user", f->user, "username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_option("-p,--publish", f->publish,
                  "publish a port (host network: HOST must equal CONTAINER)")
      ->allow_extra_args(false);
  cmd->add_flag("-P,--publish-all", f->publish_all,
                "publish every exposed port (at its own number: the host network cannot remap)");
  cmd->add_option("--expose", f->expose, "expose a port (PORT[/PROTO])")->allow_extra_args(false);
  cmd->add_option("-h,--hostname", f->hostname, "container host name (default: the short id)");
  cmd->add_option("-l,--label", f->labels, "set a label (KEY=VALUE)")->allow_extra_args(false);
  cmd->add_option("--network,--net", f->network,
                  "network: only host (containers share the host's)");
  cmd->add_option("--restart", f->restart, "restart policy: only no");
  cmd->add_option("--stop-signal", f->stop_signal,
                  "signal to stop the container (default SIGTERM)");
  auto unsupported = AddUnsupportedRunFlags(cmd);
  cmd->final_callback([&ctx, f, cmd, ep, wd, user, unsupported] {
    for (const auto& [option, flag] : *unsupported) {
      if (option->count() > 0 && f->unsupported.empty()) f->unsupported = flag;
    }
    f->entrypoint_given = ep->count() > 0;
    f->workdir_given = wd->count() > 0;
    f->user_given = user->count() > 0;
    f->image_and_args = cmd->remaining();
    ctx.run = [&ctx, f] { return RunRun(ctx, *f); };
  });
}

}  // namespace strata::cli
