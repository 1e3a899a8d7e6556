#include "registry/testing/fake_registry_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "image/index.h"
#include "image/manifest.h"
#include "image/media_types.h"
#include "registry/platform_match.h"

namespace strata::registry::testing {
namespace {

Status WriteWhole(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError(path + ": cannot write");
  return Status::OK();
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string MediaTypeOf(const std::string& bytes, const std::string& fallback) {
  if (auto index = image::Index::FromJson(bytes); index.ok() && !index->media_type.empty()) {
    return index->media_type;
  }
  if (auto manifest = image::Manifest::FromJson(bytes); manifest.ok()) return manifest->media_type;
  return fallback;
}

}  // namespace

image::Descriptor FakeRegistryClient::AddBlob(const std::string& repo, const std::string& bytes,
                                              const std::string& media_type) {
  image::Descriptor d;
  d.media_type = media_type;
  d.digest = Digest::Sha256Of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  std::lock_guard<std::mutex> lock(mu_);
  repos_[repo].blobs[d.digest] = bytes;
  return d;
}

Digest FakeRegistryClient::AddManifest(const std::string& repo, const std::string& tag,
                                       const std::string& media_type, const std::string& bytes) {
  FetchedManifest m{media_type, bytes, Digest::Sha256Of(bytes)};
  std::lock_guard<std::mutex> lock(mu_);
  Repo& r = repos_[repo];
  r.manifests[m.digest] = m;
  if (!tag.empty()) r.tags[tag] = m.digest;
  return m.digest;
}

void FakeRegistryClient::CorruptBlob(const Digest& digest) {
  std::lock_guard<std::mutex> lock(mu_);
  corrupt_.insert(digest);
}

bool FakeRegistryClient::HasTag(const std::string& repo, const std::string& tag) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = repos_.find(repo);
  return it != repos_.end() && it->second.tags.count(tag) > 0;
}

std::string FakeRegistryClient::ManifestBytes(const std::string& repo,
                                              const std::string& tag_or_digest) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = repos_.find(repo);
  if (it == repos_.end()) return "";
  const Repo& r = it->second;
  Digest digest;
  if (auto tag = r.tags.find(tag_or_digest); tag != r.tags.end()) {
    digest = tag->second;
  } else if (auto parsed = Digest::Parse(tag_or_digest); parsed.ok()) {
    digest = *parsed;
  } else {
    return "";
  }
  auto m = r.manifests.find(digest);
  return m == r.manifests.end() ? "" : m->second.bytes;
}

void FakeRegistryClient::RequireLogin(Credentials credentials) {
  std::lock_guard<std::mutex> lock(mu_);
  required_login_ = std::move(credentials);
}

void FakeRegistryClient::SetCredentials(std::shared_ptr<CredentialStore> store) {
  std::lock_guard<std::mutex> lock(mu_);
  credentials_ = std::move(store);
}

Status FakeRegistryClient::CheckLogin(const std::string& host) {
  if (down_) return Status::Unavailable("registry " + host + ": connection refused");
  std::optional<Credentials> required;
  std::shared_ptr<CredentialStore> store;
  {
    std::lock_guard<std::mutex> lock(mu_);
    required = required_login_;
    store = credentials_;
  }
  if (!required) return Status::OK();
  std::optional<Credentials> given;
  if (store) {
    ASSIGN_OR_RETURN(given, store->Get(host));
  }
  if (given && given->username == required->username && given->password == required->password) {
    return Status::OK();
  }
  return Status::PermissionDenied("registry " + host + ": unauthorized: authentication required");
}

Status FakeRegistryClient::DownStatus(const image::Reference& ref) const {
  if (!down_) return Status::OK();
  return Status::Unavailable("registry " + ref.domain() +
                             ": connection refused (is the registry running?)");
}

Result<FetchedManifest> FakeRegistryClient::FindLocked(const image::Reference& ref) const {
  auto it = repos_.find(ref.Name());
  const Repo* r = it == repos_.end() ? nullptr : &it->second;
  Digest digest;
  if (!ref.digest().empty()) {
    ASSIGN_OR_RETURN(digest, Digest::Parse(ref.digest()));
  } else if (r != nullptr && r->tags.count(ref.tag()) > 0) {
    digest = r->tags.at(ref.tag());
  }
  if (r != nullptr) {
    if (auto m = r->manifests.find(digest); m != r->manifests.end()) return m->second;
  }
  return Status::NotFound(ref.String() + ": manifest unknown");
}

Result<ResolvedImage> FakeRegistryClient::Resolve(const image::Reference& ref,
                                                  const std::string& platform) {
  TRY(DownStatus(ref));
  ++manifest_gets_;
  ASSIGN_OR_RETURN(image::Platform want, ParsePlatform(platform));
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(FetchedManifest top, FindLocked(ref));
  ResolvedImage resolved;
  resolved.top_digest = top.digest;
  if (!image::media_type::IsIndex(MediaTypeOf(top.bytes, top.media_type))) {
    resolved.manifest = top;
    return resolved;
  }
  ASSIGN_OR_RETURN(image::Index index, image::Index::FromJson(top.bytes));
  ASSIGN_OR_RETURN(image::Descriptor entry, SelectPlatform(index, want));
  ASSIGN_OR_RETURN(image::Reference by_digest,
                   image::ParseReference(ref.Name() + "@" + entry.digest.ToString()));
  ASSIGN_OR_RETURN(resolved.manifest, FindLocked(by_digest));
  resolved.platform = entry.platform;
  return resolved;
}

Result<std::optional<Digest>> FakeRegistryClient::HeadManifest(const image::Reference& ref) {
  TRY(DownStatus(ref));
  std::lock_guard<std::mutex> lock(mu_);
  auto found = FindLocked(ref);
  if (!found.ok()) return std::optional<Digest>();
  return std::optional<Digest>(found->digest);
}

Status FakeRegistryClient::FetchBlob(const image::Reference& repo, const image::Descriptor& blob,
                                     const std::string& dest_path, const ProgressFn& progress,
                                     BlobObserver* observer) {
  TRY(DownStatus(repo));
  ++blob_fetches_;
  std::string bytes;
  bool corrupt = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = repos_.find(repo.Name());
    if (it == repos_.end() || it->second.blobs.count(blob.digest) == 0) {
      return Status::NotFound(repo.Name() + ": blob " + blob.digest.ToString() + ": blob unknown");
    }
    bytes = it->second.blobs.at(blob.digest);
    corrupt = corrupt_.erase(blob.digest) > 0;
  }
  if (corrupt) {
    return Status::Corruption(repo.domain() + ": blob " + blob.digest.ToString() +
                              ": content does not match its digest (got " +
                              Digest::Sha256Of(bytes + "x").ToString() + ")");
  }
  TRY(WriteWhole(dest_path, bytes));
  if (observer != nullptr) {
    observer->Restart();
    observer->Update(bytes);
  }
  if (progress) progress({blob.digest, bytes.size(), bytes.size()});
  return Status::OK();
}

Result<bool> FakeRegistryClient::HasBlob(const image::Reference& repo, const Digest& digest) {
  TRY(DownStatus(repo));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = repos_.find(repo.Name());
  return it != repos_.end() && it->second.blobs.count(digest) > 0;
}

Result<bool> FakeRegistryClient::PushBlob(const image::Reference& repo,
                                          const image::Descriptor& blob, const std::string& path,
                                          const std::string& mount_from,
                                          const ProgressFn& progress) {
  TRY(DownStatus(repo));
  {
    std::lock_guard<std::mutex> lock(mu_);
    Repo& target = repos_[repo.Name()];
    if (target.blobs.count(blob.digest) > 0) return false;
    if (!mount_from.empty()) {
      auto source = repos_.find(mount_from);
      if (source != repos_.end() && source->second.blobs.count(blob.digest) > 0) {
        target.blobs[blob.digest] = source->second.blobs.at(blob.digest);
        return false;
      }
    }
  }
  ASSIGN_OR_RETURN(std::string bytes, ReadWhole(path));
  if (Digest::Sha256Of(bytes) != blob.digest) {
    return Status::Corruption(path + ": content does not match " + blob.digest.ToString());
  }
  ++blob_pushes_;
  if (progress) progress({blob.digest, bytes.size(), bytes.size()});
  std::lock_guard<std::mutex> lock(mu_);
  repos_[repo.Name()].blobs[blob.digest] = std::move(bytes);
  return true;
}

Result<Digest> FakeRegistryClient::PushManifest(const image::Reference& ref,
                                                const std::string& media_type,
                                                const std::string& bytes) {
  TRY(DownStatus(ref));
  Digest digest = Digest::Sha256Of(bytes);
  std::lock_guard<std::mutex> lock(mu_);
  Repo& r = repos_[ref.Name()];
  r.manifests[digest] = {media_type, bytes, digest};
  if (!ref.tag().empty()) r.tags[ref.tag()] = digest;
  return digest;
}

Result<std::vector<std::string>> FakeRegistryClient::ListTags(const image::Reference& repo) {
  TRY(DownStatus(repo));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = repos_.find(repo.Name());
  if (it == repos_.end()) return Status::NotFound(repo.Name() + ": repository name not known");
  std::vector<std::string> tags;
  for (const auto& [tag, digest] : it->second.tags) tags.push_back(tag);
  return tags;
}

}  // namespace strata::registry::testing
