#include "cli/container_commands.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/container/container_store.h"
#include "cli/container/port_check.h"
#include "cli/container/rootfs.h"
#include "cli/container/run_config.h"
#include "cli/container/runner.h"
#include "cli/container/snapshot_tar.h"
#include "cli/container_exec_command.h"
#include "cli/container_inspect_command.h"
#include "cli/coordinator_client.h"
#include "cli/pull_command.h"
#include "image/reference.h"
#include "cli/format/format_spec.h"
#include "cli/humanize.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "worker/fs_util.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;
using container::State;
using Json = nlohmann::ordered_json;

int Fail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return s.IsInvalidArgument() ? 125 : 1;
}

// `run` and `exec` exit 125 when strata itself fails (Docker's rule), and
// print the reason the way every strata command does.
int RunFail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return 125;
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}


Status RequireLocal(const CliContext& ctx) {
  if (!ctx.host.empty()) {
    return Status::InvalidArgument(
        "containers run on this machine and need the local coordinator and store; run without "
        "--host (and unset STRATA_HOST)");
  }
  return Status::OK();
}

// runc from PATH (a --runtime option would belong in the option table).
container::RuncConfig Runc() { return container::RuncConfig{}; }

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

// ---- run ----
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
    return Status::InvalidArgument("\"run\" requires at least 1 argument: strata run [OPTIONS] IMAGE [COMMAND] [ARG...]");
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
  config.entrypoint = command.entrypoint.empty() ? std::nullopt
                                                 : std::make_optional(command.entrypoint);
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

  r.id = worker::RandomHex(64);
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
    r.name = f.name.empty() ? container::RandomName([&](size_t n) { return random() % n; }) : f.name;
    Status created = store.Create(r);
    if (created.ok()) break;
    if (created.code() != StatusCode::kAlreadyExists || !f.name.empty() || attempt > 20) return created;
  }
  return r;
}

// Docker's port allocator: every port `r` publishes must be free of the
// other running containers and of the host's processes.
Status CheckPorts(ContainerStore& store, const ContainerRecord& r) {
  if (r.ports.empty()) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<ContainerRecord> all, store.List());
  std::vector<std::string> taken;
  for (auto& other : all) {
    if (other.id != r.id && store.IsRunning(other)) {
      taken.insert(taken.end(), other.ports.begin(), other.ports.end());
    }
  }
  for (const auto& port : r.ports) {
    Status free = container::CheckPortFree(port, taken);
    if (!free.ok()) {
      return Status::Unavailable(
          "Error response from daemon: driver failed programming external connectivity on "
          "endpoint " +
          r.name + " (" + r.id + "): " + free.message() + ".");
    }
  }
  return Status::OK();
}

int PrintError(const Status& s, int code) {
  std::cerr << (s.message().rfind("Error response from daemon: ", 0) == 0 ? "" : "Error: ")
            << s.message() << "\n";
  return code;
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

int RunMonitor(const CliContext& ctx, const std::string& id) {
  ContainerStore store(ctx.root);
  Result<ContainerRecord> record = store.Load(id);
  if (!record.ok()) return Fail(record.status());
  container::RunIo io;
  // -d -i: stdin stays open (a pipe nobody writes to), so that a shell waits
  // for input as it does under Docker instead of reading EOF at once.
  int held_stdin[2] = {-1, -1};
  if (record->interactive && pipe2(held_stdin, O_CLOEXEC) == 0) io.in = held_stdin[0];
  io.terminal = record->tty;  // -dt: a pty of the monitor's, its output logged
  io.own_pty = record->tty;
  Result<int> code = container::RunOnce(store, *record, io, Runc());
  for (int fd : held_stdin) {
    if (fd >= 0) close(fd);
  }
  if (!code.ok()) {
    std::cerr << "Error: " << code.status().message() << "\n";
    record->state = State::kExited;
    record->exit_code = 125;
    record->error = code.status().message();
    record->monitor_pid = 0;
    store.Save(*record).PermitUncheckedError();
  }
  if (record->auto_remove) store.Remove(id).PermitUncheckedError();
  return 0;
}

// ---- ls ----
struct ListFlags {
  bool all = false, quiet = false, no_trunc = false;
  std::string format;
};

// Docker's COMMAND column: the argv joined, cut to 20 characters with "…",
// then quoted.
std::string CommandColumn(const std::vector<std::string>& argv, bool no_trunc) {
  std::string joined;
  for (const auto& a : argv) joined += (joined.empty() ? "" : " ") + a;
  if (!no_trunc) {
    size_t count = 0, cut = joined.size();
    for (size_t i = 0; i < joined.size(); ++i) {
      if ((static_cast<unsigned char>(joined[i]) & 0xC0) != 0x80) {
        if (count == 19) cut = i;
        ++count;
      }
    }
    if (count > 20) joined = joined.substr(0, cut) + "…";
  }
  return Json(joined).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StatusColumn(const ContainerRecord& r, int64_t now_ns) {
  auto seconds = [&](int64_t since) { return (now_ns - since) / 1000000000LL; };
  switch (r.state) {
    case State::kRunning: return "Up " + HumanDuration(seconds(r.started_ns));
    case State::kExited:
      return "Exited (" + std::to_string(r.exit_code) + ") " +
             HumanDuration(seconds(r.finished_ns)) + " ago";
    case State::kCreated: return "Created";
  }
  return "Created";
}

int RunList(const CliContext& ctx, const ListFlags& f) {
  std::string table =
      "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  std::string format = f.quiet ? "{{.ID}}" : (f.format.empty() ? "table" : f.format);
  auto spec = format::FormatSpec::Parse(format, table);
  if (!spec.ok()) return Fail(spec.status());
  ContainerStore store(ctx.root);
  auto list = store.List();
  if (!list.ok()) return Fail(list.status());
  const int64_t now = NowNanos();
  std::vector<Json> rows;
  for (auto& r : *list) {
    bool running = store.IsRunning(r);
    if (!f.all && !running) continue;
    std::string ports;  // Docker shows the published ports of running containers only
    if (running) {
      for (const auto& p : r.ports) ports += (ports.empty() ? "" : ", ") + p;
    }
    Json j;
    j["Command"] = CommandColumn(r.Argv(), f.no_trunc);
    j["CreatedAt"] = FormatRfc3339Nano(r.created_ns);
    j["ID"] = f.no_trunc ? r.id : r.ShortId();
    j["Image"] = r.image;
    j["Labels"] = "";
    j["LocalVolumes"] = "0";
    j["Mounts"] = "";
    j["Names"] = r.name;
    j["Networks"] = "host";
    j["Ports"] = ports;
    j["RunningFor"] = HumanDuration((now - r.created_ns) / 1000000000LL) + " ago";
    j["Size"] = "0B";
    j["State"] = container::StateName(r.state);
    j["Status"] = StatusColumn(r, now);
    rows.push_back(std::move(j));
  }
  auto out = spec->Render(rows, {{"ID", "CONTAINER ID"}, {"RunningFor", "CREATED"},
                                 {"CreatedAt", "CREATED AT"}});
  if (!out.ok()) return Fail(out.status());
  std::cout << *out;
  return 0;
}

// ---- stop / start / rm ----
struct NamesFlags {
  std::vector<std::string> names;
  int timeout = 10;
  bool force = false, follow = false;
};

// Applies `act` to each named container as docker does: a failure is
// printed and the next name is tried; a success echoes the name.
int ForEachContainer(ContainerStore& store, const std::vector<std::string>& names,
                     const std::function<Status(ContainerRecord&)>& act) {
  int rc = 0;
  for (const auto& name : names) {
    Result<ContainerRecord> r = store.Find(name);
    Status s = r.ok() ? act(*r) : r.status();
    if (!s.ok()) {
      const std::string prefix = "Error response from daemon: ";
      std::cerr << (s.message().rfind(prefix, 0) == 0 ? "" : prefix) << s.message() << "\n";
      rc = 1;
      continue;
    }
    std::cout << name << "\n";
  }
  return rc;
}

int RunStop(const CliContext& ctx, const NamesFlags& f) {
  ContainerStore store(ctx.root);
  return ForEachContainer(store, f.names, [&](ContainerRecord& r) {
    return container::StopContainer(store, r.id, f.timeout, Runc());
  });
}

int RunStart(const CliContext& ctx, const NamesFlags& f) {
  ContainerStore store(ctx.root);
  return ForEachContainer(store, f.names, [&](ContainerRecord& r) {
    if (store.IsRunning(r)) return Status::OK();
    TRY(CheckPorts(store, r));
    r.state = State::kCreated;
    r.started_ns = 0;
    TRY(store.Save(r));
    return container::SpawnMonitor(store, r.id, ctx.bin_dir + "/strata");
  });
}

int RunRemove(const CliContext& ctx, const NamesFlags& f) {
  ContainerStore store(ctx.root);
  return ForEachContainer(store, f.names, [&](ContainerRecord& r) {
    if (store.IsRunning(r)) {
      if (!f.force) {
        return Status::InvalidArgument("cannot remove container \"/" + r.name +
                                       "\": container is running: stop the container before "
                                       "removing or force remove");
      }
      TRY(container::StopContainer(store, r.id, 0, Runc()));
    }
    container::UnmountRootfs(store.Dir(r.id) + "/merged").PermitUncheckedError();
    return store.Remove(r.id);
  });
}

// ---- logs ----
int RunLogs(const CliContext& ctx, const NamesFlags& f) {
  ContainerStore store(ctx.root);
  Result<ContainerRecord> r = store.Find(f.names[0]);
  if (!r.ok()) return Fail(r.status());
  std::ifstream in(store.LogPath(r->id), std::ios::binary);
  char buf[1 << 16];
  auto drain = [&] {
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      std::cout.write(buf, in.gcount());
    }
    in.clear();
    std::cout.flush();
  };
  drain();
  if (!f.follow) return 0;
  while (true) {
    Result<ContainerRecord> now = store.Load(r->id);
    bool running = now.ok() && store.IsRunning(*now);
    drain();
    if (!running) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// ---- commit ----
struct CommitFlags {
  std::string author, message, container, repo_tag;
  std::vector<std::string> changes;
};

int RunCommit(const CliContext& ctx, const CommitFlags& f) {
  if (Status s = RequireLocal(ctx); !s.ok()) return Fail(s);
  ContainerStore store(ctx.root);
  Result<ContainerRecord> r = store.Find(f.container);
  if (!r.ok()) return Fail(r.status());
  Result<std::string> layer = container::WriteChangesTar(store, *r, ctx.root + "/tmp");
  if (!layer.ok()) return Fail(layer.status());
  struct Unlink {
    std::string path;
    ~Unlink() {
      if (!path.empty()) unlink(path.c_str());
    }
  } remove_layer{*layer};
  auto client = CoordinatorClient::Connect(ctx);
  if (!client.ok()) return Fail(client.status());
  protocol::Envelope req = protocol::NewEnvelope(0);
  auto* body = req.mutable_commit_image();
  body->set_image(r->image_id);
  body->set_layer_path(*layer);
  for (const auto& c : f.changes) body->add_changes(c);
  body->set_message(f.message);
  body->set_author(f.author);
  body->set_repo_tag(f.repo_tag);
  std::string created_by;
  for (const auto& a : r->Argv()) created_by += (created_by.empty() ? "" : " ") + a;
  body->set_created_by(created_by);
  nlohmann::json config = nlohmann::json::parse(r->config.ToJson());
  body->set_container_config_json(config.contains("config") ? config["config"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : "{}");
  auto reply = (*client)->Call(req);
  if (!reply.ok()) return Fail(reply.status());
  std::cout << reply->import_result().id() << "\n";
  return 0;
}

// ---- export ----
struct ExportFlags {
  std::string container, output;
};

int RunExport(const CliContext& ctx, const ExportFlags& f) {
  if (f.output.empty() && isatty(1)) {
    return Fail(Status::InvalidArgument(
        "cowardly refusing to save to a terminal. Use the -o flag or redirect"));
  }
  ContainerStore store(ctx.root);
  Result<ContainerRecord> r = store.Find(f.container);
  if (!r.ok()) return Fail(r.status());
  Result<std::string> tar = container::WriteRootfsTar(store, *r, ctx.root + "/tmp");
  if (!tar.ok()) return Fail(tar.status());
  if (!f.output.empty() && rename(tar->c_str(), AbsolutePath(f.output).c_str()) == 0) return 0;
  std::ifstream in(*tar, std::ios::binary);
  std::ofstream file;
  if (!f.output.empty()) {
    file.open(AbsolutePath(f.output), std::ios::binary | std::ios::trunc);
    if (!file) {
      unlink(tar->c_str());
      return Fail(Status::IOError("cannot write " + f.output));
    }
  }
  std::ostream& out = f.output.empty() ? std::cout : file;
  out << in.rdbuf();
  out.flush();
  unlink(tar->c_str());
  return out ? 0 : Fail(Status::IOError("writing the export failed (disk full?)"));
}

template <typename Flags>
void OnRun(CLI::App* cmd, CliContext& ctx, std::shared_ptr<Flags> flags,
           int (*run)(const CliContext&, const Flags&)) {
  cmd->final_callback([&ctx, flags, run] { ctx.run = [&ctx, flags, run] { return run(ctx, *flags); }; });
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

void AddRun(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<RunFlags>();
  CLI::App* cmd = parent->add_subcommand(name, "Create and run a new container from an image");
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
  CLI::Option* ep = cmd->add_option("--entrypoint", f->entrypoint, "overwrite the image's ENTRYPOINT");
  CLI::Option* wd = cmd->add_option("-w,--workdir", f->workdir, "working directory inside the container");
  CLI::Option* user = cmd->add_option("-u,--user", f->user, "username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_option("-p,--publish", f->publish, "publish a port (host network: HOST must equal CONTAINER)")
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

void AddList(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<ListFlags>();
  CLI::App* cmd = parent->add_subcommand(name, "List containers");
  cmd->add_flag("-a,--all", f->all, "show all containers (default shows just running)");
  cmd->add_flag("-q,--quiet", f->quiet, "only display container IDs");
  cmd->add_flag("--no-trunc", f->no_trunc, "don't truncate output");
  cmd->add_option("--format", f->format, "format output: table, table TEMPLATE, json, or a Go template");
  OnRun(cmd, ctx, f, RunList);
}

CLI::App* AddNames(CLI::App* parent, const std::string& name, const std::string& help,
                   CliContext& ctx, std::shared_ptr<NamesFlags> f, int (*run)(const CliContext&, const NamesFlags&)) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("CONTAINER", f->names, "containers")->required();
  OnRun(cmd, ctx, f, run);
  return cmd;
}

void AddLifecycle(CLI::App* parent, CliContext& ctx) {
  auto stop = std::make_shared<NamesFlags>();
  AddNames(parent, "stop", "Stop one or more running containers", ctx, stop, RunStop)
      ->add_option("-t,--time", stop->timeout, "seconds to wait before killing the container");
  AddNames(parent, "start", "Start one or more stopped containers (detached)", ctx,
           std::make_shared<NamesFlags>(), RunStart);
  auto rm = std::make_shared<NamesFlags>();
  AddNames(parent, "rm", "Remove one or more containers", ctx, rm, RunRemove)
      ->add_flag("-f,--force", rm->force, "force the removal of a running container (uses SIGKILL)");
  auto logs = std::make_shared<NamesFlags>();
  AddNames(parent, "logs", "Fetch the logs of a container", ctx, logs, RunLogs)
      ->add_flag("-f,--follow", logs->follow, "follow log output until the container exits");

  auto commit = std::make_shared<CommitFlags>();
  CLI::App* c = parent->add_subcommand("commit", "Create a new image from a container's changes");
  c->add_option("-a,--author", commit->author, "author (e.g. \"John Hannibal Smith <hannibal@a-team.com>\")");
  c->add_option("-m,--message", commit->message, "commit message");
  c->add_option("-c,--change", commit->changes, "apply a Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  c->add_option("CONTAINER", commit->container, "container")->required();
  c->add_option("REPOSITORY", commit->repo_tag, "REPOSITORY[:TAG]");
  OnRun(c, ctx, commit, RunCommit);

  auto exp = std::make_shared<ExportFlags>();
  CLI::App* e = parent->add_subcommand("export", "Export a container's filesystem as a tar archive");
  e->add_option("-o,--output", exp->output, "write to a file instead of stdout");
  e->add_option("CONTAINER", exp->container, "container")->required();
  OnRun(e, ctx, exp, RunExport);
}

}  // namespace

void AddContainerCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* container = app.add_subcommand("container", "Manage containers");
  container->require_subcommand(1);
  AddRun(container, "run", ctx);
  AddExecCommand(container, ctx);
  AddContainerInspectCommand(container, ctx);
  AddList(container, "ls", ctx);
  container->get_subcommand("ls")->alias("list")->alias("ps");
  AddLifecycle(container, ctx);

  auto monitor_id = std::make_shared<std::string>();
  CLI::App* monitor = container->add_subcommand("_monitor", "");
  monitor->group("");  // hidden: started by run -d and start
  monitor->add_option("ID", *monitor_id)->required();
  monitor->final_callback([&ctx, monitor_id] {
    ctx.run = [&ctx, monitor_id] { return RunMonitor(ctx, *monitor_id); };
  });

  AddRun(&app, "run", ctx);
  AddExecCommand(&app, ctx);
  AddList(&app, "ps", ctx);
  AddLifecycle(&app, ctx);
}

}  // namespace strata::cli
