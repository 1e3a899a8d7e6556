#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace strata::protocol {

// The transports strata speaks, by endpoint scheme:
//   tcp://HOST:PORT   between machines (PORT 0 or * on bind: any free port)
//   ipc:///abs/path   a unix socket on this machine (local mode)
//   inproc://NAME     inside one process; both ends need the same Context
enum class Transport { kTcp, kIpc, kInproc };

struct Endpoint {
  Transport transport;
  std::string address;  // after "scheme://"
};

// Checks an endpoint string and splits it; InvalidArgument says what is
// wrong and shows the accepted forms.
Result<Endpoint> ParseEndpoint(std::string_view text);

// The string ZeroMQ binds to: a tcp port 0 becomes "*".
std::string BindString(const Endpoint& endpoint);

// "tcp://HOST:PORT".
std::string TcpEndpoint(std::string_view host, int port);

}  // namespace strata::protocol
