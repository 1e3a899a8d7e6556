#include "protocol/endpoint.h"

#include <string>

namespace strata::protocol {
namespace {

// sun_path holds 108 bytes including the terminating NUL.
constexpr size_t kMaxIpcPath = 107;

constexpr std::string_view kForms = "use tcp://HOST:PORT, ipc:///absolute/path or inproc://NAME";

Status Invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("bad endpoint '" + std::string(text) + "': " + std::string(why) +
                                 "; " + std::string(kForms));
}

bool IsPort(std::string_view port) {
  if (port == "*") return true;
  if (port.empty() || port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value <= 65535;
}

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view text) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return Invalid(text, "no scheme");
  std::string_view scheme = text.substr(0, sep);
  std::string_view address = text.substr(sep + 3);
  if (address.empty()) return Invalid(text, "nothing after the scheme");
  if (scheme == "tcp") {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Invalid(text, "tcp needs HOST:PORT");
    }
    if (!IsPort(address.substr(colon + 1))) {
      return Invalid(text, "port must be a number from 0 to 65535 or *");
    }
    return Endpoint{Transport::kTcp, std::string(address)};
  }
  if (scheme == "ipc") {
    if (address.size() > kMaxIpcPath) {
      return Invalid(text, "a unix socket path is limited to " + std::to_string(kMaxIpcPath) +
                               " bytes; choose a shorter directory");
    }
    return Endpoint{Transport::kIpc, std::string(address)};
  }
  if (scheme == "inproc") return Endpoint{Transport::kInproc, std::string(address)};
  return Invalid(text, "unknown scheme '" + std::string(scheme) + "'");
}

std::string BindString(const Endpoint& endpoint) {
  switch (endpoint.transport) {
    case Transport::kTcp: {
      std::string address = endpoint.address;
      if (address.size() >= 2 && address.compare(address.size() - 2, 2, ":0") == 0) {
        address.replace(address.size() - 1, 1, "*");
      }
      return "tcp://" + address;
    }
    case Transport::kIpc:
      return "ipc://" + endpoint.address;
    case Transport::kInproc:
      return "inproc://" + endpoint.address;
  }
  return {};
}

std::string TcpEndpoint(std::string_view host, int port) {
  return "tcp://" + std::string(host) + ":" + std::to_string(port);
}

}  // namespace strata::protocol
