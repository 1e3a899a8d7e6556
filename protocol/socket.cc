#include "protocol/socket.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace strata::protocol::internal {
namespace {

Status ZmqError(std::string_view what) {
  int error = errno;
  std::string message = std::string(what) + ": " + zmq_strerror(error);
  switch (error) {
    case ETERM:
      return Status::Cancelled(message + " (the protocol Context is shutting down)");
    case EAGAIN:
      return Status::Unavailable(message + " (peer not reading?)");
    case EHOSTUNREACH:
      // Only a ROUTER says so: the peer is gone (NotFound, not the
      // Unavailable of a peer that is there but not reading).
      return Status::NotFound(message + " (peer disconnected)");
    case EINVAL:
    case EPROTONOSUPPORT:
    case ENOCOMPATPROTO:
      return Status::InvalidArgument(message);
    case EADDRINUSE:
      return Status::AlreadyExists(message + " (another process listens there?)");
    case EACCES:
      return Status::PermissionDenied(message);
    default:
      return Status::IOError(message);
  }
}

Status SetInt(void* socket, int option, int value, std::string_view name) {
  if (zmq_setsockopt(socket, option, &value, sizeof(value)) != 0) {
    return ZmqError("cannot set " + std::string(name));
  }
  return Status::OK();
}

Status SetKey(void* socket, int option, const std::string& key, std::string_view name) {
  if (!IsCurveKey(key)) {
    return Status::InvalidArgument(std::string(name) +
                                   " is not a CurveZMQ key (40 characters of Z85 text); "
                                   "make one with GenerateCurveKeyPair()");
  }
  if (zmq_setsockopt(socket, option, key.data(), key.size()) != 0) {
    return ZmqError("cannot set " + std::string(name));
  }
  return Status::OK();
}

// Applies the CurveZMQ side of `security`; sets `*secure` when it did.
Status ApplySecurity(void* socket, Socket::Kind kind, SecurityOptions security, bool* secure) {
  *secure = false;
  bool server = kind == Socket::Kind::kRouter;
  if (server ? security.server_secret.empty() : security.server_public.empty()) {
    if (!security.empty() && server) {
      return Status::InvalidArgument("CurveZMQ listener needs server_secret");
    }
    if (!security.empty()) return Status::InvalidArgument("CurveZMQ client needs server_public");
    return Status::OK();
  }
  if (!zmq_has("curve")) {
    return Status::Unavailable("CurveZMQ keys given but this libzmq has no CURVE support")
        .WithRetryable(false);
  }
  if (server) {
    TRY(SetInt(socket, ZMQ_CURVE_SERVER, 1, "ZMQ_CURVE_SERVER"));
    static constexpr char kDomain[] = "strata";
    if (zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, kDomain, sizeof(kDomain) - 1) != 0) {
      return ZmqError("cannot set ZMQ_ZAP_DOMAIN");
    }
    TRY(SetKey(socket, ZMQ_CURVE_SECRETKEY, security.server_secret, "server_secret"));
  } else {
    if (security.client_public.empty() != security.client_secret.empty()) {
      return Status::InvalidArgument("give both client_public and client_secret, or neither");
    }
    if (security.client_public.empty()) {
      ASSIGN_OR_RETURN(CurveKeyPair pair, GenerateCurveKeyPair());
      security.client_public = pair.public_key;
      security.client_secret = pair.secret_key;
    }
    TRY(SetKey(socket, ZMQ_CURVE_SERVERKEY, security.server_public, "server_public"));
    TRY(SetKey(socket, ZMQ_CURVE_PUBLICKEY, security.client_public, "client_public"));
    TRY(SetKey(socket, ZMQ_CURVE_SECRETKEY, security.client_secret, "client_secret"));
  }
  *secure = true;
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Socket>> Socket::Create(Context& context, Kind kind,
                                               const SocketOptions& options) {
  if (context.handle_ == nullptr) {
    return Status::Internal("the protocol Context has no ZeroMQ context (see the log)");
  }
  void* handle = zmq_socket(context.handle_, kind == Kind::kRouter ? ZMQ_ROUTER : ZMQ_DEALER);
  if (handle == nullptr) return ZmqError("cannot create a ZeroMQ socket");
  auto close = [&](Status status) {
    zmq_close(handle);
    return status;
  };
  // Never block Context shutdown on unsent messages.
  if (Status s = SetInt(handle, ZMQ_LINGER, 0, "ZMQ_LINGER"); !s.ok()) return close(s);
  // Frames up to twice the limit still arrive, so that the decoder can log
  // them before dropping them; beyond that libzmq cuts the sender off
  // unread, bounding what a peer can make us allocate.
  auto max_size = static_cast<int64_t>(options.max_frame_size) * 2;
  if (zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &max_size, sizeof(max_size)) != 0) {
    return close(ZmqError("cannot set ZMQ_MAXMSGSIZE"));
  }
  if (Status s = SetInt(handle, ZMQ_SNDTIMEO, static_cast<int>(options.send_timeout.count()),
                        "ZMQ_SNDTIMEO");
      !s.ok()) {
    return close(s);
  }
  if (kind == Kind::kRouter) {
    // Report unknown peers instead of dropping replies silently.
    if (Status s = SetInt(handle, ZMQ_ROUTER_MANDATORY, 1, "ZMQ_ROUTER_MANDATORY"); !s.ok()) {
      return close(s);
    }
  }
  bool secure = false;
  if (Status s = ApplySecurity(handle, kind, options.security, &secure); !s.ok()) {
    return close(s);
  }
  return std::unique_ptr<Socket>(new Socket(handle, secure));
}

Socket::~Socket() { zmq_close(handle_); }

Status Socket::Bind(const Endpoint& endpoint) {
  if (secure_ && endpoint.transport == Transport::kInproc) {
    return Status::InvalidArgument("CurveZMQ keys do not apply to inproc:// endpoints");
  }
  std::string target = BindString(endpoint);
  if (endpoint.transport == Transport::kIpc) {
    // Only our own user may connect: libzmq checks each peer's SO_PEERCRED
    // uid against this set and closes the others' connections.
    int uid = static_cast<int>(::geteuid());
    if (zmq_setsockopt(handle_, ZMQ_IPC_FILTER_UID, &uid, sizeof(uid)) != 0) {
      return ZmqError("cannot restrict " + target + " to uid " + std::to_string(uid));
    }
  }
  if (zmq_bind(handle_, target.c_str()) != 0) return ZmqError("cannot listen on " + target);
  if (endpoint.transport == Transport::kIpc && ::chmod(endpoint.address.c_str(), 0600) != 0) {
    return Status::IOError("cannot make " + endpoint.address +
                           " private (chmod 0600): " + std::strerror(errno));
  }
  char last[1024];
  size_t size = sizeof(last);
  if (zmq_getsockopt(handle_, ZMQ_LAST_ENDPOINT, last, &size) != 0) {
    return ZmqError("cannot read the bound endpoint of " + target);
  }
  bound_endpoint_.assign(last);
  return Status::OK();
}

Status Socket::Connect(const Endpoint& endpoint) {
  if (secure_ && endpoint.transport == Transport::kInproc) {
    return Status::InvalidArgument("CurveZMQ keys do not apply to inproc:// endpoints");
  }
  std::string target = BindString(endpoint);
  if (zmq_connect(handle_, target.c_str()) != 0) return ZmqError("cannot connect to " + target);
  return Status::OK();
}

Status Socket::Send(const std::vector<std::string_view>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    int flags = i + 1 < parts.size() ? ZMQ_SNDMORE : 0;
    while (zmq_send(handle_, parts[i].data(), parts[i].size(), flags) < 0) {
      if (errno == EINTR) continue;
      return ZmqError("cannot send a message");
    }
  }
  return Status::OK();
}

Result<std::optional<Multipart>> Socket::Receive(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    zmq_pollitem_t item{handle_, 0, ZMQ_POLLIN, 0};
    int ready = zmq_poll(&item, 1, std::max<long>(0, static_cast<long>(left.count())));
    if (ready < 0) {
      if (errno == EINTR && Clock::now() < deadline) continue;
      if (errno == EINTR) return std::optional<Multipart>();
      return ZmqError("cannot wait for a message");
    }
    if (ready == 0) return std::optional<Multipart>();
    break;
  }
  Multipart message;
  while (true) {
    zmq_msg_t part;
    zmq_msg_init(&part);
    if (zmq_msg_recv(&part, handle_, ZMQ_DONTWAIT) < 0) {
      int error = errno;
      zmq_msg_close(&part);
      // Polled readable yet nothing to read: treat as no message.
      if (error == EAGAIN && message.part_count == 0) return std::optional<Multipart>();
      errno = error;
      return ZmqError("cannot receive a message");
    }
    ++message.part_count;
    if (message.parts.size() < Multipart::kMaxParts) {
      message.parts.emplace_back(static_cast<const char*>(zmq_msg_data(&part)),
                                 zmq_msg_size(&part));
    }
    bool more = zmq_msg_more(&part);
    if (!more && secure_) {
      if (const char* user = zmq_msg_gets(&part, "User-Id"); user != nullptr) {
        message.user_id = user;
      }
    }
    zmq_msg_close(&part);
    if (!more) break;
  }
  return std::optional<Multipart>(std::move(message));
}

}  // namespace strata::protocol::internal
