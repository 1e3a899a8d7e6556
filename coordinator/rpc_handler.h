#pragma once

#include <vector>

#include "coordinator/image_service.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

// Turns one request envelope into its replies (one, or several for streams),
// calling the services. Every failure becomes an Error reply carrying the
// request's id; nothing here throws or crashes on a strange request.
class RpcHandler {
 public:
  explicit RpcHandler(ImageService& images) : images_(images) {}

  std::vector<protocol::Envelope> Handle(const protocol::Envelope& request);
  // True once a Shutdown request was handled.
  bool shutdown_requested() const { return shutdown_requested_; }

 private:
  protocol::Envelope HandleList(const protocol::Envelope& request);
  protocol::Envelope HandleInspect(const protocol::Envelope& request);
  protocol::Envelope HandleRemove(const protocol::Envelope& request);

  ImageService& images_;
  bool shutdown_requested_ = false;
};

}  // namespace strata::coordinator
