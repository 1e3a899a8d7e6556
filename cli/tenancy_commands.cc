#include "cli/tenancy_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "cli/coordinator_client.h"
#include "common/file_util.h"
#include "common/random_hex.h"
#include "image/digest.h"
#include "protocol/envelope.h"
#include "protocol/security.h"
#include "protocol/tenancy.h"

namespace strata::cli {
namespace {

int Fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

struct TokenFlags {
  std::string ns;
  std::string role = "member";
};

// A new random token and the tokens-file line that grants it: the file
// keeps the SHA-256 only, so the token is shown once, here.
int RunTokenCreate(const TokenFlags& f) {
  if (!protocol::IsNamespaceName(f.ns)) {
    return Fail("--namespace '" + f.ns +
                "' is not a name: 1-63 of a-z, 0-9, '.', '_', '-', starting with a letter or "
                "digit");
  }
  std::optional<protocol::Role> role = protocol::ParseRole(f.role);
  if (!role) return Fail("--role '" + f.role + "' is not member, admin or worker");
  const std::string token = "strata_" + RandomHex(40);
  std::cout << "Token: " << token << "\n"
            << "Add this line to the coordinator's tokens file (--tokens), then send it SIGHUP:\n"
            << "sha256:" << Digest::Sha256Of(token).hex() << " " << f.ns << " "
            << protocol::RoleName(*role) << "\n";
  return 0;
}

// Writes `content` to `path`, which must not exist yet (a key is never
// overwritten by accident).
Status WriteNewFile(const std::string& path, const std::string& content, mode_t mode) {
  if (::access(path.c_str(), F_OK) == 0) {
    return Status::AlreadyExists(path + " exists; remove it first or choose another --out");
  }
  TRY(WriteFile(path, content, mode));
  if (::chmod(path.c_str(), mode) != 0) {
    return Status::IOError("cannot set the mode of " + path + ": " + std::strerror(errno));
  }
  return Status::OK();
}

int RunKeygen(const std::string& prefix) {
  if (prefix.empty()) return Fail("give --out PREFIX (writes PREFIX.key and PREFIX.pub)");
  Result<protocol::CurveKeyPair> pair = protocol::GenerateCurveKeyPair();
  if (!pair.ok()) return Fail(pair.status().message());
  if (::access((prefix + ".pub").c_str(), F_OK) == 0) {
    return Fail(prefix + ".pub exists; remove it first or choose another --out");
  }
  if (Status s = WriteNewFile(prefix + ".key", pair->secret_key + "\n", 0600); !s.ok()) {
    return Fail(s.message());
  }
  if (Status s = WriteNewFile(prefix + ".pub", pair->public_key + "\n", 0644); !s.ok()) {
    ::unlink((prefix + ".key").c_str());
    return Fail(s.message());
  }
  std::cout << "Secret key: " << prefix << ".key (keep it private)\n"
            << "Public key: " << prefix << ".pub\n"
            << "Grant line: curve:" << pair->public_key << " NAMESPACE ROLE\n";
  return 0;
}

int RunShutdown(const CliContext& ctx) {
  if (ctx.host.empty()) {
    return Fail("system shutdown stops a remote coordinator: give --host (a local one stops "
                "by itself when idle)");
  }
  Result<std::unique_ptr<CoordinatorClient>> client = CoordinatorClient::Connect(ctx);
  if (!client.ok()) return Fail(client.status().message());
  protocol::Envelope request = protocol::NewEnvelope(0);
  request.mutable_shutdown();
  Result<protocol::Envelope> reply = (*client)->Call(std::move(request), std::chrono::seconds(30));
  if (!reply.ok()) return Fail(reply.status().message());
  std::cout << "The coordinator at " << ctx.host << " is shutting down\n";
  return 0;
}

}  // namespace

void AddTenancyCommands(CLI::App& system, CliContext& ctx) {
  CLI::App* token = system.add_subcommand("token", "Manage coordinator tokens");
  token->require_subcommand(1);
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* create = token->add_subcommand("create", "Make a new token and its tokens-file line");
  create->add_option("--namespace", flags->ns, "the namespace (team) the token acts in")
      ->required();
  create->add_option("--role", flags->role, "member (default), admin or worker");
  create->final_callback([&ctx, flags] { ctx.run = [flags] { return RunTokenCreate(*flags); }; });

  auto prefix = std::make_shared<std::string>();
  CLI::App* keygen =
      system.add_subcommand("keygen", "Write a CurveZMQ key pair (PREFIX.key, PREFIX.pub)");
  keygen->add_option("--out", *prefix, "path prefix of the two files")->required();
  keygen->final_callback([&ctx, prefix] { ctx.run = [prefix] { return RunKeygen(*prefix); }; });

  CLI::App* shutdown = system.add_subcommand("shutdown", "Stop the --host coordinator (admin)");
  shutdown->final_callback([&ctx] { ctx.run = [&ctx] { return RunShutdown(ctx); }; });
}

}  // namespace strata::cli
