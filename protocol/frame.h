#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "protocol/envelope.h"

namespace strata::protocol {

// A frame is what one ZeroMQ message part carries between strata peers:
//
//   frame = format-byte envelope-bytes
//   format-byte = %x01            ; kFrameFormat: envelope-bytes is protobuf
//   envelope-bytes = <strata.v1.Envelope, protobuf binary encoding>
//
// (docs/protocol.md has the whole grammar, with the ZeroMQ message shapes.)
inline constexpr uint8_t kFrameFormat = 0x01;

// Largest frame accepted by default, also set as ZMQ_MAXMSGSIZE: blob
// chunks are 1 MiB, so this leaves room without letting a peer make us
// allocate without bound.
inline constexpr size_t kDefaultMaxFrameSize = 16 << 20;

// The frame for `envelope`. Never fails for a well-formed Envelope.
std::string EncodeFrame(const Envelope& envelope);

// The frame to send for `envelope`: a version of 0 is stamped with
// kProtocolVersion; InvalidArgument when the frame would exceed `max_size`.
Result<std::string> EncodeFrameForSend(const Envelope& envelope,
                                       size_t max_size = kDefaultMaxFrameSize);

// Parses the structure of a frame: size, format byte, protobuf. Does not
// look at the version or the body. Errors are InvalidArgument and say what
// was wrong. The first call routes libprotobuf's own log lines into strata's
// log at debug level (process-wide).
Result<Envelope> ParseFrame(std::string_view frame, size_t max_size = kDefaultMaxFrameSize);

// OK when `envelope` is one this build can act on: version kProtocolVersion
// and a known body set. InvalidArgument otherwise, with a message meant for
// the peer's user.
Status CheckEnvelope(const Envelope& envelope);

// ParseFrame followed by CheckEnvelope: the whole decoder.
Result<Envelope> DecodeFrame(std::string_view frame, size_t max_size = kDefaultMaxFrameSize);

}  // namespace strata::protocol
