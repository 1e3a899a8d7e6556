#include "protocol/security.h"

#include <zmq.h>

#include <cerrno>
#include <string_view>

#include "common/file_util.h"

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

Result<std::string> CurvePublicKeyOf(const std::string& secret) {
  if (!IsCurveKey(secret)) {
    return Status::InvalidArgument("not a CurveZMQ secret key (40 characters of Z85 text)");
  }
  char public_key[41];
  if (zmq_curve_public(public_key, secret.c_str()) != 0) {
    return Status::Unavailable(std::string("cannot derive a CurveZMQ public key: ") +
                               zmq_strerror(errno))
        .WithRetryable(false);
  }
  return std::string(public_key);
}

Result<std::string> ReadCurveKeyFile(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().Annotate("CurveZMQ key file");
  std::string key = *text;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (!IsCurveKey(key)) {
    return Status::InvalidArgument(path +
                                   " holds no CurveZMQ key (40 characters of Z85 text); make a "
                                   "pair with 'strata system keygen --out PREFIX'");
  }
  return key;
}

}  // namespace strata::protocol
