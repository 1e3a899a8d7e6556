#include "protocol/envelope.h"

#include <string>

namespace strata::protocol {

Envelope NewEnvelope(uint64_t request_id) {
  Envelope envelope;
  envelope.set_version(kProtocolVersion);
  envelope.set_request_id(request_id);
  return envelope;
}

v1::Error ErrorFromStatus(const Status& status) {
  v1::Error error;
  error.set_code(static_cast<int32_t>(status.code()));
  error.set_message(status.message());
  error.set_retryable(status.retryable());
  return error;
}

Status StatusFromError(const v1::Error& error) {
  int code = error.code();
  if (code <= static_cast<int>(StatusCode::kOk) || code > static_cast<int>(StatusCode::kInternal)) {
    std::string message = error.message();
    if (code == 0) {
      message = "peer sent an Error with code 0 (OK): " + message;
    } else {
      message = "peer sent unknown error code " + std::to_string(code) + ": " + message;
    }
    return Status::Internal(std::move(message)).WithRetryable(error.retryable());
  }
  return Status(static_cast<StatusCode>(code), error.message()).WithRetryable(error.retryable());
}

Envelope ErrorReply(uint64_t request_id, const Status& status) {
  Envelope envelope = NewEnvelope(request_id);
  *envelope.mutable_error() = ErrorFromStatus(status);
  return envelope;
}

const char* BodyName(const Envelope& envelope) {
  if (envelope.body_case() == Envelope::BODY_NOT_SET) return "none";
  const google::protobuf::FieldDescriptor* field =
      Envelope::descriptor()->FindFieldByNumber(envelope.body_case());
  return field != nullptr ? field->name().c_str() : "unknown";
}

}  // namespace strata::protocol
