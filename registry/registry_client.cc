// The libcurl RegistryClient: the distribution API
// (https://github.com/opencontainers/distribution-spec) over HttpClient, with
// RegistryAuth for Basic and Bearer and bounded retries.

#include "registry/registry_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/numbers.h"
#include "image/index.h"
#include "image/media_types.h"
#include "registry/http_client.h"
#include "registry/platform_match.h"
#include "registry/registry_auth.h"
#include "registry/registry_endpoint.h"
#include "registry/registry_error.h"

namespace strata::registry {
namespace {

namespace mt = image::media_type;

constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
constexpr std::string_view kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

const std::vector<std::string>& ManifestAccept() {
  static const std::vector<std::string> accept = {
      "Accept: " + std::string(mt::kOciManifest) + ", " + std::string(mt::kOciIndex) + ", " +
      std::string(mt::kDockerManifest) + ", " + std::string(mt::kDockerManifestList)};
  return accept;
}

std::vector<std::string> PullScope(const image::Reference& ref) {
  return {"repository:" + ref.path() + ":pull"};
}
std::vector<std::string> PushScope(const image::Reference& ref) {
  return {"repository:" + ref.path() + ":pull,push"};
}

// "docker.io/library/x:latest" or "...@sha256:…" as the user wrote it.
std::string RefText(const image::Reference& ref) { return ref.String(); }

// What a manifest request names: the digest when there is one, else the tag.
std::string TagOrDigest(const image::Reference& ref) {
  return ref.digest().empty() ? ref.tag() : ref.digest();
}

// The mediaType of a manifest body, or the Content-Type the registry sent.
std::string MediaTypeOf(const std::string& bytes, const std::string& content_type) {
  nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, false);
  if (doc.is_object()) {
    auto it = doc.find("mediaType");
    if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
    // An OCI index may omit mediaType: it has "manifests".
    if (doc.contains("manifests") && content_type.empty()) return std::string(mt::kOciIndex);
  }
  std::string type = content_type;
  if (size_t semi = type.find(';'); semi != std::string::npos) type.resize(semi);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type;
}

bool IsIndexType(std::string_view type) {
  return type == mt::kOciIndex || type == mt::kDockerManifestList;
}

// "<scheme://host>" + a Location that may be relative.
std::string Absolute(const RegistryEndpoint& ep, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  if (!location.empty() && location[0] == '/') return ep.BaseUrl() + location;
  return ep.BaseUrl() + "/" + location;
}

std::string AddQuery(const std::string& url, const std::string& param) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + param;
}

std::string TlsHint(const RegistryEndpoint& ep) {
  static const char* kPublic[] = {"docker.io",      "index.docker.io",  "ghcr.io",
                                  "quay.io",        "gcr.io",           "registry.k8s.io",
                                  "public.ecr.aws", "mcr.microsoft.com"};
  for (const char* p : kPublic) {
    if (ep.domain == p ||
        (ep.domain.size() > std::strlen(p) &&
         ep.domain.compare(ep.domain.size() - std::strlen(p), std::string::npos, p) == 0 &&
         ep.domain[ep.domain.size() - std::strlen(p) - 1] == '.')) {
      return "(check the system's CA certificates (ca-certificates) and clock)";
    }
  }
  return "(check the system's CA certificates; if " + ep.domain +
         " is a registry you run yourself without a certificate the system trusts, add it "
         "with --insecure-registry " +
         ep.domain + " or STRATA_INSECURE_REGISTRIES)";
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::IOError(path + ": cannot stat: " + std::strerror(errno));
  return static_cast<uint64_t>(st.st_size);
}

// Hashes the first `n` bytes of `path` into `hasher`.
// Passes the first n bytes of the file at `path` to `feed`.
Status ReadPrefix(const std::string& path, uint64_t n,
                  const std::function<void(std::string_view)>& feed) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  std::vector<char> buf(1 << 20);
  uint64_t done = 0;
  while (done < n) {
    ssize_t got =
        ::read(fd, buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), n - done)));
    if (got <= 0) {
      ::close(fd);
      return Status::IOError(path + ": cannot read");
    }
    feed(std::string_view(buf.data(), static_cast<size_t>(got)));
    done += static_cast<uint64_t>(got);
  }
  ::close(fd);
  return Status::OK();
}

// The next page of a Link header: `</v2/x/tags/list?last=b&n=2>; rel="next"`.
std::string NextLink(const std::string& link) {
  size_t open = link.find('<');
  size_t close = link.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return "";
  if (link.find("rel=\"next\"", close) == std::string::npos &&
      link.find("rel=next", close) == std::string::npos) {
    return "";
  }
  return link.substr(open + 1, close - open - 1);
}

class CurlRegistryClient : public RegistryClient {
 public:
  CurlRegistryClient(RegistryClientOptions options, std::shared_ptr<CredentialStore> credentials)
      : options_(std::move(options)),
        http_(NewHttpClient(HttpOptions(options_))),
        auth_(*http_, std::move(credentials)) {
    if (options_.max_attempts < 1) options_.max_attempts = 1;
  }

  Result<ResolvedImage> Resolve(const image::Reference& ref, const std::string& platform) override;
  Result<std::optional<Digest>> HeadManifest(const image::Reference& ref) override;
  Status FetchBlob(const image::Reference& repo, const image::Descriptor& blob,
                   const std::string& dest_path, const ProgressFn& progress,
                   BlobObserver* observer) override;
  Result<bool> HasBlob(const image::Reference& repo, const Digest& digest) override;
  Result<bool> PushBlob(const image::Reference& repo, const image::Descriptor& blob,
                        const std::string& path, const std::string& mount_from,
                        const ProgressFn& progress) override;
  Result<Digest> PushManifest(const image::Reference& ref, const std::string& media_type,
                              const std::string& bytes) override;
  Result<std::vector<std::string>> ListTags(const image::Reference& repo) override;
  Status CheckLogin(const std::string& host) override;

 private:
  static HttpClientOptions HttpOptions(const RegistryClientOptions& o) {
    HttpClientOptions h;
    h.user_agent = o.user_agent;
    return h;
  }
  RegistryEndpoint Endpoint(const image::Reference& ref) const {
    return ResolveEndpoint(ref.domain(), options_.insecure_registries);
  }
  std::string RepoUrl(const RegistryEndpoint& ep, const image::Reference& ref) const {
    return ep.BaseUrl() + "/v2/" + ref.path();
  }

  // Sends `request` (prepared again by `prepare` before every attempt) with
  // authorization for `scopes`, answering challenges and retrying 429, 5xx
  // and transport failures with exponential backoff, at most max_attempts
  // times. Returns the final response, whatever its status, except 401
  // (PermissionDenied) and exhausted retries (Unavailable). `what` names the
  // object for messages ("manifest x:1", "blob sha256:…").
  Result<HttpResponse> Call(const RegistryEndpoint& ep, const std::vector<std::string>& scopes,
                            HttpRequest request, const std::function<Status(HttpRequest&)>& prepare,
                            const std::string& what);

  // A manifest by tag or digest, its digest checked.
  Result<FetchedManifest> GetManifest(const RegistryEndpoint& ep, const image::Reference& ref,
                                      const std::string& tag_or_digest);

  // The error of an unexpected status: the registry's own words, the object,
  // what to do.
  Status StatusError(const RegistryEndpoint& ep, const HttpResponse& r,
                     const std::string& what) const;

  Result<bool> Upload(const RegistryEndpoint& ep, const image::Reference& repo,
                      const image::Descriptor& blob, const std::string& path, std::string location,
                      const ProgressFn& progress);

  void Backoff(int attempt, const HttpResponse* response) const {
    int64_t ms = options_.initial_backoff_ms << std::min(attempt, 10);
    ms = std::min<int64_t>(ms, 10'000);
    if (response != nullptr) {
      std::string after = response->Header("retry-after");
      if (auto s = ParseInt64InRange(after, 0, 30); s) ms = std::max<int64_t>(ms, *s * 1000);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  RegistryClientOptions options_;
  std::unique_ptr<HttpClient> http_;
  RegistryAuth auth_;
};

Result<HttpResponse> CurlRegistryClient::Call(const RegistryEndpoint& ep,
                                              const std::vector<std::string>& scopes,
                                              HttpRequest request,
                                              const std::function<Status(HttpRequest&)>& prepare,
                                              const std::string& what) {
  request.tls_hint = TlsHint(ep);
  std::vector<std::string> base_headers = request.headers;
  bool challenged = false;
  Status last;
  for (int attempt = 0; attempt < options_.max_attempts;) {
    request.headers = base_headers;
    if (prepare) TRY(prepare(request));
    Result<std::string> authorization = auth_.Header(ep, scopes);
    if (!authorization.ok()) {
      if (!authorization.status().retryable()) return authorization.status();
      last = authorization.status();
      if (++attempt < options_.max_attempts) Backoff(attempt - 1, nullptr);
      continue;
    }
    if (!authorization->empty()) request.headers.push_back(*authorization);
    Result<HttpResponse> response = http_->Send(request);
    if (!response.ok()) {
      if (!response.status().retryable()) {
        return response.status().Annotate("registry " + ep.domain);
      }
      last = response.status().Annotate("registry " + ep.domain);
      if (++attempt < options_.max_attempts) Backoff(attempt - 1, nullptr);
      continue;
    }
    int status = response->status;
    if (status == 401) {
      TRY(auth_.OnChallenge(ep, scopes, response->Header("www-authenticate"),
                            RegistryErrorMessage(response->body), challenged));
      challenged = true;
      continue;  // a challenge answered does not count as an attempt
    }
    if (status == 429 || status >= 500) {
      last = StatusError(ep, *response, what);
      if (++attempt < options_.max_attempts) Backoff(attempt - 1, &*response);
      continue;
    }
    return response;
  }
  return Status::Unavailable(last.message() + " (after " + std::to_string(options_.max_attempts) +
                             (options_.max_attempts == 1 ? " attempt)" : " attempts)"));
}

Status CurlRegistryClient::StatusError(const RegistryEndpoint& ep, const HttpResponse& r,
                                       const std::string& what) const {
  std::string message = RegistryErrorMessage(r.body);
  std::string http = "HTTP " + std::to_string(r.status) + (r.reason.empty() ? "" : " " + r.reason);
  std::string arg = LoginArgument(ep.domain);
  switch (r.status) {
    case 401:
    case 403:
      return Status::PermissionDenied(
          "registry " + ep.domain + ": " + (message.empty() ? "denied: " + http : message) + " (" +
          what + "; run `strata login" + (arg.empty() ? "" : " " + arg) + "`)");
    case 404:
      return Status::NotFound(what + ": " +
                              (message.empty() ? "not found (" + http + ")" : message));
    case 429:
      return Status::Unavailable("registry " + ep.domain + ": too many requests (" + http + ")" +
                                 (message.empty() ? "" : ": " + message));
    default:
      break;
  }
  std::string text =
      "registry " + ep.domain + ": " + what + ": " + http + (message.empty() ? "" : ": " + message);
  if (r.status >= 500) return Status::Unavailable(text);
  return Status::InvalidArgument(text);
}

Result<FetchedManifest> CurlRegistryClient::GetManifest(const RegistryEndpoint& ep,
                                                        const image::Reference& ref,
                                                        const std::string& tag_or_digest) {
  std::string what =
      ref.Name() + (tag_or_digest.rfind("sha256:", 0) == 0 ? "@" : ":") + tag_or_digest;
  HttpRequest request;
  request.url = RepoUrl(ep, ref) + "/manifests/" + tag_or_digest;
  request.headers = ManifestAccept();
  ASSIGN_OR_RETURN(HttpResponse r, Call(ep, PullScope(ref), request, nullptr, "manifest " + what));
  if (r.status == 404) {
    std::string message = RegistryErrorMessage(r.body);
    return Status::NotFound(what + ": " + (message.empty() ? "manifest unknown" : message));
  }
  if (r.status != 200) return StatusError(ep, r, "manifest " + what);
  FetchedManifest m;
  m.bytes = std::move(r.body);
  m.digest = Digest::Sha256Of(m.bytes);
  m.media_type = MediaTypeOf(m.bytes, r.Header("content-type"));
  if (tag_or_digest.rfind("sha256:", 0) == 0 && m.digest.ToString() != tag_or_digest) {
    return Status::Corruption("registry " + ep.domain + ": manifest " + what +
                              ": content does not match its digest (got " + m.digest.ToString() +
                              ")");
  }
  std::string header = r.Header("docker-content-digest");
  if (!header.empty() && header.rfind("sha256:", 0) == 0 && header != m.digest.ToString()) {
    return Status::Corruption("registry " + ep.domain + ": manifest " + what +
                              ": content does not match the Docker-Content-Digest " + header +
                              " (got " + m.digest.ToString() + ")");
  }
  if (m.media_type == kDockerSchema1 || m.media_type == kDockerSchema1Signed) {
    return Status::InvalidArgument(
        what + ": Docker image manifest schema 1 (" + m.media_type +
        ") is not supported; push the image again with a current client");
  }
  return m;
}

Result<ResolvedImage> CurlRegistryClient::Resolve(const image::Reference& ref,
                                                  const std::string& platform) {
  RegistryEndpoint ep = Endpoint(ref);
  ASSIGN_OR_RETURN(FetchedManifest top, GetManifest(ep, ref, TagOrDigest(ref)));
  ResolvedImage out;
  out.top_digest = top.digest;
  if (!IsIndexType(top.media_type)) {
    out.manifest = std::move(top);
    return out;
  }
  ASSIGN_OR_RETURN(image::Platform want,
                   ParsePlatform(platform.empty() ? HostPlatform() : platform));
  Result<image::Index> index = image::Index::FromJson(top.bytes);
  if (!index.ok()) {
    return Status::Corruption(RefText(ref) + ": the registry sent an index that does not parse: " +
                              index.status().message());
  }
  Result<image::Descriptor> chosen = SelectPlatform(*index, want);
  if (!chosen.ok()) return chosen.status().Annotate(RefText(ref));
  ASSIGN_OR_RETURN(FetchedManifest m, GetManifest(ep, ref, chosen->digest.ToString()));
  if (IsIndexType(m.media_type)) {
    return Status::InvalidArgument(RefText(ref) + ": the index entry for " + want.ToString() +
                                   " is itself an index; nested indexes are not supported yet");
  }
  out.manifest = std::move(m);
  out.platform = chosen->platform;
  return out;
}

Result<std::optional<Digest>> CurlRegistryClient::HeadManifest(const image::Reference& ref) {
  RegistryEndpoint ep = Endpoint(ref);
  std::string what = "manifest " + RefText(ref);
  HttpRequest request;
  request.method = "HEAD";
  request.url = RepoUrl(ep, ref) + "/manifests/" + TagOrDigest(ref);
  request.headers = ManifestAccept();
  ASSIGN_OR_RETURN(HttpResponse r, Call(ep, PullScope(ref), request, nullptr, what));
  if (r.status == 404) return std::optional<Digest>();
  if (r.status != 200) return StatusError(ep, r, what);
  std::string header = r.Header("docker-content-digest");
  if (!header.empty()) {
    Result<Digest> d = Digest::Parse(header);
    if (d.ok()) return std::optional<Digest>(*d);
  }
  // No (valid) digest header: the body's hash is the digest.
  ASSIGN_OR_RETURN(FetchedManifest m, GetManifest(ep, ref, TagOrDigest(ref)));
  return std::optional<Digest>(m.digest);
}

Status CurlRegistryClient::FetchBlob(const image::Reference& repo, const image::Descriptor& blob,
                                     const std::string& dest_path, const ProgressFn& progress,
                                     BlobObserver* observer) {
  RegistryEndpoint ep = Endpoint(repo);
  std::string what = "blob " + blob.digest.ToString();
  Sha256Hasher hasher;
  // Every byte the file holds goes through here, once per attempt from the start.
  auto feed = [&](std::string_view bytes) {
    hasher.Update(bytes);
    if (observer != nullptr) observer->Update(bytes);
  };
  auto restart = [&] {
    hasher = Sha256Hasher();
    if (observer != nullptr) observer->Restart();
  };
  uint64_t have = 0;  // bytes at dest_path before the current attempt
  bool started = false;
  HttpRequest request;
  request.url = RepoUrl(ep, repo) + "/blobs/" + blob.digest.ToString();
  request.response_file = dest_path;
  if (blob.size > 0) request.max_file_size = static_cast<uint64_t>(blob.size);
  request.on_file_bytes = feed;
  if (progress) {
    request.progress = [&](uint64_t, uint64_t received) {
      progress(BlobProgress{blob.digest, have + received, static_cast<uint64_t>(blob.size)});
    };
  }
  // Before each attempt: resume from what the last one wrote, fed again.
  auto prepare = [&](HttpRequest& r) -> Status {
    restart();
    have = 0;
    if (started) {
      ASSIGN_OR_RETURN(uint64_t size, FileSize(dest_path));
      if (size > 0 && size < static_cast<uint64_t>(blob.size)) {
        TRY(ReadPrefix(dest_path, size, feed));
        have = size;
      }
    }
    started = true;
    r.resume_from = have;
    return Status::OK();
  };
  Result<HttpResponse> r = Call(ep, PullScope(repo), request, prepare, what);
  Status failed;
  if (!r.ok()) {
    failed = r.status();
  } else if (r->status == 404) {
    std::string message = RegistryErrorMessage(r->body);
    failed = Status::NotFound(repo.Name() + ": " + what + ": " +
                              (message.empty() ? "blob unknown" : message));
  } else if (r->status != 200 && r->status != 206) {
    failed = StatusError(ep, *r, what);
  }
  if (failed.ok()) {
    // A 200 after a Range request rewrote the file from its start.
    if (!r->resumed && have > 0) {
      // The prefix fed before the attempt is gone: feed the new file alone.
      restart();
      ASSIGN_OR_RETURN(uint64_t size, FileSize(dest_path));
      TRY(ReadPrefix(dest_path, size, feed));
    }
    uint64_t size = hasher.size();
    Digest got = hasher.Finish();
    if (got != blob.digest) {
      failed = Status::Corruption("registry " + ep.domain + ": " + what +
                                  ": content does not match its digest (got " + got.ToString() +
                                  ", " + std::to_string(size) + " bytes)");
    } else if (blob.size > 0 && size != static_cast<uint64_t>(blob.size)) {
      failed =
          Status::Corruption("registry " + ep.domain + ": " + what + ": " + std::to_string(size) +
                             " bytes, the manifest says " + std::to_string(blob.size));
    }
  }
  if (!failed.ok()) {
    std::remove(dest_path.c_str());
    return failed;
  }
  if (progress)
    progress(BlobProgress{blob.digest, static_cast<uint64_t>(blob.size),
                          static_cast<uint64_t>(blob.size)});
  return Status::OK();
}

Status CurlRegistryClient::CheckLogin(const std::string& host) {
  RegistryEndpoint ep = ResolveEndpoint(host, options_.insecure_registries);
  HttpRequest request;
  request.url = ep.BaseUrl() + "/v2/";
  ASSIGN_OR_RETURN(HttpResponse r, Call(ep, {}, request, nullptr, "login"));
  if (r.status == 200) return Status::OK();
  return StatusError(ep, r, "login");
}

Result<bool> CurlRegistryClient::HasBlob(const image::Reference& repo, const Digest& digest) {
  RegistryEndpoint ep = Endpoint(repo);
  HttpRequest request;
  request.method = "HEAD";
  request.url = RepoUrl(ep, repo) + "/blobs/" + digest.ToString();
  std::string what = "blob " + digest.ToString();
  ASSIGN_OR_RETURN(HttpResponse r, Call(ep, PullScope(repo), request, nullptr, what));
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  return StatusError(ep, r, what);
}

Result<bool> CurlRegistryClient::PushBlob(const image::Reference& repo,
                                          const image::Descriptor& blob, const std::string& path,
                                          const std::string& mount_from,
                                          const ProgressFn& progress) {
  RegistryEndpoint ep = Endpoint(repo);
  std::string what = "blob " + blob.digest.ToString();
  std::vector<std::string> scopes = PushScope(repo);
  {
    HttpRequest head;
    head.method = "HEAD";
    head.url = RepoUrl(ep, repo) + "/blobs/" + blob.digest.ToString();
    ASSIGN_OR_RETURN(HttpResponse r, Call(ep, scopes, head, nullptr, what));
    if (r.status == 200) return false;
    if (r.status != 404) return StatusError(ep, r, what);
  }
  // mount_from: "domain/path" (Reference::Name()) or a path of this registry.
  std::string from = mount_from;
  if (from.rfind(repo.domain() + "/", 0) == 0) {
    from = from.substr(repo.domain().size() + 1);
  } else if (size_t slash = from.find('/');
             slash != std::string::npos && (from.substr(0, slash).find('.') != std::string::npos ||
                                            from.substr(0, slash).find(':') != std::string::npos ||
                                            from.substr(0, slash) == "localhost")) {
    from.clear();  // another registry: nothing to mount from
  }
  HttpRequest post;
  post.method = "POST";
  post.url = RepoUrl(ep, repo) + "/blobs/uploads/";
  if (!from.empty() && from != repo.path()) {
    post.url += "?mount=" + UrlEscape(blob.digest.ToString()) + "&from=" + UrlEscape(from);
    scopes.push_back("repository:" + from + ":pull");
  }
  ASSIGN_OR_RETURN(HttpResponse r, Call(ep, scopes, post, nullptr, what + " upload"));
  if (r.status == 201) return false;  // mounted
  if (r.status != 202) return StatusError(ep, r, what + " upload");
  std::string location = r.Header("location");
  if (location.empty()) {
    return Status::InvalidArgument("registry " + ep.domain + ": " + what +
                                   ": the upload was accepted without a Location to send it to");
  }
  return Upload(ep, repo, blob, path, Absolute(ep, location), progress);
}

Result<bool> CurlRegistryClient::Upload(const RegistryEndpoint& ep, const image::Reference& repo,
                                        const image::Descriptor& blob, const std::string& path,
                                        std::string location, const ProgressFn& progress) {
  std::string what = "blob " + blob.digest.ToString();
  std::vector<std::string> scopes = PushScope(repo);
  ASSIGN_OR_RETURN(uint64_t size, FileSize(path));
  uint64_t chunk = std::max<uint64_t>(options_.chunk_size, 1);
  uint64_t offset = 0;
  auto with_progress = [&](HttpRequest& r) {
    if (!progress) return;
    r.progress = [&progress, &blob, &offset, size](uint64_t sent, uint64_t) {
      progress(BlobProgress{blob.digest, offset + sent, size});
    };
  };
  if (size > chunk) {
    while (offset < size) {
      uint64_t n = std::min(chunk, size - offset);
      HttpRequest patch;
      patch.method = "PATCH";
      patch.url = location;
      patch.body_file = path;
      patch.body_file_offset = offset;
      patch.body_file_length = n;
      patch.headers = {
          "Content-Type: application/octet-stream",
          "Content-Range: " + std::to_string(offset) + "-" + std::to_string(offset + n - 1)};
      with_progress(patch);
      ASSIGN_OR_RETURN(HttpResponse r, Call(ep, scopes, patch, nullptr, what + " chunk"));
      if (r.status != 202) return StatusError(ep, r, what + " chunk at " + std::to_string(offset));
      if (std::string next = r.Header("location"); !next.empty()) location = Absolute(ep, next);
      offset += n;
    }
  }
  HttpRequest put;
  put.method = "PUT";
  put.url = AddQuery(location, "digest=" + UrlEscape(blob.digest.ToString()));
  put.headers = {"Content-Type: application/octet-stream"};
  if (offset < size) {  // monolithic: the whole blob in the PUT
    put.body_file = path;
    with_progress(put);
  }
  ASSIGN_OR_RETURN(HttpResponse r, Call(ep, scopes, put, nullptr, what));
  if (r.status != 201 && r.status != 204) {
    if (r.status == 400 && RegistryErrorHasCode(r.body, "DIGEST_INVALID")) {
      return Status::Corruption("registry " + ep.domain + ": " + what + ": " + path +
                                " does not match its digest (the registry says " +
                                RegistryErrorMessage(r.body) + ")");
    }
    return StatusError(ep, r, what);
  }
  std::string header = r.Header("docker-content-digest");
  if (!header.empty() && header != blob.digest.ToString()) {
    return Status::Corruption("registry " + ep.domain + ": " + what + ": the registry stored " +
                              header + " instead");
  }
  if (progress) progress(BlobProgress{blob.digest, size, size});
  return true;
}

Result<Digest> CurlRegistryClient::PushManifest(const image::Reference& ref,
                                                const std::string& media_type,
                                                const std::string& bytes) {
  RegistryEndpoint ep = Endpoint(ref);
  std::string what = "manifest " + RefText(ref);
  Digest digest = Digest::Sha256Of(bytes);
  HttpRequest put;
  put.method = "PUT";
  put.url = RepoUrl(ep, ref) + "/manifests/" + TagOrDigest(ref);
  put.headers = {"Content-Type: " + media_type};
  put.body = bytes;
  ASSIGN_OR_RETURN(HttpResponse r, Call(ep, PushScope(ref), put, nullptr, what));
  if (r.status != 201 && r.status != 200 && r.status != 202) {
    if (r.status == 400 || r.status == 404) {
      std::string message = RegistryErrorMessage(r.body);
      if (!message.empty()) {
        return Status::InvalidArgument("registry " + ep.domain + ": " + what + ": " + message);
      }
    }
    return StatusError(ep, r, what);
  }
  std::string header = r.Header("docker-content-digest");
  if (!header.empty() && header != digest.ToString()) {
    return Status::Corruption("registry " + ep.domain + ": " + what + ": the registry reports " +
                              header + " for a manifest whose digest is " + digest.ToString());
  }
  return digest;
}

Result<std::vector<std::string>> CurlRegistryClient::ListTags(const image::Reference& repo) {
  RegistryEndpoint ep = Endpoint(repo);
  std::string what = "tags of " + repo.Name();
  std::string url = RepoUrl(ep, repo) + "/tags/list";
  if (options_.tags_page_size > 0) url += "?n=" + std::to_string(options_.tags_page_size);
  std::vector<std::string> tags;
  for (int page = 0; !url.empty(); ++page) {
    if (page > 100000)
      return Status::InvalidArgument("registry " + ep.domain + ": " + what +
                                     ": the pages never end");
    HttpRequest get;
    get.url = url;
    ASSIGN_OR_RETURN(HttpResponse r, Call(ep, PullScope(repo), get, nullptr, what));
    if (r.status == 404) {
      std::string message = RegistryErrorMessage(r.body);
      return Status::NotFound(repo.Name() + ": " +
                              (message.empty() ? "repository unknown" : message));
    }
    if (r.status != 200) return StatusError(ep, r, what);
    nlohmann::json doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_object()) {
      return Status::InvalidArgument("registry " + ep.domain + ": " + what +
                                     ": the answer is not JSON");
    }
    if (auto it = doc.find("tags"); it != doc.end() && it->is_array()) {
      for (const nlohmann::json& t : *it) {
        if (t.is_string()) tags.push_back(t.get<std::string>());
      }
    }
    std::string next = NextLink(r.Header("link"));
    url = next.empty() ? "" : Absolute(ep, next);
  }
  return tags;
}

}  // namespace

std::unique_ptr<RegistryClient> NewRegistryClient(RegistryClientOptions options,
                                                  std::shared_ptr<CredentialStore> credentials) {
  return std::make_unique<CurlRegistryClient>(std::move(options), std::move(credentials));
}

}  // namespace strata::registry
