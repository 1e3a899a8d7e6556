#pragma once

#include <functional>
#include <string>

namespace strata::cli {

// Per-process state of the `strata` command, filled by option parsing and
// passed to every command (no globals). Owns nothing but strings.
struct CliContext {
  std::string root;       // state directory (--root / STRATA_ROOT)
  std::string host;       // coordinator endpoint (--host / STRATA_HOST); "" = embedded
  // With --host (docs/tenancy.md): the token (--token / STRATA_TOKEN; else
  // the one `login --token` saved for the host), the coordinator's CurveZMQ
  // public key file (--curve-server-key) and our own secret key file
  // (--curve-secret-key, for a coordinator that admits listed keys only).
  std::string token;
  std::string curve_server_key;
  std::string curve_secret_key;
  std::string log_level;  // --log-level / STRATA_LOG_LEVEL
  std::string config;     // --config / STRATA_CONFIG
  std::string bin_dir;    // directory of the running `strata` binary

  // Set by the chosen subcommand's callback; main() runs it after parsing.
  std::function<int()> run;
};

// The default state directory: $XDG_DATA_HOME/strata or ~/.local/share/strata.
std::string DefaultRoot();

// `path` made absolute against the working directory: paths travel to the
// coordinator, whose working directory is not ours.
std::string AbsolutePath(const std::string& path);

}  // namespace strata::cli
