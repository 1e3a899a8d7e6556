#include "coordinator/login_service.h"

#include <optional>
#include <utility>

#include "common/logging.h"
#include "protocol/envelope.h"
#include "protocol/listener.h"
#include "registry/credential_store.h"

namespace strata::coordinator {

using protocol::Envelope;

LoginService::LoginService(registry::RegistryClient& client, RequestCredentials& credentials,
                           Outbox& outbox)
    : client_(client), credentials_(credentials), outbox_(outbox), threads_(outbox) {}

LoginService::~LoginService() = default;

bool LoginService::Handles(const Envelope& envelope) const {
  return envelope.body_case() == Envelope::kCheckLogin;
}

void LoginService::HandleClient(const std::string& peer, const Envelope& envelope) {
  const uint64_t id = envelope.request_id();
  if (envelope.body_case() != Envelope::kCheckLogin) {
    outbox_.Send(
        Endpoint::kClient, peer,
        protocol::ErrorReply(id, Status::InvalidArgument(std::string("not a login message: ") +
                                                         protocol::BodyName(envelope))));
    return;
  }
  threads_.Start(
      "login to " + envelope.check_login().auth().server(), peer, id,
      [this, peer, id, request = envelope.check_login()] { RunCheck(peer, id, request); });
}

void LoginService::RunCheck(const std::string& peer, uint64_t request_id,
                            const v1::CheckLogin& request) {
  const v1::RegistryAuth& auth = request.auth();
  std::string host = registry::RegistryHostOf(auth.server());
  Status checked;
  if (host.empty() || auth.username().empty()) {
    checked = Status::InvalidArgument("a login needs a registry and a username");
  } else {
    Result<std::optional<registry::Credentials>> before = credentials_.Get(host);
    credentials_.Accept(auth);
    checked = client_.CheckLogin(host);
    if (!checked.ok() && before.ok()) {
      // Refused: whatever the host had before stays.
      if (*before) {
        credentials_.Put(host, **before).PermitUncheckedError();
      } else {
        credentials_.Erase(host).PermitUncheckedError();
      }
    }
  }
  LOG(INFO) << "login to " << host << " for " << protocol::PeerName(peer) << ": "
            << (checked.ok() ? "accepted" : checked.message());
  if (!checked.ok()) {
    outbox_.Send(Endpoint::kClient, peer, protocol::ErrorReply(request_id, checked));
    return;
  }
  Envelope reply = protocol::NewEnvelope(request_id);
  reply.mutable_login_result()->set_host(host);
  outbox_.Send(Endpoint::kClient, peer, std::move(reply));
}

}  // namespace strata::coordinator
