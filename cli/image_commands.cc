#include "cli/archive_stream.h"
#include "cli/image_commands.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "cli/container/container_store.h"
#include "cli/container_inspect_command.h"
#include "cli/coordinator_client.h"
#include "cli/format/format_spec.h"
#include "cli/humanize.h"
#include "cli/image_history.h"
#include "cli/image_remove_conflict.h"
#include "cli/pull_command.h"
#include "common/clock.h"
#include "common/file_util.h"

namespace strata::cli {
namespace {

using Json = nlohmann::ordered_json;

int Fail(const Status& s) {
  std::cerr << "Error: " << s.message() << "\n";
  return 1;
}

// Copies standard input into a file under root/tmp that the caller removes.
Result<std::string> SpoolStdin(const CliContext& ctx) {
  std::string dir = ctx.root + "/tmp";
  TRY(MakeDirs(dir, 0700));
  std::string path = dir + "/stdin-XXXXXX";
  int fd = mkstemp(path.data());
  if (fd < 0) return Status::IOError("cannot create a temporary file in " + dir);
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(0, buf, sizeof(buf))) > 0) {
    if (::write(fd, buf, static_cast<size_t>(n)) != n) {
      ::close(fd);
      ::unlink(path.c_str());
      return Status::IOError("cannot write " + path + ": disk full?");
    }
  }
  ::close(fd);
  return path;
}

struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

Result<std::unique_ptr<CoordinatorClient>> Client(const CliContext& ctx) {
  return CoordinatorClient::Connect(ctx);
}

// ---- import ----
struct ImportFlags {
  std::string file, repo_tag, message;
  std::vector<std::string> changes;
};

int RunImport(const CliContext& ctx, const ImportFlags& f) {
  TempFile spooled;
  std::string path = f.file;
  if (f.file == "-") {
    Result<std::string> p = SpoolStdin(ctx);
    if (!p.ok()) return Fail(p.status());
    spooled.path = path = *p;
  } else {
    path = AbsolutePath(path);
    if (::access(path.c_str(), R_OK) != 0) {
      return Fail(
          Status::NotFound("cannot read " + f.file + ": give a rootfs tarball or '-' for stdin"));
    }
  }
  auto client = Client(ctx);
  if (!client.ok()) return Fail(client.status());
  protocol::Envelope req = protocol::NewEnvelope(0);
  auto* body = req.mutable_import_image();
  body->set_source_path(path);
  body->set_repo_tag(f.repo_tag);
  body->set_message(f.message);
  for (const auto& c : f.changes) body->add_changes(c);
  const bool stream = StreamsFiles(ctx);  // the coordinator's disk is not ours
  if (stream) {
    body->set_streamed(true);
    body->set_source_path(f.file == "-" ? "-" : path);  // for the history only
  }
  Result<protocol::Envelope> reply =
      stream ? UploadArchive((*client)->connection(), std::move(req), path) : (*client)->Call(req);
  if (!reply.ok()) return Fail(reply.status());
  std::cout << reply->import_result().id() << "\n";
  return 0;
}

// ---- ls ----
struct ListFlags {
  bool all = false, quiet = false, digests = false, no_trunc = false;
  std::vector<std::string> filters;
  std::string format;
  std::string repository;  // [REPOSITORY[:TAG]]: Docker adds it as a reference= filter
};

int RunList(const CliContext& ctx, const ListFlags& f) {
  std::string table = "{{.Repository}}\t{{.Tag}}\t";
  if (f.digests) table += "{{.Digest}}\t";
  table += "{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  std::string format = f.quiet ? "{{.ID}}" : (f.format.empty() ? "table" : f.format);
  auto spec = format::FormatSpec::Parse(format, table);
  if (!spec.ok()) return Fail(spec.status());

  auto client = Client(ctx);
  if (!client.ok()) return Fail(client.status());
  protocol::Envelope req = protocol::NewEnvelope(0);
  auto* body = req.mutable_list_images();
  body->set_all(f.all);
  for (const auto& filter : f.filters) body->add_filters(filter);
  if (!f.repository.empty()) body->add_filters("reference=" + f.repository);
  auto reply = (*client)->Call(req);
  if (!reply.ok()) return Fail(reply.status());

  const int64_t now = static_cast<int64_t>(time(nullptr));
  std::vector<Json> rows;
  for (const auto& image : reply->image_list().images()) {
    std::string id = image.id();
    if (!f.no_trunc) id = id.substr(id.find(':') + 1, 12);
    auto row = [&](const std::string& repo, const std::string& tag, const std::string& digest) {
      Json j;
      j["Containers"] = "N/A";
      j["CreatedAt"] = FormatRfc3339Nano(image.created() * 1000000000LL);
      j["CreatedSince"] = HumanDuration(now - image.created()) + " ago";
      j["Digest"] = digest;
      j["ID"] = id;
      j["Repository"] = repo;
      j["SharedSize"] = "N/A";
      j["Size"] = HumanSize(static_cast<double>(image.size()));
      j["Tag"] = tag;
      j["UniqueSize"] = "N/A";
      j["VirtualSize"] = HumanSize(static_cast<double>(image.size()));
      rows.push_back(j);
    };
    auto digest_of = [&](const std::string& repo) {
      for (const auto& d : image.repo_digests()) {
        if (d.substr(0, d.find('@')) == repo) return d.substr(d.find('@') + 1);
      }
      return std::string("<none>");
    };
    if (image.repo_tags().empty()) {
      // As Docker: an untagged image pulled by digest shows its repository.
      for (const auto& d : image.repo_digests()) {
        row(d.substr(0, d.find('@')), "<none>", d.substr(d.find('@') + 1));
      }
      if (image.repo_digests().empty()) row("<none>", "<none>", "<none>");
    }
    for (const auto& t : image.repo_tags()) {
      size_t colon = t.rfind(':');
      std::string repo = t.substr(0, colon);
      row(repo, t.substr(colon + 1), digest_of(repo));
    }
  }
  auto out = spec->Render(rows, {{"ID", "IMAGE ID"},
                                 {"CreatedSince", "CREATED"},
                                 {"CreatedAt", "CREATED AT"},
                                 {"Digest", "DIGEST"}});
  if (!out.ok()) return Fail(out.status());
  std::cout << *out;
  return 0;
}

// ---- inspect ----
struct InspectFlags {
  std::vector<std::string> names;
  std::string format;
  bool containers = false;  // `strata inspect`: a container of that name comes first
  bool size = false;
};

int RunInspect(const CliContext& ctx, const InspectFlags& f) {
  std::optional<format::FormatSpec> spec;
  if (!f.format.empty()) {
    auto parsed = format::FormatSpec::Parse(f.format);
    if (!parsed.ok()) return Fail(parsed.status());
    spec = std::move(*parsed);
  }
  std::vector<std::optional<Json>> containers(f.names.size());
  std::vector<std::string> image_names;
  for (size_t i = 0; i < f.names.size(); ++i) {
    std::optional<std::string> c;
    if (f.containers) c = ContainerInspectJson(ctx, f.names[i], f.size);
    if (c) {
      containers[i] = Json::parse(*c);
    } else {
      image_names.push_back(f.names[i]);
    }
  }
  protocol::Envelope reply_body;
  if (!image_names.empty()) {
    auto client = Client(ctx);
    if (!client.ok()) return Fail(client.status());
    protocol::Envelope req = protocol::NewEnvelope(0);
    for (const auto& n : image_names) req.mutable_inspect_image()->add_names(n);
    auto reply = (*client)->Call(req);
    if (!reply.ok()) return Fail(reply.status());
    reply_body = std::move(*reply);
  }
  const auto& result = reply_body.inspect_result();
  // In the order of the names: containers, and images as the coordinator
  // found them (it returns the found ones in order and lists the missing).
  std::set<std::string> missing(result.missing().begin(), result.missing().end());
  std::vector<Json> items;
  int next_image = 0;
  for (size_t i = 0; i < f.names.size(); ++i) {
    if (containers[i]) {
      items.push_back(std::move(*containers[i]));
    } else if (!missing.count(f.names[i]) && next_image < result.json_size()) {
      items.push_back(Json::parse(result.json(next_image++)));
    }
  }
  while (next_image < result.json_size()) items.push_back(Json::parse(result.json(next_image++)));
  if (spec) {
    auto out = spec->Render(items);
    if (!out.ok()) return Fail(out.status());
    std::cout << *out;
  } else {
    std::cout << Json(items).dump(4, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  for (const auto& name : result.missing()) {
    std::cerr << "Error: No such " << (f.containers ? "object" : "image") << ": " << name << "\n";
  }
  return result.missing_size() > 0 ? 1 : 0;
}

// ---- tag ----
struct TagFlags {
  std::string source, target;
};

int RunTag(const CliContext& ctx, const TagFlags& f) {
  auto client = Client(ctx);
  if (!client.ok()) return Fail(client.status());
  protocol::Envelope req = protocol::NewEnvelope(0);
  req.mutable_tag_image()->set_source(f.source);
  req.mutable_tag_image()->set_target(f.target);
  auto reply = (*client)->Call(req);
  if (!reply.ok()) return Fail(reply.status());
  return 0;
}

// ---- rm ----
struct RemoveFlags {
  std::vector<std::string> names;
  bool force = false, no_prune = false;
};

// The containers (of this client's store) made from image `id`.
std::vector<ImageUser> UsersOf(container::ContainerStore& store,
                               std::vector<container::ContainerRecord>& all,
                               const std::string& id) {
  std::vector<ImageUser> users;
  for (auto& c : all) {
    if (c.image_id == id) users.push_back({c.id, store.IsRunning(c)});
  }
  return users;
}

// As `docker rmi`: each name in turn, its lines on stdout; the errors, after
// all names, on stderr as the daemon's; exit 1 when any name failed. A
// container using the image is checked here, before the coordinator is
// asked (containers live in this client's store).
int RunRemove(const CliContext& ctx, const RemoveFlags& f) {
  auto client = Client(ctx);
  if (!client.ok()) return Fail(client.status());
  container::ContainerStore containers(ctx.root);
  Result<std::vector<container::ContainerRecord>> all = containers.List();
  if (!all.ok()) return Fail(all.status());
  std::vector<std::string> errors;
  for (const auto& name : f.names) {
    bool untag_only = false;
    protocol::Envelope resolve = protocol::NewEnvelope(0);
    resolve.mutable_resolve_image()->set_name(name);
    auto found = (*client)->Call(resolve);
    if (found.ok()) {
      const auto& image = found->resolved_image();
      std::vector<std::string> tags(image.repo_tags().begin(), image.repo_tags().end());
      RemovePlan plan =
          PlanRemove(name, image.id(), tags, UsersOf(containers, *all, image.id()), f.force);
      if (plan.action == RemovePlan::Action::kRefuse) {
        errors.push_back(plan.error);
        continue;
      }
      untag_only = plan.action == RemovePlan::Action::kUntagOnly;
    }
    protocol::Envelope req = protocol::NewEnvelope(0);
    auto* body = req.mutable_remove_image();
    body->add_names(name);
    body->set_force(f.force);
    body->set_no_prune(f.no_prune);
    body->set_untag_only(untag_only);
    auto reply = (*client)->Call(req);
    if (!reply.ok()) {
      errors.push_back(reply.status().message());
      continue;
    }
    for (const auto& line : reply->remove_result().lines()) {
      std::cout << (line.kind() == v1::RemoveLine::KIND_DELETED ? "Deleted: " : "Untagged: ")
                << line.value() << "\n";
    }
    for (const auto& err : reply->remove_result().errors()) errors.push_back(err.message());
  }
  std::cout.flush();
  for (const auto& e : errors) std::cerr << "Error response from daemon: " << e << "\n";
  return errors.empty() ? 0 : 1;
}

// ---- save / load ----
struct SaveFlags {
  std::vector<std::string> names;
  std::string output;
};

int RunSave(const CliContext& ctx, const SaveFlags& f) {
  TempFile spooled;
  std::string path;
  if (f.output.empty() || f.output == "-") {
    if (isatty(1)) {
      return Fail(Status::InvalidArgument(
          "cowardly refusing to save to a terminal. Use the -o flag or redirect"));
    }
    if (Status s = MakeDirs(ctx.root + "/tmp", 0700); !s.ok()) return Fail(s);
    spooled.path = path = ctx.root + "/tmp/save-" + std::to_string(getpid()) + ".tar";
  } else {
    path = AbsolutePath(f.output);
  }
  auto client = Client(ctx);
  if (!client.ok()) return Fail(client.status());
  protocol::Envelope req = protocol::NewEnvelope(0);
  for (const auto& n : f.names) req.mutable_save_image()->add_names(n);
  if (StreamsFiles(ctx)) {  // the coordinator's disk is not ours
    req.mutable_save_image()->set_streamed(true);
    if (!spooled.path.empty()) {
      Result<uint64_t> saved = DownloadArchive((*client)->connection(), std::move(req), std::cout);
      return saved.ok() ? 0 : Fail(saved.status());
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Fail(Status::IOError("cannot write " + path));
    Result<uint64_t> saved = DownloadArchive((*client)->connection(), std::move(req), out);
    if (!saved.ok()) {
      out.close();
      ::unlink(path.c_str());
      return Fail(saved.status());
    }
    return 0;
  }
  req.mutable_save_image()->set_output_path(path);
  auto reply = (*client)->Call(req);
  if (!reply.ok()) return Fail(reply.status());
  if (!spooled.path.empty()) {
    std::ifstream in(path, std::ios::binary);
    std::cout << in.rdbuf();
  }
  return 0;
}

struct LoadFlags {
  std::string input;
  bool quiet = false;
};

int RunLoad(const CliContext& ctx, const LoadFlags& f) {
  TempFile spooled;
  std::string path;
  if (f.input.empty() || f.input == "-") {
    if (isatty(0)) {
      return Fail(Status::InvalidArgument(
          "requested load from stdin, but stdin is empty; use -i FILE or pipe an archive in"));
    }
    Result<std::string> p = SpoolStdin(ctx);
    if (!p.ok()) return Fail(p.status());
    spooled.path = path = *p;
  } else {
    path = AbsolutePath(f.input);
  }
  auto client = Client(ctx);
  if (!client.ok()) return Fail(client.status());
  protocol::Envelope req = protocol::NewEnvelope(0);
  req.mutable_load_image()->set_input_path(path);
  const bool stream = StreamsFiles(ctx);  // the coordinator's disk is not ours
  if (stream) req.mutable_load_image()->set_streamed(true);
  Result<protocol::Envelope> reply =
      stream ? UploadArchive((*client)->connection(), std::move(req), path) : (*client)->Call(req);
  if (!reply.ok()) return Fail(reply.status());
  if (!f.quiet) {
    for (const auto& r : reply->load_result().loaded_refs())
      std::cout << "Loaded image: " << r << "\n";
    for (const auto& i : reply->load_result().loaded_ids())
      std::cout << "Loaded image ID: " << i << "\n";
  }
  return 0;
}

template <typename Flags>
void OnRun(CLI::App* cmd, CliContext& ctx, std::shared_ptr<Flags> flags,
           int (*run)(const CliContext&, const Flags&)) {
  cmd->final_callback(
      [&ctx, flags, run] { ctx.run = [&ctx, flags, run] { return run(ctx, *flags); }; });
}

CLI::App* AddList(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<ListFlags>();
  CLI::App* cmd = parent->add_subcommand(name, "List images");
  cmd->add_flag("-a,--all", f->all, "show all images (default hides intermediate images)");
  cmd->add_flag("-q,--quiet", f->quiet, "only show image IDs");
  cmd->add_flag("--digests", f->digests, "show digests");
  cmd->add_flag("--no-trunc", f->no_trunc, "don't truncate output");
  cmd->add_option("-f,--filter", f->filters,
                  "filter output (reference=, dangling=, label=, before=, since=)")
      ->allow_extra_args(false);
  cmd->add_option("--format", f->format,
                  "format output: table, table TEMPLATE, json, or a Go template");
  cmd->add_option(
      "REPOSITORY", f->repository,
      "REPOSITORY[:TAG]: only images whose name matches (wildcards as in --filter reference=)");
  OnRun(cmd, ctx, f, RunList);
  return cmd;
}

void AddInspect(CLI::App* parent, const std::string& name, CliContext& ctx,
                bool containers = false) {
  auto f = std::make_shared<InspectFlags>();
  CLI::App* cmd = parent->add_subcommand(
      name, containers ? "Display detailed information on containers or images"
                       : "Display detailed information on one or more images");
  cmd->add_option("-f,--format", f->format, "format output with a Go template, or json");
  f->containers = containers;
  if (containers) cmd->add_flag("-s,--size", f->size, "display total file sizes of containers");
  cmd->add_option("IMAGE", f->names, "images")->required();
  OnRun(cmd, ctx, f, RunInspect);
}

void AddTag(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<TagFlags>();
  CLI::App* cmd =
      parent->add_subcommand(name, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  cmd->add_option("SOURCE_IMAGE", f->source, "SOURCE_IMAGE[:TAG]")->required();
  cmd->add_option("TARGET_IMAGE", f->target, "TARGET_IMAGE[:TAG]")->required();
  OnRun(cmd, ctx, f, RunTag);
}

void AddRemove(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<RemoveFlags>();
  CLI::App* cmd = parent->add_subcommand(name, "Remove one or more images");
  cmd->add_flag("-f,--force", f->force, "force removal of the image");
  cmd->add_flag("--no-prune", f->no_prune, "do not delete untagged parents");
  cmd->add_option("IMAGE", f->names, "images")->required();
  OnRun(cmd, ctx, f, RunRemove);
}

}  // namespace

void AddImageCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* image = app.add_subcommand("image", "Manage images");
  image->require_subcommand(1);

  auto imp = std::make_shared<ImportFlags>();
  CLI::App* import =
      image->add_subcommand("import", "Import the contents from a tarball to create an image");
  import->add_option("-c,--change", imp->changes, "apply a Dockerfile instruction to the image")
      ->allow_extra_args(false);
  import->add_option("-m,--message", imp->message, "set the commit message for the imported image");
  import->add_option("FILE", imp->file, "a rootfs tarball (plain, gzip or zstd), or - for stdin")
      ->required();
  import->add_option("REPOSITORY", imp->repo_tag, "REPOSITORY[:TAG]");
  OnRun(import, ctx, imp, RunImport);

  AddList(image, "ls", ctx)->alias("list");
  AddList(&app, "images", ctx);
  AddInspect(image, "inspect", ctx);
  AddInspect(&app, "inspect", ctx, /*containers=*/true);
  AddTag(image, "tag", ctx);
  AddTag(&app, "tag", ctx);
  AddRemove(image, "rm", ctx);
  AddRemove(&app, "rmi", ctx);
  AddPullCommand(image, "pull", ctx);
  AddPullCommand(&app, "pull", ctx);
  AddHistoryCommands(app, *image, ctx);

  auto save = std::make_shared<SaveFlags>();
  CLI::App* save_cmd = image->add_subcommand(
      "save", "Save images to a tar archive (OCI layout + Docker manifest.json)");
  save_cmd->add_option("-o,--output", save->output, "write to a file instead of stdout");
  save_cmd->add_option("IMAGE", save->names, "images")->required();
  OnRun(save_cmd, ctx, save, RunSave);

  auto load = std::make_shared<LoadFlags>();
  CLI::App* load_cmd =
      image->add_subcommand("load", "Load images from a tar archive (OCI or Docker)");
  load_cmd->add_option("-i,--input", load->input, "read from a tar archive file instead of stdin");
  load_cmd->add_flag("-q,--quiet", load->quiet, "suppress the load output");
  OnRun(load_cmd, ctx, load, RunLoad);
}

}  // namespace strata::cli
