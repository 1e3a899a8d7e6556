#include "cli/pull_command.h"

#include <iostream>
#include <memory>

#include "cli/coordinator_client.h"
#include "cli/pull_printer.h"
#include "cli/registry_credentials.h"
#include "cli/reply_stream.h"
#include "common/logging.h"
#include "image/reference.h"
#include "protocol/envelope.h"

namespace strata::cli {
namespace {

struct PullFlags {
  std::string name;
  bool all_tags = false, quiet = false;
  std::string platform;
};

int Fail(const Status& s) {
  std::cerr << "Error response from daemon: " << s.message() << "\n";
  return 1;
}

// Sends the PullImage and prints its stream until the last PullResult.
Status Pull(protocol::Connection& connection, v1::PullImage request, PullPrinter& printer) {
  const uint64_t id = connection.NextRequestId();
  protocol::Envelope envelope = protocol::NewEnvelope(id);
  *envelope.mutable_pull_image() = std::move(request);
  TRY(connection.Send(envelope));
  // A big layer can take long; ReceiveReplies pings the coordinator meanwhile.
  return ReceiveReplies(connection, id, "pull",
                        [&](const protocol::Envelope& in) -> std::optional<Status> {
                          switch (in.body_case()) {
                            case protocol::Envelope::kPullProgress:
                              printer.OnProgress(in.pull_progress());
                              return std::nullopt;
                            case protocol::Envelope::kPullResult:
                              printer.OnResult(in.pull_result());
                              if (in.pull_result().last()) return Status::OK();
                              return std::nullopt;
                            case protocol::Envelope::kError:
                              return protocol::StatusFromError(in.error());
                            default:
                              LOG(DEBUG) << "pull: ignoring " << protocol::BodyName(in);
                              return std::nullopt;
                          }
                        });
}

Status PullWith(const CliContext& ctx, const PullFlags& f, std::ostream& out) {
  ASSIGN_OR_RETURN(image::Reference ref, image::ParseReference(f.name));
  v1::PullImage request;
  request.set_reference(f.name);
  request.set_platform(f.platform);
  request.set_all_tags(f.all_tags);
  request.set_quiet(f.quiet);
  std::shared_ptr<registry::CredentialStore> credentials = OpenCredentialStore(ctx);
  *request.mutable_auth() = AuthFor(credentials.get(), ref.domain());

  ASSIGN_OR_RETURN(std::unique_ptr<CoordinatorClient> client, CoordinatorClient::Connect(ctx));
  PullPrinter printer(out, f.name, f.quiet, f.all_tags);
  printer.Start();
  out.flush();
  return Pull(client->connection(), std::move(request), printer);
}

int RunPull(const CliContext& ctx, const PullFlags& f) {
  Status pulled = PullWith(ctx, f, std::cout);
  if (!pulled.ok()) return Fail(pulled);
  return 0;
}

}  // namespace

Status PullImage(const CliContext& ctx, const std::string& name, const std::string& platform,
                 std::ostream& out) {
  PullFlags f;
  f.name = name;
  f.platform = platform;
  return PullWith(ctx, f, out);
}

void AddPullCommand(CLI::App* parent, const std::string& name, CliContext& ctx) {
  auto f = std::make_shared<PullFlags>();
  CLI::App* cmd = parent->add_subcommand(name, "Download an image from a registry");
  cmd->add_flag("-a,--all-tags", f->all_tags, "download all tagged images in the repository");
  cmd->add_option("--platform", f->platform,
                  "set platform if server is multi-platform capable (os/arch[/variant])");
  cmd->add_flag("-q,--quiet", f->quiet, "suppress verbose output");
  cmd->add_option("NAME", f->name, "NAME[:TAG|@DIGEST]")->required();
  cmd->final_callback([&ctx, f] { ctx.run = [&ctx, f] { return RunPull(ctx, *f); }; });
}

}  // namespace strata::cli
