// strata-test-registry: the registry fixtures of registry/testing for the
// shell suites (tests/e2e/registry_lib.sh). Test-only.
//
//   strata-test-registry serve --mode open|htpasswd|token --dir DIR
//       starts docker-registry (and, for token, the token issuer) and writes
//       DIR/address (127.0.0.1:PORT), DIR/user, DIR/password once /v2/
//       answers; runs until SIGTERM/SIGINT, then stops the registry.
//   strata-test-registry proxy --upstream ADDR --dir DIR
//         [--corrupt PART] [--cut PART:BYTES] [--fail PART:STATUS:TIMES]
//       a FaultProxy in front of ADDR; writes DIR/address; runs until TERM.

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/numbers.h"
#include "registry/testing/fault_proxy.h"
#include "registry/testing/registry_process.h"
#include "registry/testing/token_issuer.h"

namespace {

using strata::registry::testing::FaultProxy;
using strata::registry::testing::RegistryProcess;
using strata::registry::testing::TokenIssuer;

int Usage() {
  std::cerr << "usage: strata-test-registry serve --mode open|htpasswd|token --dir DIR\n"
               "       strata-test-registry proxy --upstream ADDR --dir DIR [--corrupt PART]"
               " [--cut PART:BYTES] [--fail PART:STATUS:TIMES]\n";
  return 2;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::trunc);
  out << text << "\n";
  out.close();
  return out && std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Blocks until SIGTERM or SIGINT.
void WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
}

int Serve(const std::string& mode, const std::string& dir) {
  RegistryProcess::Options o;
  o.dir = dir;
  std::unique_ptr<TokenIssuer> issuer;
  if (mode == "open") {
    o.mode = RegistryProcess::Mode::kOpen;
  } else if (mode == "htpasswd") {
    o.mode = RegistryProcess::Mode::kHtpasswd;
  } else if (mode == "token") {
    o.mode = RegistryProcess::Mode::kToken;
    TokenIssuer::Options t;
    t.dir = dir;
    auto started = TokenIssuer::Start(t);
    if (!started.ok()) {
      std::cerr << "token issuer: " << started.status().message() << "\n";
      return 1;
    }
    issuer = std::move(*started);
    o.token_realm = issuer->realm();
    o.token_service = issuer->options().service;
    o.token_issuer = issuer->options().issuer;
    o.token_cert_path = issuer->cert_path();
    o.user = issuer->options().user;
    o.password = issuer->options().password;
  } else {
    return Usage();
  }
  auto registry = RegistryProcess::Start(o);
  if (!registry.ok()) {
    std::cerr << registry.status().message() << "\n";
    return 1;
  }
  if (!WriteFile(dir + "/user", o.user) || !WriteFile(dir + "/password", o.password) ||
      (issuer && !WriteFile(dir + "/realm", issuer->realm())) ||
      !WriteFile(dir + "/address", (*registry)->address())) {
    std::cerr << dir << ": cannot write the address files\n";
    return 1;
  }
  std::cout << (*registry)->address() << std::endl;
  WaitForSignal();
  (*registry)->Stop();
  return 0;
}

int Proxy(const std::vector<std::string>& args) {
  std::string upstream, dir;
  FaultProxy* proxy = nullptr;
  std::vector<std::pair<std::string, std::string>> faults;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--upstream")
      upstream = args[i + 1];
    else if (args[i] == "--dir")
      dir = args[i + 1];
    else if (args[i] == "--corrupt" || args[i] == "--cut" || args[i] == "--fail")
      faults.emplace_back(args[i], args[i + 1]);
    else
      return Usage();
  }
  if (upstream.empty() || dir.empty()) return Usage();
  FaultProxy p(upstream);
  proxy = &p;
  if (proxy->address().empty()) {
    std::cerr << "proxy: cannot listen on 127.0.0.1\n";
    return 1;
  }
  for (const auto& [flag, value] : faults) {
    if (flag == "--corrupt") {
      proxy->CorruptBody(value);
    } else if (flag == "--cut") {
      size_t colon = value.rfind(':');
      auto bytes = strata::ParseInt64InRange(value.substr(colon + 1), 0, 1LL << 40);
      if (colon == std::string::npos || !bytes) return Usage();
      proxy->CutBody(value.substr(0, colon), static_cast<uint64_t>(*bytes));
    } else {
      size_t a = value.rfind(':');
      size_t b = a == std::string::npos || a == 0 ? std::string::npos : value.rfind(':', a - 1);
      if (b == std::string::npos) return Usage();
      auto status = strata::ParseInt64InRange(value.substr(b + 1, a - b - 1), 100, 599);
      auto times = strata::ParseInt64InRange(value.substr(a + 1), -1, 1000000);
      if (!status || !times) return Usage();
      proxy->Fail(value.substr(0, b), static_cast<int>(*status), static_cast<int>(*times));
    }
  }
  if (!WriteFile(dir + "/address", proxy->address())) return 1;
  std::cout << proxy->address() << std::endl;
  WaitForSignal();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait in the main thread; block them everywhere.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage();
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") {
    std::string mode, dir;
    for (size_t i = 0; i + 1 < args.size(); i += 2) {
      if (args[i] == "--mode")
        mode = args[i + 1];
      else if (args[i] == "--dir")
        dir = args[i + 1];
      else
        return Usage();
    }
    if (mode.empty() || dir.empty()) return Usage();
    return Serve(mode, dir);
  }
  if (command == "proxy") return Proxy(args);
  return Usage();
}
