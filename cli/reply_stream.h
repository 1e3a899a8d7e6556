#pragma once

// The client side of a streamed request (build, pull, push): the
// coordinator answers request R with any number of messages and then a last
// one. While it is silent the client pings it after 20 s and gives up after
// 40 s without an answer, so a long layer transfer is fine and a dead
// coordinator is not waited for. A ping sent at the start names the
// coordinator process (Pong.pid); a Pong from another one means it
// restarted and the request is lost (Unavailable, "run it again").

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "protocol/connection.h"
#include "protocol/envelope.h"

namespace strata::cli {

// Receives the messages of request `id` (late replies to other requests are
// dropped) and hands each to `on_message`, which returns nullopt to go on or
// the Status that ends the exchange. `what` names the exchange in the
// timeout's message ("the coordinator at E stopped answering during the
// pull; see its log").
Status ReceiveReplies(
    protocol::Connection& connection, uint64_t id, std::string_view what,
    const std::function<std::optional<Status>(const protocol::Envelope&)>& on_message);

}  // namespace strata::cli
