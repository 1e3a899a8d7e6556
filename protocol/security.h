#pragma once

#include <string>

#include "common/result.h"

namespace strata::protocol {

// A CurveZMQ key pair, each key 40 characters of Z85 text.
struct CurveKeyPair {
  std::string public_key;
  std::string secret_key;
};

// CurveZMQ settings for tcp:// and ipc:// endpoints (inproc has none).
// All empty: plain text, no authentication.
//
// A Listener sets server_secret (and server_public, for documentation and
// checks): traffic is encrypted and clients know they reach the real server.
// A Connection sets server_public; client_public/client_secret are its own
// pair, generated per connection when left empty. Without a client
// allow-list (not implemented yet) any client that knows server_public may
// talk; tenancy tokens decide what it may do.
struct SecurityOptions {
  std::string server_public;
  std::string server_secret;
  std::string client_public;
  std::string client_secret;

  bool empty() const {
    return server_public.empty() && server_secret.empty() && client_public.empty() &&
           client_secret.empty();
  }
};

// A fresh key pair from libsodium's random source. Unavailable when this
// libzmq was built without CURVE support.
Result<CurveKeyPair> GenerateCurveKeyPair();

// True when `key` is 40 characters of the Z85 alphabet.
bool IsCurveKey(const std::string& key);

// The public key of the secret key `secret` (both Z85).
Result<std::string> CurvePublicKeyOf(const std::string& secret);

// A key file as `strata system keygen` writes it: the Z85 text of one key,
// a newline allowed after it. InvalidArgument naming `path` otherwise.
Result<std::string> ReadCurveKeyFile(const std::string& path);

}  // namespace strata::protocol
