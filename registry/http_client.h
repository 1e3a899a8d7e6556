#pragma once

// A small HTTP(S) client for downloading one URL into a file: what ADD of a
// remote source needs (and the base of the registry client to come). libcurl
// stays behind this header (linked PRIVATE).
//
// Thread-safe: each Fetch uses its own connection state, so any number may
// run at once on one client.

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "image/digest.h"

namespace strata::registry {

// A downloaded body.
struct HttpFile {
  std::string path;           // where the body was written (the dest_path given)
  uint64_t size = 0;          // bytes written
  Digest sha256;              // of the bytes written
  int status = 0;             // HTTP status of the final response (200)
  std::string last_modified;  // its Last-Modified header as sent; "" when absent
  std::string effective_url;  // the URL after redirects
};

struct HttpClientOptions {
  int64_t connect_timeout_ms = 30'000;
  // Abort a transfer slower than 1 byte/s for this long (0 = never).
  int64_t stall_timeout_ms = 60'000;
  int max_redirects = 10;
  std::string user_agent = "strata";
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // GETs `url` (http:// or https:// only, redirects followed) and writes the
  // body to `dest_path` (created or truncated). On failure nothing is left at
  // dest_path and the message starts with the URL:
  //   "https://h/f: HTTP 404 Not Found"  (NotFound for 404/410,
  //     PermissionDenied for 401/403, Unavailable (retryable) for 5xx and
  //     429, InvalidArgument for other statuses >= 400)
  //   "https://h/f: Couldn't connect to server: ..."  (Unavailable)
  //   InvalidArgument for a URL of another scheme.
  virtual Result<HttpFile> Fetch(const std::string& url, const std::string& dest_path) = 0;
};

// The libcurl client.
std::unique_ptr<HttpClient> NewHttpClient(HttpClientOptions options = {});

// The reason phrase of a status code ("Not Found"), for responses that carry
// none (HTTP/2); "" for an unknown code.
std::string HttpReasonPhrase(int status);

}  // namespace strata::registry
