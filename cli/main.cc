// strata: the command-line client. Parses flags and runs one command; image,
// container and build commands talk to a coordinator (a local one is started
// on demand when no --host is given).

#include <unistd.h>

#include <climits>
#include <iostream>
#include <string>

#include "cli/cluster_commands.h"
#include "cli/build_command.h"
#include "cli/cli_context.h"
#include "cli/container_commands.h"
#include "cli/dockerfile_commands.h"
#include "cli/image_commands.h"
#include "cli/login_command.h"
#include "cli/image_push_command.h"
#include "cli/version_command.h"
#include "common/logging.h"
#include "common/options.h"

namespace {

std::string SelfDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

}  // namespace

int main(int argc, char** argv) {
  strata::cli::CliContext ctx;
  ctx.bin_dir = SelfDir();
  CLI::App app("strata: build container images from Dockerfiles on a shared-cache worker pool",
               "strata");
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("-v,--version", strata::cli::VersionLine(strata::GetBuildInfo()),
                       "print version information and quit");
  strata::AddOptionTable(
      app, {
               {"--root", "STRATA_ROOT", strata::cli::DefaultRoot(),
                "state directory (image store, local coordinator socket)", &ctx.root},
               {"--host", "STRATA_HOST", "", "coordinator endpoint (tcp://HOST:PORT); empty starts a local one",
                &ctx.host},
               {"--log-level", "STRATA_LOG_LEVEL", "warn", "debug, info, warn or error", &ctx.log_level},
               {"--token", "STRATA_TOKEN", "",
                "token for the --host coordinator (default: the one 'login --token' saved)",
                &ctx.token},
               {"--curve-server-key", "STRATA_CURVE_SERVER_KEY", "",
                "file with the --host coordinator's CurveZMQ public key (its .pub)",
                &ctx.curve_server_key},
               {"--curve-secret-key", "STRATA_CURVE_SECRET_KEY", "",
                "file with this client's CurveZMQ secret key (a .key from 'system keygen')",
                &ctx.curve_secret_key},
           });
  strata::AddConfigFileOption(app, &ctx.config);
  strata::cli::AddDockerfileCommands(app, ctx);
  strata::cli::AddImageCommands(app, ctx);
  strata::cli::AddLoginCommands(app, ctx);
  strata::cli::AddPushCommand(app, ctx);
  strata::cli::AddContainerCommands(app, ctx);
  strata::cli::AddBuildCommand(app, ctx);
  strata::cli::AddVersionCommand(app, ctx);
  strata::cli::AddClusterCommands(app, ctx);

  if (std::optional<int> rc = strata::ParseCommandLine(app, argc, argv)) return *rc;
  strata::LogLevel level;
  if (!strata::ParseLogLevel(ctx.log_level, &level)) {
    std::cerr << "strata: unknown --log-level '" << ctx.log_level
              << "': use debug, info, warn or error\n";
    return 2;
  }
  strata::SetLogLevel(level);
  if (!ctx.run) {
    std::cerr << "strata: no command given; run 'strata --help'\n";
    return 2;
  }
  return ctx.run();
}
