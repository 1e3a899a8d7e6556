#include "registry/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string_view>

#include "common/ascii.h"

namespace strata::registry {
namespace {

constexpr size_t kMaxMemoryBody = 4 << 20;  // an error page or a manifest

bool HasPrefixIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// The state of one transfer, shared with libcurl's callbacks.
struct Transfer {
  const HttpRequest* request = nullptr;
  CURL* curl = nullptr;
  HttpResponse response;
  // Request body.
  int body_fd = -1;
  uint64_t body_start = 0;
  uint64_t body_size = 0;
  uint64_t body_pos = 0;
  // Response file.
  int out_fd = -1;
  bool out_started = false;  // the first 2xx byte decided append or rewrite
  bool write_failed = false;
  bool memory_overflow = false;
  bool file_overflow = false;
  bool range_mismatch = false;
};

size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = size * n;
  uint64_t left = t->body_size - t->body_pos;
  if (want > left) want = static_cast<size_t>(left);
  if (want == 0) return 0;
  if (t->body_fd < 0) {
    std::memcpy(buffer, t->request->body.data() + t->body_pos, want);
    t->body_pos += want;
    return want;
  }
  ssize_t got = ::pread(t->body_fd, buffer, want, static_cast<off_t>(t->body_start + t->body_pos));
  if (got <= 0) return CURL_READFUNC_ABORT;
  t->body_pos += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

int OnSeek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > t->body_size) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t->body_pos = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// The first 2xx body byte of a response to a file: append after a 206 that
// starts where we asked, else rewrite the file.
bool StartFile(Transfer* t, long status) {
  const HttpRequest& r = *t->request;
  t->out_started = true;
  if (status == 206 && r.resume_from > 0) {
    std::string range = t->response.Header("content-range");  // "bytes N-M/T"
    std::string expect = "bytes " + std::to_string(r.resume_from) + "-";
    if (range.rfind(expect, 0) != 0) {
      t->range_mismatch = true;
      return false;
    }
    t->response.resumed = true;
    return ::lseek(t->out_fd, static_cast<off_t>(r.resume_from), SEEK_SET) >= 0 &&
           ::ftruncate(t->out_fd, static_cast<off_t>(r.resume_from)) == 0;
  }
  return ::ftruncate(t->out_fd, 0) == 0 && ::lseek(t->out_fd, 0, SEEK_SET) == 0;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 300 && status < 400) return bytes;  // a redirect's page
  if (t->out_fd >= 0 && status >= 200 && status < 300) {
    if (!t->out_started && !StartFile(t, status)) {
      t->write_failed = !t->range_mismatch;
      return 0;
    }
    uint64_t start = t->response.resumed ? t->request->resume_from : 0;
    if (t->request->max_file_size > 0 &&
        start + t->response.file_bytes + bytes > t->request->max_file_size) {
      t->file_overflow = true;
      return 0;
    }
    if (!WriteAll(t->out_fd, data, bytes)) {
      t->write_failed = true;
      return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
    }
    if (t->request->on_file_bytes) t->request->on_file_bytes(std::string_view(data, bytes));
    t->response.file_bytes += bytes;
    return bytes;
  }
  if (t->response.body.size() + bytes > kMaxMemoryBody) {
    t->memory_overflow = true;
    return 0;
  }
  t->response.body.append(data, bytes);
  return bytes;
}

// Header lines of every response (redirects and 100 Continue included); a
// status line starts a new response, so the last one's headers win.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  if (HasPrefixIgnoreCase(line, "http/")) {
    t->response.reason.clear();
    t->response.headers.clear();
    size_t code = line.find(' ');
    size_t reason = code == std::string_view::npos ? code : line.find(' ', code + 1);
    if (reason != std::string_view::npos)
      t->response.reason = TrimAsciiSpace(line.substr(reason + 1));
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response.headers.emplace_back(AsciiLower(TrimAsciiSpace(line.substr(0, colon))),
                                     TrimAsciiSpace(line.substr(colon + 1)));
  }
  return size * n;
}

int OnProgress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  t->request->progress(static_cast<uint64_t>(ulnow), static_cast<uint64_t>(dlnow));
  return 0;
}

bool IsTlsError(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return true;
    default:
      return false;
  }
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
  ~CurlHttpClient() override {
    for (CURL* c : idle_) curl_easy_cleanup(c);
  }

  Result<HttpResponse> Send(const HttpRequest& request) override;

  Result<HttpFile> Fetch(const std::string& url, const std::string& dest_path) override {
    Sha256Hasher hasher;
    HttpRequest request;
    request.url = url;
    request.response_file = dest_path;
    request.on_file_bytes = [&hasher](std::string_view bytes) { hasher.Update(bytes); };
    Result<HttpResponse> response = Send(request);
    Status failed;
    if (!response.ok()) {
      failed = response.status();
    } else if (response->status >= 400 || response->status < 200) {
      failed = StatusError(url, response->status, response->reason);
    } else if (response->status >= 300) {
      failed = Status::InvalidArgument(url + ": HTTP " + std::to_string(response->status) +
                                       " redirect not followed (more than " +
                                       std::to_string(options_.max_redirects) + " redirects?)");
    }
    if (!failed.ok()) {
      std::remove(dest_path.c_str());
      return failed;
    }
    HttpFile file;
    file.path = dest_path;
    file.size = response->file_bytes;
    file.sha256 = hasher.Finish();
    file.status = response->status;
    file.last_modified = response->Header("last-modified");
    file.effective_url = response->effective_url;
    return file;
  }

 private:
  // A handle from the idle pool (its connections kept alive) or a new one.
  CURL* Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* c = idle_.back();
        idle_.pop_back();
        curl_easy_reset(c);
        return c;
      }
    }
    return curl_easy_init();
  }
  void Give(CURL* c) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < 16) {
      idle_.push_back(c);
      return;
    }
    curl_easy_cleanup(c);
  }

  HttpClientOptions options_;
  std::mutex mu_;
  std::vector<CURL*> idle_;  // GUARDED_BY(mu_)
};

Result<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  const std::string& url = request.url;
  if (!HasPrefixIgnoreCase(url, "http://") && !HasPrefixIgnoreCase(url, "https://")) {
    return Status::InvalidArgument(url + ": only http:// and https:// URLs can be fetched");
  }
  Transfer t;
  t.request = &request;
  // Descriptors closed on every path out.
  struct Fds {
    Transfer* t;
    ~Fds() {
      if (t->body_fd >= 0) ::close(t->body_fd);
      if (t->out_fd >= 0) ::close(t->out_fd);
    }
  } fds{&t};

  bool has_body = !request.body_file.empty() || !request.body.empty();
  if (!request.body_file.empty()) {
    t.body_fd = ::open(request.body_file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (t.body_fd < 0 || ::fstat(t.body_fd, &st) != 0) {
      return Status::IOError(url + ": cannot read " + request.body_file + ": " +
                             std::strerror(errno));
    }
    uint64_t file_size = static_cast<uint64_t>(st.st_size);
    if (request.body_file_offset > file_size) {
      return Status::InvalidArgument(url + ": offset " + std::to_string(request.body_file_offset) +
                                     " is past the end of " + request.body_file);
    }
    t.body_start = request.body_file_offset;
    t.body_size = request.body_file_length.value_or(file_size - t.body_start);
    if (t.body_start + t.body_size > file_size) {
      return Status::InvalidArgument(url + ": " + request.body_file + " is shorter than " +
                                     std::to_string(t.body_start + t.body_size) + " bytes");
    }
  } else {
    t.body_size = request.body.size();
  }
  if (!request.response_file.empty()) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (request.resume_from == 0 ? O_TRUNC : 0);
    t.out_fd = ::open(request.response_file.c_str(), flags, 0644);
    if (t.out_fd < 0) {
      return Status::IOError(url + ": cannot create " + request.response_file + ": " +
                             std::strerror(errno));
    }
  }

  CURL* c = Take();
  if (c == nullptr) return Status::Internal(url + ": libcurl could not start a transfer");
  t.curl = c;
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  // No "Expect: 100-continue" round trip before a body.
  headers = curl_slist_append(headers, "Expect:");
  std::string range;
  if (t.out_fd >= 0 && request.resume_from > 0) {
    range = "Range: bytes=" + std::to_string(request.resume_from) + "-";
    headers = curl_slist_append(headers, range.c_str());
  }

  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
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
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 0L);
  if (request.progress) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  }
  const std::string& m = request.method;
  if (m == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (m == "PUT" || m == "PATCH" || ((m == "POST") && has_body)) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, OnSeek);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.body_size));
    if (m != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m.c_str());
  } else if (m == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
  } else if (m != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m.c_str());
  }

  CURLcode code = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  t.response.effective_url = effective ? effective : url;
  curl_slist_free_all(headers);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  Give(c);

  if (code != CURLE_OK) {
    if (t.write_failed) {
      return Status::IOError(url + ": cannot write " + request.response_file + ": " +
                             std::strerror(errno));
    }
    if (t.range_mismatch) {
      return Status::Unavailable(url + ": the server answered the range request with " +
                                 t.response.Header("content-range"));
    }
    if (t.file_overflow) {
      return Status::InvalidArgument(url + ": the body is longer than the " +
                                     std::to_string(request.max_file_size) + " bytes expected");
    }
    if (t.memory_overflow) {
      return Status::InvalidArgument(url + ": the response body is larger than " +
                                     std::to_string(kMaxMemoryBody) + " bytes");
    }
    std::string detail = error[0] ? std::string(error) : curl_easy_strerror(code);
    std::string message = url + ": " + curl_easy_strerror(code) + ": " + detail;
    if (IsTlsError(code)) {
      if (!request.tls_hint.empty()) message += " " + request.tls_hint;
      return Status::Unavailable(message).WithRetryable(false);
    }
    if (code == CURLE_OPERATION_TIMEDOUT) return Status::TimedOut(message);
    if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
      return Status::InvalidArgument(message);
    }
    return Status::Unavailable(message);
  }
  t.response.status = static_cast<int>(status);
  if (t.response.reason.empty()) t.response.reason = HttpReasonPhrase(t.response.status);
  // A 2xx without body bytes still rewrites the file (an empty blob).
  if (t.out_fd >= 0 && status >= 200 && status < 300 && !t.out_started && status != 206) {
    if (::ftruncate(t.out_fd, 0) != 0) {
      return Status::IOError(url + ": cannot write " + request.response_file);
    }
  }
  return std::move(t.response);
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  std::string want = AsciiLower(name);
  for (const auto& [n, v] : headers) {
    if (n == want) return v;
  }
  return "";
}

std::vector<std::string> HttpResponse::HeaderValues(std::string_view name) const {
  std::string want = AsciiLower(name);
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (n == want) out.push_back(v);
  }
  return out;
}

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
