#pragma once

// Docker's port allocator for containers on the host network: a published
// port is refused at start when another running container publishes it or a
// process on this machine already holds it, instead of starting a container
// whose server then dies on EADDRINUSE.

#include <string>
#include <vector>

#include "common/status.h"

namespace strata::cli::container {

// `published` is a PORTS entry ("0.0.0.0:80->80/tcp", as ParsePublish makes
// it); `taken` holds the entries of the running containers. OK when the
// port is free; otherwise Unavailable with Docker's reason, "Bind for
// 0.0.0.0:80 failed: port is already allocated" (the caller adds "driver
// failed programming external connectivity on endpoint NAME (ID): "). A
// port is free when no entry of `taken` has the same port and protocol on
// the same address (0.0.0.0 overlaps every address) and a socket of that
// protocol can be bound to it (SO_REUSEADDR, so connections in TIME_WAIT do
// not count).
Status CheckPortFree(const std::string& published, const std::vector<std::string>& taken);

}  // namespace strata::cli::container
