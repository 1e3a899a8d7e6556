#pragma once

#include <cstdint>

#include "common/status.h"
#include "protocol/envelope.pb.h"

namespace strata::protocol {

using Envelope = ::strata::v1::Envelope;

// Major protocol version this build speaks (Envelope.version). Bumped only
// by an incompatible change; see docs/protocol.md.
inline constexpr uint32_t kProtocolVersion = 1;

// Default TCP ports of the coordinator.
inline constexpr int kDefaultClientPort = 7700;
inline constexpr int kDefaultWorkerPort = 7701;

// An Envelope of this version carrying `request_id` and no body yet.
Envelope NewEnvelope(uint64_t request_id);

// The Error body for a failed `status`. REQUIRES: !status.ok().
v1::Error ErrorFromStatus(const Status& status);

// The Status an Error body stands for; unknown codes become Internal.
Status StatusFromError(const v1::Error& error);

// A reply to `request_id` carrying `status` as an Error body.
Envelope ErrorReply(uint64_t request_id, const Status& status);

// The name of the envelope's body field ("ping", "list_images", ...), or
// "none" when no known body is set. For log lines.
const char* BodyName(const Envelope& envelope);

}  // namespace strata::protocol
