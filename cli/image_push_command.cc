#include "cli/image_push_command.h"

#include <iostream>
#include <memory>

#include "cli/coordinator_client.h"
#include "cli/push_client.h"
#include "cli/registry_credentials.h"
#include "image/reference.h"

namespace strata::cli {
namespace {

struct PushFlags {
  std::string name;
  bool all_tags = false, quiet = false;
  std::string platform;
};

// Whether `name` gives a tag (after the last '/').
bool NamesTag(const std::string& name) {
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  return colon != std::string::npos && (slash == std::string::npos || colon > slash);
}

int RunPush(const CliContext& ctx, const PushFlags& f) {
  if (!f.platform.empty()) {
    std::cerr << "Error: --platform is not supported yet (strata stores one platform per tag)\n";
    return 1;
  }
  Result<image::Reference> ref = image::ParseReference(f.name);
  if (!ref.ok()) {
    std::cerr << "Error: " << ref.status().message() << "\n";
    return 1;
  }
  if (f.all_tags && NamesTag(f.name)) {
    std::cerr << "Error: tag can't be used with --all-tags/-a\n";
    return 1;
  }
  if (!f.quiet) {
    if (!f.all_tags && !NamesTag(f.name) && ref->digest().empty()) {
      std::cout << "Using default tag: latest\n";
    }
    std::cout << "The push refers to repository [" << ref->Name() << "]\n" << std::flush;
  }
  auto client = CoordinatorClient::Connect(ctx);
  if (!client.ok()) {
    std::cerr << "Error: " << client.status().message() << "\n";
    return 1;
  }
  v1::PushImage request;
  request.set_name(f.name);
  request.set_all_tags(f.all_tags);
  *request.mutable_auth() = AuthFor(OpenCredentialStore(ctx).get(), ref->domain());
  PushLines lines;
  Result<v1::PushResult> result =
      RunRemotePush((*client)->connection(), request, [&](const v1::PushProgress& p) {
        if (f.quiet) return;
        if (std::optional<std::string> line = lines.Line(p))
          std::cout << *line << "\n" << std::flush;
      });
  if (!result.ok()) {
    std::cerr << PushFailureMessage(result.status(), ref->domain()) << "\n";
    return 1;
  }
  if (f.quiet) {
    // Docker prints the pushed reference(s).
    for (const v1::PushedTag& t : result->tags())
      std::cout << ref->Name() << ":" << t.tag() << "\n";
  }
  return 0;
}

void AddPush(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<PushFlags>();
  CLI::App* cmd = parent->add_subcommand(name, "Upload an image to a registry");
  cmd->add_flag("-a,--all-tags", f->all_tags, "push all tags of an image to the repository");
  cmd->add_flag("-q,--quiet", f->quiet, "suppress verbose output");
  cmd->add_option("--platform", f->platform,
                  "push a platform-specific manifest (not supported yet)");
  cmd->add_option("NAME", f->name, "NAME[:TAG]")->required();
  cmd->final_callback([&ctx, f] { ctx.run = [&ctx, f] { return RunPush(ctx, *f); }; });
}

}  // namespace

void AddPushCommand(CLI::App& app, CliContext& ctx) {
  AddPush(&app, "push", ctx);
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return a->get_name() == "image"; })) {
    AddPush(sub, "push", ctx);
  }
}

}  // namespace strata::cli
