#pragma once

// An in-memory RegistryClient for the tests of code that pulls and pushes
// (the coordinator's puller and pusher, the CLI commands) without a network.
// Repositories are keyed by Reference::Name() ("127.0.0.1:5000/app").
// Thread-safe.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "registry/registry_client.h"

namespace strata::registry::testing {

class FakeRegistryClient : public RegistryClient {
 public:
  // Seeding. AddBlob returns the blob's descriptor (sha256 of bytes).
  image::Descriptor AddBlob(const std::string& repo, const std::string& bytes,
                            const std::string& media_type);
  // Stores the manifest bytes under their digest and points `tag` at them
  // (no tag when empty). Returns the digest.
  Digest AddManifest(const std::string& repo, const std::string& tag, const std::string& media_type,
                     const std::string& bytes);

  // CheckLogin accepts only these credentials (none set: any).
  void RequireLogin(Credentials credentials);
  // What CheckLogin is asked with comes from here (null: anonymous).
  void SetCredentials(std::shared_ptr<CredentialStore> store);

  // Failure injection: every call fails Unavailable (registry down).
  void SetDown(bool down) { down_ = down; }
  // The next FetchBlob of `digest` writes `bytes` instead and reports Corruption,
  // as the real client does on a digest mismatch (nothing left at dest).
  void CorruptBlob(const Digest& digest);

  // Observation.
  int blob_fetches() const { return blob_fetches_; }
  int blob_pushes() const { return blob_pushes_; }
  int manifest_gets() const { return manifest_gets_; }
  bool HasTag(const std::string& repo, const std::string& tag) const;
  // The manifest bytes a tag or digest names; "" when absent.
  std::string ManifestBytes(const std::string& repo, const std::string& tag_or_digest) const;

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
  struct Repo {
    std::map<std::string, Digest> tags;
    std::map<Digest, FetchedManifest> manifests;
    std::map<Digest, std::string> blobs;
  };
  Status DownStatus(const image::Reference& ref) const;
  // REQUIRES: mu_ held. The manifest a reference names, or NotFound.
  Result<FetchedManifest> FindLocked(const image::Reference& ref) const;

  mutable std::mutex mu_;
  std::map<std::string, Repo> repos_;
  std::set<Digest> corrupt_;
  std::optional<Credentials> required_login_;     // GUARDED_BY(mu_)
  std::shared_ptr<CredentialStore> credentials_;  // GUARDED_BY(mu_)
  std::atomic<bool> down_{false};
  std::atomic<int> blob_fetches_{0};
  std::atomic<int> blob_pushes_{0};
  std::atomic<int> manifest_gets_{0};
};

}  // namespace strata::registry::testing
