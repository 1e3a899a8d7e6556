#pragma once

// The image requests that read or write whole files on the coordinator's
// disk: ImportImage and LoadImage of a path, SaveImage to a path, and
// CommitImage (a container's layer). Each runs on a thread of its own
// (RequestThreads) and answers through the Outbox, so the I/O thread goes
// on serving pings, other clients and the workers' heartbeats meanwhile
// (a multi-gigabyte load used to stall it long enough for healthy workers
// to be declared dead). The streamed forms are ArchiveStreamService's.
//
// Threads: Handles/HandleClient on the I/O thread; the bodies on theirs.

#include <string>

#include "coordinator/client_service.h"
#include "coordinator/image_service.h"
#include "coordinator/outbox.h"
#include "coordinator/request_threads.h"

namespace strata::coordinator {

class ImageFileService : public ClientService {
 public:
  // REQUIRES: images and outbox outlive the service.
  ImageFileService(ImageService& images, Outbox& outbox)
      : images_(images), outbox_(outbox), threads_(outbox) {}

  bool Handles(const protocol::Envelope& envelope) const override;
  void HandleClient(const std::string& peer, const protocol::Envelope& envelope) override;
  bool busy() const override { return threads_.running() > 0; }

 private:
  // The reply to `request`, computed on a request thread.
  protocol::Envelope Serve(const protocol::Envelope& request);

  ImageService& images_;
  Outbox& outbox_;
  RequestThreads threads_;  // last: joined first
};

}  // namespace strata::coordinator
