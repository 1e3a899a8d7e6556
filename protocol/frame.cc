#include "protocol/frame.h"

#include <google/protobuf/stubs/logging.h>

#include <limits>
#include <string>

#include "common/logging.h"

namespace strata::protocol {
namespace {

// libprotobuf writes its own ERROR lines to stderr for every bad string field
// it meets while parsing; a hostile peer could flood stderr with them. Route
// them to our log at debug level: the caller logs the dropped frame.
void ProtobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    LOG(ERROR) << "protobuf " << file << ":" << line << ": " << message;
    return;
  }
  LOG(DEBUG) << "protobuf " << file << ":" << line << ": " << message;
}

void RouteProtobufLogsOnce() {
  static const bool routed = [] {
    google::protobuf::SetLogHandler(&ProtobufLog);
    return true;
  }();
  (void)routed;
}

}  // namespace

std::string EncodeFrame(const Envelope& envelope) {
  std::string frame;
  frame.reserve(1 + envelope.ByteSizeLong());
  frame.push_back(static_cast<char>(kFrameFormat));
  envelope.AppendToString(&frame);
  return frame;
}

Result<std::string> EncodeFrameForSend(const Envelope& envelope, size_t max_size) {
  std::string frame;
  if (envelope.version() == 0) {
    Envelope stamped = envelope;
    stamped.set_version(kProtocolVersion);
    frame = EncodeFrame(stamped);
  } else {
    frame = EncodeFrame(envelope);
  }
  if (frame.size() > max_size) {
    return Status::InvalidArgument("message " + std::string(BodyName(envelope)) + " of " +
                                   std::to_string(frame.size()) + " bytes exceeds the limit of " +
                                   std::to_string(max_size) + "; send large data in chunks");
  }
  return frame;
}

Result<Envelope> ParseFrame(std::string_view frame, size_t max_size) {
  RouteProtobufLogsOnce();
  if (frame.empty()) return Status::InvalidArgument("empty frame");
  if (frame.size() > max_size) {
    return Status::InvalidArgument("frame of " + std::to_string(frame.size()) +
                                   " bytes exceeds the limit of " + std::to_string(max_size));
  }
  if (frame.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("frame of " + std::to_string(frame.size()) +
                                   " bytes is larger than protobuf can parse");
  }
  auto format = static_cast<uint8_t>(frame[0]);
  if (format != kFrameFormat) {
    return Status::InvalidArgument("unknown frame format byte " + std::to_string(format) +
                                   " (expected " + std::to_string(kFrameFormat) +
                                   "); is the peer a strata process?");
  }
  frame.remove_prefix(1);
  Envelope envelope;
  if (!envelope.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    return Status::InvalidArgument("frame does not hold a valid strata.v1.Envelope (" +
                                   std::to_string(frame.size()) + " bytes)");
  }
  return envelope;
}

Status CheckEnvelope(const Envelope& envelope) {
  if (envelope.version() != kProtocolVersion) {
    return Status::InvalidArgument(
        "peer speaks strata protocol version " + std::to_string(envelope.version()) +
        ", this side speaks version " + std::to_string(kProtocolVersion) +
        "; run the same strata release on both ends");
  }
  if (envelope.body_case() == Envelope::BODY_NOT_SET) {
    return Status::InvalidArgument("message carries no body this side knows (request " +
                                   std::to_string(envelope.request_id()) +
                                   "); is the peer a newer strata release?");
  }
  return Status::OK();
}

Result<Envelope> DecodeFrame(std::string_view frame, size_t max_size) {
  ASSIGN_OR_RETURN(Envelope envelope, ParseFrame(frame, max_size));
  TRY(CheckEnvelope(envelope));
  return envelope;
}

}  // namespace strata::protocol
