#pragma once

// The one HTTP(S) adapter over libcurl (linked PRIVATE, never included
// outside registry/): `Send` is a general request (any method, headers, a
// body from memory or streamed from a file range, the response body into
// memory or a file with Range resume, progress), what the registry client is
// built on; `Fetch` downloads one URL into a file, what ADD of a remote
// source needs.
//
// Thread-safe: each call takes its own libcurl handle (idle handles, with
// their kept-alive connections, are reused), so any number may run at once
// on one client.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// One request. The body is `body` unless `body_file` is set, in which case
// bytes [body_file_offset, body_file_offset + body_file_length) of that file
// are streamed (to its end when the length is unset).
struct HttpRequest {
  std::string method = "GET";        // GET HEAD PUT POST PATCH DELETE
  std::string url;                   // http:// or https:// only
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::string body_file;
  uint64_t body_file_offset = 0;
  std::optional<uint64_t> body_file_length;

  // Where a 2xx response body goes: memory (HttpResponse::body) when empty,
  // else this file. Bodies of other statuses always go to memory (bounded),
  // so an error document never lands in the file.
  std::string response_file;
  // With response_file: asks for "Range: bytes=N-" and, when the answer is
  // 206 starting at N, appends to the N bytes already there; any other 2xx
  // rewrites the file from its start.
  uint64_t resume_from = 0;
  // Sees every byte written to response_file, in order (e.g. a hasher).
  std::function<void(std::string_view)> on_file_bytes;
  // Bytes sent and received so far; called often, from the calling thread.
  std::function<void(uint64_t sent, uint64_t received)> progress;

  bool follow_redirects = true;
  // Appended to the message of a TLS failure (what to do about it).
  std::string tls_hint;
};

struct HttpResponse {
  int status = 0;
  std::string reason;  // of the status line; HttpReasonPhrase when absent
  // Of the final response, names lowercased, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;           // memory body (see HttpRequest::response_file)
  uint64_t file_bytes = 0;    // bytes this request wrote to response_file
  bool resumed = false;       // 206: the bytes were appended at resume_from
  std::string effective_url;  // after redirects

  // The first value of header `name` (any case); "" when absent.
  std::string Header(std::string_view name) const;
  std::vector<std::string> HeaderValues(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Performs one request (no retries). Any HTTP status is a response; an
  // error Status only when no response came: "URL: <libcurl's reason>"
  // (Unavailable, retryable, for connect/send/receive failures and cut
  // transfers; TimedOut; InvalidArgument for a bad URL or scheme; IOError
  // for a local file; a TLS failure is Unavailable, not retryable, and
  // carries tls_hint).
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;

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
