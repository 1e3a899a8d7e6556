#pragma once

// Debian's docker-registry (/usr/bin/docker-registry, distribution 2.8) run
// by a test on 127.0.0.1 at a port the kernel picks, with a generated
// config.yml and its storage under the test's directory:
//   kOpen      anonymous pull and push
//   kHtpasswd  Basic auth against an htpasswd file of one account
//   kToken     bearer tokens from a TokenIssuer (realm, service, issuer and
//              the issuer's certificate as rootcertbundle)
// Start returns once GET /v2/ answers (bounded: 15 s); the destructor stops
// the process (TERM, then KILL after 5 s); the child also gets KILL if the
// test process dies. Test-only.

#include <sys/types.h>

#include <memory>
#include <string>

#include "common/result.h"

namespace strata::registry::testing {

class RegistryProcess {
 public:
  enum class Mode { kOpen, kHtpasswd, kToken };
  struct Options {
    Mode mode = Mode::kOpen;
    std::string dir;  // config.yml, log, data/ live here (created)
    // kHtpasswd: the one account.
    std::string user = "tester";
    std::string password = "s3cret-pass";
    // kToken: what the TokenIssuer says.
    std::string token_realm;
    std::string token_service;
    std::string token_issuer;
    std::string token_cert_path;
    std::string binary = "/usr/bin/docker-registry";
  };

  // Whether docker-registry is installed (a machine fact: tests skip without).
  static bool Available(const std::string& binary = "/usr/bin/docker-registry");

  static Result<std::unique_ptr<RegistryProcess>> Start(Options options);
  ~RegistryProcess();
  RegistryProcess(const RegistryProcess&) = delete;
  RegistryProcess& operator=(const RegistryProcess&) = delete;

  // "127.0.0.1:PORT"
  const std::string& address() const { return address_; }
  const Options& options() const { return options_; }
  std::string log_path() const { return options_.dir + "/log"; }
  std::string storage_dir() const { return options_.dir + "/data"; }
  // Stops it now (idempotent).
  void Stop();

 private:
  explicit RegistryProcess(Options options) : options_(std::move(options)) {}
  Status WriteConfig() const;
  Status Spawn();
  Status WaitReady();

  Options options_;
  pid_t pid_ = -1;
  std::string address_;
};

// The registry's log, for a failing test's message (last `max_bytes`).
std::string TailOfFile(const std::string& path, size_t max_bytes = 4000);

}  // namespace strata::registry::testing
