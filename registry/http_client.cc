#include "registry/http_client.h"

#include <curl/curl.h>

#include <cstdio>
#include <mutex>
#include <string_view>

namespace strata::registry {
namespace {

bool HasPrefixIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
    s.remove_suffix(1);
  return std::string(s);
}

// What one transfer accumulates from libcurl's callbacks.
struct Transfer {
  FILE* out = nullptr;
  Sha256Hasher hasher;
  uint64_t size = 0;
  bool write_failed = false;
  std::string reason;         // of the last status line
  std::string last_modified;  // of the last response
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (std::fwrite(data, 1, bytes, t->out) != bytes) {
    t->write_failed = true;
    return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
  }
  t->hasher.Update(data, bytes);
  t->size += bytes;
  return bytes;
}

// Header lines of every response (redirects included); a status line starts
// a new response, so the last one's headers win.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (HasPrefixIgnoreCase(line, "http/")) {
    t->reason.clear();
    t->last_modified.clear();
    size_t code = line.find(' ');
    size_t reason = code == std::string_view::npos ? code : line.find(' ', code + 1);
    if (reason != std::string_view::npos) t->reason = Trim(line.substr(reason + 1));
  } else if (HasPrefixIgnoreCase(line, "last-modified:")) {
    t->last_modified = Trim(line.substr(14));
  }
  return size * n;
}

Status StatusError(const std::string& url, int status, const std::string& reason) {
  std::string message = url + ": HTTP " + std::to_string(status);
  std::string phrase = reason.empty() ? HttpReasonPhrase(status) : reason;
  if (!phrase.empty()) message += " " + phrase;
  if (status == 404 || status == 410) return Status::NotFound(message);
  if (status == 401 || status == 403) return Status::PermissionDenied(message);
  if (status >= 500 || status == 429) return Status::Unavailable(message);
  return Status::InvalidArgument(message);
}

class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(HttpClientOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<HttpFile> Fetch(const std::string& url, const std::string& dest_path) override {
    if (!HasPrefixIgnoreCase(url, "http://") && !HasPrefixIgnoreCase(url, "https://")) {
      return Status::InvalidArgument(url + ": only http:// and https:// URLs can be fetched");
    }
    Transfer t;
    t.out = std::fopen(dest_path.c_str(), "wb");
    if (t.out == nullptr) {
      return Status::IOError(url + ": cannot create " + dest_path);
    }
    Result<HttpFile> result = Run(url, dest_path, &t);
    bool closed = std::fclose(t.out) == 0;
    if (result.ok() && !closed) result = Status::IOError(url + ": cannot write " + dest_path);
    if (!result.ok()) std::remove(dest_path.c_str());
    return result;
  }

 private:
  Result<HttpFile> Run(const std::string& url, const std::string& dest_path, Transfer* t) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Status::Internal(url + ": libcurl could not start a transfer");
    char error[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    if (options_.stall_timeout_ms > 0) {
      curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>((options_.stall_timeout_ms + 999) / 1000));
    }
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
    // Status >= 400 must not write an error page into the file.
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 0L);

    CURLcode code = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK) {
      if (t->write_failed) return Status::IOError(url + ": cannot write " + dest_path);
      std::string detail = error[0] ? std::string(error) : curl_easy_strerror(code);
      std::string message = url + ": " + curl_easy_strerror(code) + ": " + detail;
      if (code == CURLE_OPERATION_TIMEDOUT) return Status::TimedOut(message);
      if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
        return Status::InvalidArgument(message);
      }
      return Status::Unavailable(message);
    }
    if (status >= 400) return StatusError(url, static_cast<int>(status), t->reason);
    char* effective = nullptr;
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);

    HttpFile file;
    file.path = dest_path;
    file.size = t->size;
    file.sha256 = t->hasher.Finish();
    file.status = static_cast<int>(status);
    file.last_modified = t->last_modified;
    file.effective_url = effective ? effective : url;
    return file;
  }

  HttpClientOptions options_;
};

}  // namespace

std::unique_ptr<HttpClient> NewHttpClient(HttpClientOptions options) {
  return std::make_unique<CurlHttpClient>(std::move(options));
}

std::string HttpReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

}  // namespace strata::registry
