#include "protocol/security.h"

#include <zmq.h>

#include <cerrno>
#include <string_view>

namespace strata::protocol {

Result<CurveKeyPair> GenerateCurveKeyPair() {
  char public_key[41];
  char secret_key[41];
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return Status::Unavailable(std::string("cannot generate a CurveZMQ key pair: ") +
                               zmq_strerror(errno) + " (libzmq built without CURVE?)")
        .WithRetryable(false);
  }
  return CurveKeyPair{public_key, secret_key};
}

bool IsCurveKey(const std::string& key) {
  static constexpr std::string_view kZ85 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (key.size() != 40) return false;
  for (char c : key) {
    if (kZ85.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace strata::protocol
