#pragma once

// The OCI distribution client: what `strata pull`, `strata push`, FROM of an
// image the store lacks and `build --push` need from a registry. This header
// is the seam: the coordinator depends on `RegistryClient`, the libcurl
// implementation lives in registry/ (NewRegistryClient) and tests use
// registry/testing's fake or a real docker-registry on loopback.
//
// Every error names the registry and says what to do:
//   "registry 127.0.0.1:5000: unauthorized: authentication required
//    (run `strata login 127.0.0.1:5000`)"            PermissionDenied
//   "docker.io/library/nope:latest: manifest unknown"  NotFound
//   "127.0.0.1:5000: blob sha256:ab…: content does not match its digest
//    (got sha256:cd…)"                                  Corruption
// Transient failures (connect, 429, 5xx, a cut transfer after its retries)
// are Unavailable and retryable.
//
// Thread-safe: any number of calls may run at once on one client.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "image/descriptor.h"
#include "image/digest.h"
#include "image/reference.h"

namespace strata::registry {

// A manifest (or index) as the registry sent it. The bytes are kept exactly:
// their SHA-256 is the digest a RepoDigest names.
struct FetchedManifest {
  std::string media_type;  // from the body's mediaType, else Content-Type
  std::string bytes;
  Digest digest;  // sha256 of bytes (checked against a requested digest)
};

// What Resolve found for one reference on one platform.
struct ResolvedImage {
  // The digest the reference's tag points at: the index's when the tag names
  // a multi-platform index, else the manifest's. `RepoDigests` and the FROM
  // cache key use the manifest's digest (below) as Docker does.
  Digest top_digest;
  FetchedManifest manifest;                 // the single-platform manifest chosen
  std::optional<image::Platform> platform;  // the index entry's platform, if any
};

// Progress of one blob transfer, for the per-layer pull/push lines.
struct BlobProgress {
  Digest digest;
  uint64_t done = 0;
  uint64_t total = 0;
};
using ProgressFn = std::function<void(const BlobProgress&)>;

// Sees a download's bytes in order, from the blob's first byte, as they
// reach the file: a pull computes the layer's diff_id while it downloads.
// Before each attempt (a resume, or a server that ignores Range and sends
// the blob again) comes Restart(), then every byte again from the start.
class BlobObserver {
 public:
  virtual ~BlobObserver() = default;
  virtual void Restart() = 0;
  virtual void Update(std::string_view bytes) = 0;
};

class RegistryClient {
 public:
  virtual ~RegistryClient() = default;

  // GET the manifest a tag or digest names; for an index (or manifest list)
  // picks the entry matching `platform` ("linux/amd64", "linux/arm64/v8";
  // the variant is matched when given) and fetches it. No match is
  // NotFound: "no matching manifest for linux/amd64 in the manifest list
  // entries (available: linux/arm64/v8, linux/s390x)".
  virtual Result<ResolvedImage> Resolve(const image::Reference& ref,
                                        const std::string& platform) = 0;

  // HEAD of a manifest: its digest without the body (a no-op pull, a moved
  // tag check). nullopt when the registry answers 404.
  virtual Result<std::optional<Digest>> HeadManifest(const image::Reference& ref) = 0;

  // Downloads a blob of `repo` (ref's domain + path) into `dest_path`,
  // verifying its SHA-256 against `digest` (Corruption and nothing left at
  // dest_path on a mismatch). A transfer cut in the middle resumes with
  // Range from the bytes already written. `observer` (may be null) sees
  // the bytes as they come.
  virtual Status FetchBlob(const image::Reference& repo, const image::Descriptor& blob,
                           const std::string& dest_path, const ProgressFn& progress,
                           BlobObserver* observer) = 0;

  // Whether the repository already has the blob (HEAD).
  virtual Result<bool> HasBlob(const image::Reference& repo, const Digest& digest) = 0;

  // Uploads the blob at `path` unless the registry has it. When `mount_from`
  // names another repository of the same registry that holds it, asks for a
  // cross-repository mount first. Returns true when bytes were sent.
  virtual Result<bool> PushBlob(const image::Reference& repo, const image::Descriptor& blob,
                                const std::string& path, const std::string& mount_from,
                                const ProgressFn& progress) = 0;

  // PUTs a manifest under ref's tag (or digest); returns the digest the
  // registry reports (Docker-Content-Digest), checked against the bytes.
  virtual Result<Digest> PushManifest(const image::Reference& ref, const std::string& media_type,
                                      const std::string& bytes) = 0;

  // Every tag of ref's repository, following Link pagination.
  virtual Result<std::vector<std::string>> ListTags(const image::Reference& repo) = 0;

  // Whether the registry `host` ("127.0.0.1:5000", "docker.io") accepts the
  // credentials the store holds for it, as `docker login` checks: GET /v2/,
  // answering a Basic or Bearer challenge (a token for no scope). OK, or
  // PermissionDenied with the registry's words.
  virtual Status CheckLogin(const std::string& host) = 0;
};

// Credentials for one registry host ("docker.io" is stored under Docker's
// key "https://index.docker.io/v1/").
struct Credentials {
  std::string username;
  std::string password;  // or an identity token
};

// Where credentials come from: `strata login`'s file, then
// ~/.docker/config.json's `auths` (base64 `auth`).
class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual Result<std::optional<Credentials>> Get(const std::string& host) = 0;
  virtual Status Put(const std::string& host, const Credentials& credentials) = 0;
  virtual Status Erase(const std::string& host) = 0;
};

struct RegistryClientOptions {
  // HOST:PORT entries spoken to over plain HTTP (as is 127.0.0.0/8 and
  // localhost, as Docker does).
  std::vector<std::string> insecure_registries;
  int max_attempts = 5;  // per request, on 429/5xx/connect errors
  int64_t initial_backoff_ms = 200;
  int parallel_downloads = 3;  // used by callers that fetch many blobs
  std::string user_agent = "strata";
  // Blobs larger than this are uploaded in PATCH chunks of this size; smaller
  // ones in one PUT.
  uint64_t chunk_size = 32 << 20;
  // `?n=` of tag listing (0: the registry's default page).
  int tags_page_size = 0;
};

// The libcurl client. `credentials` may be null (anonymous only).
std::unique_ptr<RegistryClient> NewRegistryClient(RegistryClientOptions options,
                                                  std::shared_ptr<CredentialStore> credentials);

}  // namespace strata::registry
