#include "protocol/zap_handler.h"

#include <zmq.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/thread_top.h"

namespace strata::protocol {
namespace {

constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";

// One ZAP request: version, request id, domain, address, routing id,
// mechanism, then the mechanism's credentials (CURVE: the 32-byte key).
std::vector<std::string> ReceiveParts(void* socket) {
  std::vector<std::string> parts;
  for (;;) {
    zmq_msg_t part;
    zmq_msg_init(&part);
    if (zmq_msg_recv(&part, socket, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&part);
      return parts;
    }
    parts.emplace_back(static_cast<const char*>(zmq_msg_data(&part)), zmq_msg_size(&part));
    bool more = zmq_msg_more(&part);
    zmq_msg_close(&part);
    if (!more) return parts;
  }
}

void SendReply(void* socket, const std::string& request_id, bool ok, const std::string& user) {
  const std::vector<std::string> reply = {
      "1.0", request_id, ok ? "200" : "400", ok ? "OK" : "unknown CurveZMQ key", user, ""};
  for (size_t i = 0; i < reply.size(); ++i) {
    int flags = i + 1 < reply.size() ? ZMQ_SNDMORE : 0;
    if (zmq_send(socket, reply[i].data(), reply[i].size(), flags) < 0) {
      LOG(WARN) << "ZAP handler: cannot answer: " << zmq_strerror(errno);
      return;
    }
  }
}

}  // namespace

Result<std::unique_ptr<ZapHandler>> ZapHandler::Start(Context& context, Admit admit) {
  if (context.handle_ == nullptr) {
    return Status::Internal("the protocol Context has no ZeroMQ context (see the log)");
  }
  void* socket = zmq_socket(context.handle_, ZMQ_REP);
  if (socket == nullptr) {
    return Status::IOError(std::string("cannot create the ZAP socket: ") + zmq_strerror(errno));
  }
  int linger = 0;
  zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof(linger));
  if (zmq_bind(socket, kZapEndpoint) != 0) {
    Status failed = Status::AlreadyExists(std::string("cannot bind the ZAP handler: ") +
                                          zmq_strerror(errno) + " (one per context)");
    zmq_close(socket);
    return failed;
  }
  return std::unique_ptr<ZapHandler>(new ZapHandler(socket, std::move(admit)));
}

ZapHandler::ZapHandler(void* socket, Admit admit) : socket_(socket), admit_(std::move(admit)) {
  thread_ = std::thread([this] {
    Status crashed = CatchAtThreadTop("ZAP handler", [this] { Serve(); });
    if (!crashed.ok()) LOG(ERROR) << crashed.message();
  });
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  thread_.join();
  zmq_close(socket_);
}

void ZapHandler::Serve() {
  while (!stop_) {
    zmq_pollitem_t item{socket_, 0, ZMQ_POLLIN, 0};
    int ready = zmq_poll(&item, 1, 100);
    if (ready < 0) {
      if (errno == EINTR) continue;
      if (errno != ETERM) LOG(WARN) << "ZAP handler stops: " << zmq_strerror(errno);
      return;
    }
    if (ready == 0) continue;
    std::vector<std::string> parts = ReceiveParts(socket_);
    if (parts.size() < 2) continue;  // not even a request id: a REP must still answer
    const std::string& request_id = parts[1];
    // version 1.0, mechanism CURVE, a 32-byte key: anything else is refused.
    bool curve = parts.size() == 7 && parts[0] == "1.0" && parts[5] == "CURVE" &&
                 parts[6].size() == 32;
    std::string key;
    if (curve) {
      char z85[41];
      if (zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(parts[6].data()), 32) != nullptr) {
        key.assign(z85, 40);
      }
    }
    bool ok = !key.empty() && admit_(key);
    if (!ok) LOG(WARN) << "refused a CurveZMQ client" << (key.empty() ? "" : " with key " + key);
    SendReply(socket_, request_id, ok, ok ? key : "");
  }
}

}  // namespace strata::protocol
