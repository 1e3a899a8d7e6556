#include "cli/login_command.h"

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/coordinator_client.h"
#include "cli/host_tokens.h"
#include "cli/registry_credentials.h"
#include "protocol/envelope.h"

namespace strata::cli {
namespace {

constexpr char kDockerHub[] = "https://index.docker.io/v1/";

struct LoginFlags {
  std::string server;
  std::string username;
  std::string password;
  bool password_stdin = false;
  std::string token;  // --token: a coordinator token to save for --host
};

int Fail(const std::string& message) {
  std::cerr << "Error: " << message << "\n";
  return 1;
}

// A line from standard input without its line end; with `hide` and a
// terminal, not echoed.
bool ReadLine(bool hide, std::string* out) {
  termios saved{};
  bool tty = hide && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  bool ok = static_cast<bool>(std::getline(std::cin, *out));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return ok;
}

std::string ServerOf(const std::string& given) { return given.empty() ? kDockerHub : given; }

// `strata --host H login --token T`: T is checked with a Ping and saved
// for H (cli/host_tokens.h).
int RunTokenLogin(const CliContext& ctx, const LoginFlags& f) {
  if (ctx.host.empty()) {
    return Fail("login --token saves a token for a remote coordinator: give --host tcp://HOST:PORT "
                "(or STRATA_HOST)");
  }
  if (!f.server.empty() || !f.username.empty() || !f.password.empty() || f.password_stdin) {
    return Fail("login --token takes no registry, username or password");
  }
  CliContext with_token = ctx;
  with_token.token = f.token;
  Result<std::unique_ptr<CoordinatorClient>> client = CoordinatorClient::Connect(with_token);
  if (!client.ok()) return Fail(client.status().message());
  Status saved = SaveToken(ctx.root, ctx.host, f.token);
  if (!saved.ok()) return Fail("saving the token for " + ctx.host + ": " + saved.message());
  std::cout << "Login Succeeded\n";
  return 0;
}

int RunLogin(const CliContext& ctx, const LoginFlags& f) {
  if (!f.token.empty()) return RunTokenLogin(ctx, f);
  LoginFlags in = f;
  if (in.password_stdin && !in.password.empty()) {
    return Fail("--password and --password-stdin are mutually exclusive");
  }
  if (in.password_stdin && in.username.empty()) {
    return Fail("Must provide --username with --password-stdin");
  }
  if (!in.password.empty()) {
    std::cerr << "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n";
  }
  if (in.password_stdin) {
    std::string all, line;
    while (std::getline(std::cin, line)) all += (all.empty() ? "" : "\n") + line;
    while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) all.pop_back();
    in.password = all;
  }
  if (in.username.empty()) {
    std::cerr << "Username: " << std::flush;
    if (!ReadLine(false, &in.username) || in.username.empty()) return Fail("Username is required");
  }
  if (in.password.empty()) {
    std::cerr << "Password: " << std::flush;
    if (!ReadLine(true, &in.password) || in.password.empty()) return Fail("Password is required");
  }
  std::shared_ptr<registry::CredentialStore> store = OpenCredentialStore(ctx);
  if (!store) return Fail("no credential store is available in this strata build");
  std::string server = ServerOf(in.server);
  // The registry judges them first, asked by the coordinator (as dockerd
  // does for `docker login`); refused credentials are not stored.
  Result<std::unique_ptr<CoordinatorClient>> client = CoordinatorClient::Connect(ctx);
  if (!client.ok()) return Fail(client.status().message());
  protocol::Envelope req = protocol::NewEnvelope(0);
  v1::RegistryAuth* auth = req.mutable_check_login()->mutable_auth();
  auth->set_server(server);
  auth->set_username(in.username);
  auth->set_password(in.password);
  Result<protocol::Envelope> reply = (*client)->Call(std::move(req), std::chrono::minutes(2));
  if (!reply.ok()) return Fail("login to " + server + " failed: " + reply.status().message());
  Status put = store->Put(server, {in.username, in.password});
  if (!put.ok()) return Fail("storing credentials for " + server + ": " + put.message());
  std::cout << "Login Succeeded\n";
  return 0;
}

int RunLogout(const CliContext& ctx, const std::string& given, bool token) {
  if (token) {
    if (ctx.host.empty()) return Fail("logout --token forgets the token saved for --host: give it");
    Result<bool> forgot = ForgetToken(ctx.root, ctx.host);
    if (!forgot.ok()) return Fail(forgot.status().message());
    std::cout << (*forgot ? "Removing the token for " : "No token saved for ") << ctx.host << "\n";
    return 0;
  }
  std::shared_ptr<registry::CredentialStore> store = OpenCredentialStore(ctx);
  if (!store) return Fail("no credential store is available in this strata build");
  std::string server = ServerOf(given);
  Result<std::optional<registry::Credentials>> had = store->Get(server);
  if (had.ok() && !had->has_value()) {
    std::cout << "Not logged in to " << server << "\n";
    return 0;
  }
  std::cout << "Removing login credentials for " << server << "\n";
  Status erased = store->Erase(server);
  if (!erased.ok()) return Fail("removing credentials for " + server + ": " + erased.message());
  return 0;
}

}  // namespace

void AddLoginCommands(CLI::App& app, CliContext& ctx) {
  auto f = std::make_shared<LoginFlags>();
  CLI::App* login = app.add_subcommand("login", "Log in to a registry");
  login->add_option("-u,--username", f->username, "username");
  login->add_option("-p,--password", f->password, "password or identity token");
  login->add_flag("--password-stdin", f->password_stdin, "take the password from stdin");
  login->add_option("SERVER", f->server, "registry (default: Docker Hub)");
  login->add_option("--token", f->token,
                    "save this coordinator token for --host (checked first) instead of logging in "
                    "to a registry");
  login->final_callback([&ctx, f] { ctx.run = [&ctx, f] { return RunLogin(ctx, *f); }; });

  auto server = std::make_shared<std::string>();
  auto token = std::make_shared<bool>(false);
  CLI::App* logout = app.add_subcommand("logout", "Log out from a registry");
  logout->add_option("SERVER", *server, "registry (default: Docker Hub)");
  logout->add_flag("--token", *token, "forget the coordinator token saved for --host");
  logout->final_callback([&ctx, server, token] {
    ctx.run = [&ctx, server, token] { return RunLogout(ctx, *server, *token); };
  });
}

}  // namespace strata::cli
