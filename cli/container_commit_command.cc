#include "cli/container_commit_command.h"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/container/container_store.h"
#include "cli/container/snapshot_tar.h"
#include "cli/container_command_support.h"
#include "cli/coordinator_client.h"

namespace strata::cli {
namespace {

using container::ContainerRecord;
using container::ContainerStore;

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
  body->set_container_config_json(
      config.contains("config")
          ? config["config"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          : "{}");
  auto reply = (*client)->Call(req);
  if (!reply.ok()) return Fail(reply.status());
  std::cout << reply->import_result().id() << "\n";
  return 0;
}

}  // namespace

void AddCommitCommand(CLI::App* parent, CliContext& ctx) {
  auto commit = std::make_shared<CommitFlags>();
  CLI::App* c = parent->add_subcommand("commit", "Create a new image from a container's changes");
  c->add_option("-a,--author", commit->author,
                "author (e.g. \"John Hannibal Smith <hannibal@a-team.com>\")");
  c->add_option("-m,--message", commit->message, "commit message");
  c->add_option("-c,--change", commit->changes,
                "apply a Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  c->add_option("CONTAINER", commit->container, "container")->required();
  c->add_option("REPOSITORY", commit->repo_tag, "REPOSITORY[:TAG]");
  OnRun(c, ctx, commit, RunCommit);
}

}  // namespace strata::cli
