#include "cli/container/port_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace strata::cli::container {
namespace {

struct Endpoint {
  std::string ip, port, proto;
};

// "IP:HOST->CONTAINER/PROTO" -> {IP, HOST, PROTO}; false when malformed.
bool ParseEntry(const std::string& entry, Endpoint* out) {
  size_t arrow = entry.find("->");
  size_t slash = entry.rfind('/');
  if (arrow == std::string::npos || slash == std::string::npos || slash < arrow) return false;
  std::string host = entry.substr(0, arrow);
  size_t colon = host.rfind(':');
  if (colon == std::string::npos) return false;
  out->ip = host.substr(0, colon);
  out->port = host.substr(colon + 1);
  out->proto = entry.substr(slash + 1);
  return !out->port.empty();
}

bool Overlaps(const Endpoint& a, const Endpoint& b) {
  return a.port == b.port && a.proto == b.proto &&
         (a.ip == b.ip || a.ip == "0.0.0.0" || b.ip == "0.0.0.0");
}

// errno of binding a socket of `e`'s protocol to its address; 0 when it
// could be bound (or cannot be tried: an address or protocol this check does
// not know is left to the container).
int BindErrno(const Endpoint& e) {
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  char* end = nullptr;
  unsigned long port = std::strtoul(e.port.c_str(), &end, 10);
  if (end == e.port.c_str() || *end != '\0' || port > 65535) return 0;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, e.ip.c_str(), &addr.sin_addr) != 1) return 0;
  int type = e.proto == "tcp" ? SOCK_STREAM : e.proto == "udp" ? SOCK_DGRAM : -1;
  if (type < 0) return 0;
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  if (type == SOCK_STREAM) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  int rc = bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
  close(fd);
  return rc;
}

}  // namespace

Status CheckPortFree(const std::string& published, const std::vector<std::string>& taken) {
  Endpoint want;
  if (!ParseEntry(published, &want)) return Status::OK();
  const std::string allocated =
      "Bind for " + want.ip + ":" + want.port + " failed: port is already allocated";
  for (const auto& entry : taken) {
    Endpoint other;
    if (ParseEntry(entry, &other) && Overlaps(want, other)) return Status::Unavailable(allocated);
  }
  int err = BindErrno(want);
  if (err == 0) return Status::OK();
  if (err == EADDRINUSE) return Status::Unavailable(allocated);
  // Docker's userland proxy reports the other failures of listen this way.
  return Status::Unavailable("Error starting userland proxy: listen " + want.proto + "4 " +
                             want.ip + ":" + want.port + ": bind: " + std::strerror(err));
}

}  // namespace strata::cli::container
