#include "cli/build_command.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli/archive_stream.h"
#include "cli/build_client.h"
#include "cli/build_output.h"
#include "cli/build_progress.h"
#include "cli/context/context_scanner.h"
#include "cli/context/stat_cache.h"
#include "cli/context/tar_context.h"
#include "cli/coordinator_client.h"
#include "cli/push_client.h"
#include "cli/registry_credentials.h"
#include "common/duration.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "dockerfile/plan.h"
#include "image/reference.h"
#include "image/byte_source.h"

namespace strata::cli {
namespace {

struct BuildFlags {
  std::string context;
  std::string file;
  std::vector<std::string> tags, build_args, labels, no_cache_filter, outputs;
  std::string target, iidfile, progress = "auto", platform, timeout;
  bool no_cache = false, cache_debug = false, quiet = false, pull = false, push = false;
  bool cache_share = false;
};

// The credentials the store holds for each registry the Dockerfile's
// images (FROM, COPY --from, RUN --mount from) name. The names come from
// planning the Dockerfile here with the build's args; a Dockerfile that
// does not plan sends none (the coordinator then reports the error).
void AddRegistryAuths(const CliContext& ctx, const v1::SubmitBuild& submit,
                      v1::SubmitBuild* out) {
  dockerfile::PlanOptions options;
  options.build_args = {submit.build_args().begin(), submit.build_args().end()};
  options.target = submit.target();
  Result<dockerfile::BuildPlan> plan = dockerfile::ParseAndPlan(submit.dockerfile(), options);
  if (!plan.ok()) return;
  std::set<std::string> hosts;
  for (const dockerfile::BuildStage& stage : plan->stages) {
    std::vector<std::string> images = stage.image_sources;
    if (stage.base.kind == dockerfile::BaseKind::kImage) images.push_back(stage.base.image);
    for (const std::string& name : images) {
      if (Result<image::Reference> ref = image::ParseReference(name); ref.ok()) {
        hosts.insert(ref->domain());
      }
    }
  }
  if (hosts.empty()) return;
  std::shared_ptr<registry::CredentialStore> store = OpenCredentialStore(ctx);
  for (const std::string& host : hosts) {
    v1::RegistryAuth auth = AuthFor(store.get(), host);
    if (!auth.username().empty()) *out->add_registry_auth() = std::move(auth);
  }
}



Result<std::string> ReadAll(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound(
        "cannot read " + what + " " + path +
        ": no such file; name the Dockerfile with -f, or give the context directory");
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A spool directory for a context read from stdin, removed at the end.
struct SpoolDir {
  std::string path;
  ~SpoolDir() {
    if (path.empty()) return;
    if (Status s = RemoveTree(path); !s.ok()) std::cerr << "warning: " << s.message() << "\n";
  }
};

// "Dockerfile:3: message" -> the Dockerfile lines around 3, as BuildKit
// prints them under a failed build.
std::string Excerpt(const std::string& error, const std::string& name,
                    const std::string& dockerfile) {
  if (error.rfind(name + ":", 0) != 0) return "";
  int line = std::atoi(error.c_str() + name.size() + 1);
  if (line <= 0) return "";
  std::vector<std::string> lines;
  std::stringstream ss(dockerfile);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  if (line > static_cast<int>(lines.size())) return "";
  std::ostringstream out;
  out << name << ":" << line << "\n--------------------\n";
  for (int i = std::max(1, line - 2); i <= std::min<int>(lines.size(), line + 2); ++i) {
    char num[16];
    std::snprintf(num, sizeof(num), "%4d", i);
    out << num << " | " << (i == line ? ">>> " : "    ") << lines[i - 1] << "\n";
  }
  out << "--------------------\n";
  return out.str();
}

int Fail(const std::string& message) {
  std::cerr << "ERROR: " << message << "\n";
  return 1;
}

// Pushes one name of the built image (--push, type=image,push=true); the
// push lines become one progress note, BuildKit's "pushing layers".
Status PushBuilt(const CliContext& ctx, CoordinatorClient& client, const std::string& name,
                 BuildProgress& progress) {
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseReference(name));
  const std::string title = "pushing " + ref.String();
  const int64_t started = SteadyNowMs();
  v1::PushImage request;
  request.set_name(name);
  *request.mutable_auth() = AuthFor(OpenCredentialStore(ctx).get(), ref.domain());
  PushLines lines;
  std::string detail = "The push refers to repository [" + ref.Name() + "]";
  Result<v1::PushResult> result =
      RunRemotePush(client.connection(), request, [&](const v1::PushProgress& p) {
        if (std::optional<std::string> line = lines.Line(p)) detail += "\n" + *line;
      });
  if (!result.ok()) {
    std::string message = PushFailureMessage(result.status(), ref.domain());
    detail += "\nERROR: " + message;
    progress.OnNote(title, detail, SteadyNowMs());
    return Status(result.status().code(), message);
  }
  for (const v1::PushedTag& t : result->tags()) {
    detail += "\npushing manifest for " + ref.Name() + ":" + t.tag() + "@" + t.digest() + " " +
              FormatSeconds(SteadyNowMs() - started) + " done";
  }
  progress.OnNote(title, detail, SteadyNowMs());
  return Status::OK();
}

int RunBuild(const CliContext& ctx, const BuildFlags& f) {
  ProgressMode mode;
  if (!ParseProgressMode(f.progress, &mode)) {
    return Fail("--progress " + f.progress + ": use auto, plain, tty or quiet");
  }
  if (f.quiet) mode = ProgressMode::kQuiet;
  std::vector<BuildOutput> outputs;
  for (const std::string& o : f.outputs) {
    Result<BuildOutput> out = ParseBuildOutput(o);
    if (!out.ok()) return Fail(out.status().message());
    outputs.push_back(*out);
  }
  if (f.push) {  // buildx: --push is --output=type=registry
    BuildOutput registry;
    registry.type = "image";
    registry.push = true;
    outputs.push_back(registry);
  }
  // What the image outputs name (their name=, else the -t tags) and push.
  std::vector<std::string> image_names, push_names;
  for (const BuildOutput& out : outputs) {
    if (out.type != "image") continue;
    const std::vector<std::string>& names = out.names.empty() ? f.tags : out.names;
    if (out.push && names.empty()) {
      return Fail("tag is needed when pushing to registry: give -t NAME or --output type=image,name=NAME,push=true");
    }
    for (const std::string& name : names) {
      Result<image::Reference> ref = image::ParseReference(name);
      if (!ref.ok()) return Fail("invalid image name '" + name + "': " + ref.status().message());
      if (std::find(image_names.begin(), image_names.end(), name) == image_names.end()) image_names.push_back(name);
      if (out.push && std::find(push_names.begin(), push_names.end(), name) == push_names.end()) {
        push_names.push_back(name);
      }
    }
  }
  if (f.context == "-" && f.file == "-") {
    return Fail(
        "cannot read both the build context and the Dockerfile from stdin; give one as a path");
  }

  // The Dockerfile and the context.
  std::string dockerfile, dockerfile_name = "Dockerfile";
  std::optional<std::string> dockerignore;
  context::ContextManifest manifest;
  SpoolDir spool;
  if (!f.file.empty() && f.file != "-") dockerfile_name = BaseName(f.file);
  if (f.file == "-") {
    Result<std::string> text = ReadAll("/dev/stdin", "the Dockerfile from");
    if (!text.ok()) return Fail(text.status().message());
    dockerfile = *text;
  } else if (!f.file.empty()) {
    Result<std::string> text = ReadAll(f.file, "Dockerfile");
    if (!text.ok()) return Fail(text.status().message());
    dockerfile = *text;
    // BuildKit: <Dockerfile>.dockerignore next to it wins over the context's.
    std::ifstream ignore(f.file + ".dockerignore", std::ios::binary);
    if (ignore) {
      std::ostringstream s;
      s << ignore.rdbuf();
      dockerignore = s.str();
    }
  }
  if (f.context == "-") {
    if (Status s = MakeDirs(ctx.root + "/tmp", 0700); !s.ok()) return Fail(s.message());
    std::string dir = ctx.root + "/tmp/context-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr)
      return Fail("cannot create a spool directory under " + ctx.root + "/tmp");
    spool.path = dir;
    auto in = image::FileSource::Open("/dev/stdin");
    if (!in.ok()) return Fail(in.status().message());
    Result<context::ContextManifest> scanned = context::ScanTarContext(**in, dir);
    if (!scanned.ok())
      return Fail("reading the build context from stdin: " + scanned.status().message());
    manifest = std::move(*scanned);
    if (f.file.empty()) {
      Result<std::string> text = ReadAll(dir + "/Dockerfile", "Dockerfile in the context tar:");
      if (!text.ok())
        return Fail("the context tar on stdin has no Dockerfile at its root; add one or give -f");
      dockerfile = *text;
    }
  } else {
    struct stat st;
    if (::stat(f.context.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Fail("unable to prepare context: path \"" + f.context +
                  "\" not found or not a directory; give the build context directory (or - for a "
                  "tar on stdin)");
    }
    if (f.file.empty()) {
      Result<std::string> text = ReadAll(f.context + "/Dockerfile", "Dockerfile");
      if (!text.ok()) return Fail(text.status().message());
      dockerfile = *text;
    }
    std::string abs = AbsolutePath(f.context);
    char real[PATH_MAX];
    if (realpath(abs.c_str(), real) != nullptr) abs = real;
    context::StatCache cache = context::StatCache::Load(context::StatCache::PathFor(ctx.root, abs));
    context::ScanOptions options;
    options.dockerignore = dockerignore;
    options.stat_cache = &cache;
    Result<context::ContextManifest> scanned = context::ScanContext(abs, options);
    if (!scanned.ok()) return Fail("loading the build context: " + scanned.status().message());
    manifest = std::move(*scanned);
    if (Status s = cache.Save(); !s.ok())
      std::cerr << "warning: stat cache not saved: " << s.message() << "\n";
  }
  for (const std::string& w : manifest.warnings) std::cerr << "warning: " << w << "\n";

  // The request.
  v1::SubmitBuild submit;
  submit.set_dockerfile(dockerfile);
  submit.set_dockerfile_name(dockerfile_name);
  for (const std::string& a : f.build_args) {
    size_t eq = a.find('=');
    if (eq == std::string::npos) {
      // Docker: --build-arg NAME takes the value from the environment.
      if (const char* v = std::getenv(a.c_str())) (*submit.mutable_build_args())[a] = v;
      continue;
    }
    (*submit.mutable_build_args())[a.substr(0, eq)] = a.substr(eq + 1);
  }
  for (const std::string& l : f.labels) {
    size_t eq = l.find('=');
    (*submit.mutable_labels())[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  submit.set_target(f.target);
  for (const std::string& t : f.tags) submit.add_tags(t);
  submit.set_no_cache(f.no_cache);
  submit.set_cache_share(f.cache_share);
  for (const std::string& s : f.no_cache_filter) submit.add_no_cache_filter(s);
  submit.set_cache_debug(f.cache_debug);
  submit.set_platform(f.platform);
  submit.set_pull(f.pull);
  if (!f.timeout.empty()) {
    std::optional<int64_t> nanos = ParseGoDuration(f.timeout);
    if (!nanos || *nanos <= 0) {
      return Fail("--timeout '" + f.timeout + "' is not a duration (e.g. 90s, 10m, 1h30m)");
    }
    submit.set_timeout_ms(static_cast<uint64_t>(std::max<int64_t>(1, *nanos / 1'000'000)));
  }
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    char* end = nullptr;
    long long v = std::strtoll(sde, &end, 10);
    if (*end != '\0' || v < 0)
      return Fail("SOURCE_DATE_EPOCH='" + std::string(sde) + "' is not a number of seconds");
    submit.set_has_source_date_epoch(true);
    submit.set_source_date_epoch(v);
  }

  AddRegistryAuths(ctx, submit, &submit);

  auto client = CoordinatorClient::Connect(ctx);
  if (!client.ok()) return Fail(client.status().message());
  std::unique_ptr<BuildProgress> progress = NewBuildProgress(mode, isatty(2) != 0, std::cerr);
  progress->OnNote("[internal] load build definition from " + dockerfile_name,
                   "transferring dockerfile: " + std::to_string(dockerfile.size()) + "B",
                   SteadyNowMs());
  Result<v1::BuildResult> result =
      RunRemoteBuild((*client)->connection(), std::move(submit), manifest, *progress);
  if (!result.ok()) {
    progress->Finish(result.status().message(), SteadyNowMs());
    std::cerr << Excerpt(result.status().message(), dockerfile_name, dockerfile);
    return Fail("failed to solve: " + result.status().message());
  }
  if (result->has_error()) {
    progress->Finish(result->error().message(), SteadyNowMs());
    std::cerr << Excerpt(result->error().message(), dockerfile_name, dockerfile);
    return Fail("failed to solve: " + result->error().message());
  }

  // Exporting.
  std::string detail = "writing image " + result->image_id() + " done";
  for (const std::string& t : result->tags()) detail += "\nnaming to " + t + " done";
  for (const BuildOutput& out : outputs) {
    if (out.type == "image") continue;
    protocol::Envelope req = protocol::NewEnvelope(0);
    auto* save = req.mutable_save_image();
    if (result->tags().empty()) save->add_names(result->image_id());
    for (const std::string& t : result->tags()) save->add_names(t);
    save->set_format(out.type == "oci" ? "oci-archive" : "docker-archive");
    Status exported;
    if (StreamsFiles(ctx)) {  // the coordinator's disk is not ours
      save->set_streamed(true);
      std::ofstream file(AbsolutePath(out.dest), std::ios::binary | std::ios::trunc);
      Result<uint64_t> saved = file ? DownloadArchive((*client)->connection(), std::move(req), file)
                                    : Result<uint64_t>(Status::IOError("cannot write " + out.dest));
      exported = saved.status();
      if (!exported.ok()) ::unlink(AbsolutePath(out.dest).c_str());
    } else {
      save->set_output_path(AbsolutePath(out.dest));
      exported = (*client)->Call(req).status();
    }
    if (!exported.ok()) {
      progress->Finish(exported.message(), SteadyNowMs());
      return Fail("exporting to " + out.dest + ": " + exported.message());
    }
    detail += "\nexporting to " + out.type + " archive " + out.dest + " done";
  }
  if (!f.iidfile.empty()) {
    std::ofstream iid(f.iidfile, std::ios::trunc);
    iid << result->image_id();
    if (!iid) return Fail("cannot write --iidfile " + f.iidfile);
  }
  // type=image names beyond the -t tags are tags too.
  for (const std::string& name : image_names) {
    if (std::find(f.tags.begin(), f.tags.end(), name) != f.tags.end()) continue;
    protocol::Envelope req = protocol::NewEnvelope(0);
    req.mutable_tag_image()->set_source(result->image_id());
    req.mutable_tag_image()->set_target(name);
    auto reply = (*client)->Call(req);
    if (!reply.ok()) {
      progress->Finish(reply.status().message(), SteadyNowMs());
      return Fail("naming the image " + name + ": " + reply.status().message());
    }
    detail += "\nnaming to " + name + " done";
  }
  progress->OnNote("exporting to image", detail, SteadyNowMs());
  for (const std::string& name : push_names) {
    Status pushed = PushBuilt(ctx, **client, name, *progress);
    if (!pushed.ok()) {
      progress->Finish(pushed.message(), SteadyNowMs());
      return Fail("failed to push " + name + ": " + pushed.message() + " (the image " +
                  result->image_id() + " is built and tagged locally; run `strata push " + name +
                  "` to try again)");
    }
  }
  progress->Finish("", SteadyNowMs());
  if (f.quiet) std::cout << result->image_id() << "\n";
  return 0;
}

void AddBuild(CLI::App* parent, CliContext& ctx) {
  auto f = std::make_shared<BuildFlags>();
  CLI::App* cmd = parent->add_subcommand("build", "Build an image from a Dockerfile");
  cmd->add_option("-t,--tag", f->tags, "name and optionally a tag (name:tag); may be repeated")
      ->allow_extra_args(false);
  cmd->add_option("-f,--file", f->file,
                  "the Dockerfile (default: PATH/Dockerfile); - reads it from stdin");
  cmd->add_option("--build-arg", f->build_args,
                  "set a build-time variable (KEY=VALUE, or KEY from the environment)")
      ->allow_extra_args(false);
  cmd->add_option("--target", f->target, "build this stage and what it needs");
  cmd->add_option("--label", f->labels, "set metadata on the image (KEY=VALUE)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-cache", f->no_cache, "do not use the cache (results are still stored)");
  cmd->add_flag("--cache-share", f->cache_share,
                "publish the steps this build stores or hits to every namespace of the farm");
  cmd->add_flag("--pull", f->pull, "always attempt to pull a newer version of the images");
  cmd->add_option("--no-cache-filter", f->no_cache_filter, "stages to build without the cache")
      ->allow_extra_args(false)
      ->delimiter(',');
  cmd->add_flag("--cache-debug", f->cache_debug, "print each step's cache key preimage");
  cmd->add_option("--iidfile", f->iidfile, "write the image ID to this file");
  cmd->add_option("-o,--output", f->outputs,
                  "output destination: type=oci|docker,dest=FILE or type=image[,name=NAME][,push=true]")
      ->allow_extra_args(false);
  cmd->add_flag("--push", f->push, "push the image to its registry after the build (type=registry)");
  cmd->add_option("--progress", f->progress, "auto, plain, tty or quiet");
  cmd->add_flag("-q,--quiet", f->quiet, "print only the image ID");
  cmd->add_option("--platform", f->platform, "target platform (os/arch)");
  cmd->add_option("--timeout", f->timeout,
                  "stop the build (its queued and running steps) after this long, e.g. 10m");
  cmd->add_option("PATH", f->context, "build context directory, or - for a tar on stdin")
      ->required();
  cmd->final_callback([&ctx, f] { ctx.run = [&ctx, f] { return RunBuild(ctx, *f); }; });
}

}  // namespace

void AddBuildCommand(CLI::App& app, CliContext& ctx) {
  AddBuild(&app, ctx);
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return a->get_name() == "image"; })) {
    AddBuild(sub, ctx);
  }
}

}  // namespace strata::cli
