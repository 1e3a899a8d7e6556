#include "coordinator/store_push_recorder.h"

#include <algorithm>

#include "common/logging.h"
#include "image/reference.h"

namespace strata::coordinator {

void StorePushRecorder::OnPushed(const Digest& image_id, const std::string& name,
                                 const Digest& digest) {
  Result<image::Reference> ref = image::ParseReference(name);
  if (!ref.ok()) return;
  std::lock_guard lock(mu_);
  Result<std::optional<cache::ImageRecord>> record = store_.metadata().GetImage(image_id);
  if (!record.ok() || !record->has_value()) return;
  std::string repo_digest = ref->Name() + "@" + digest.ToString();
  std::vector<std::string>& digests = (*record)->repo_digests;
  if (std::find(digests.begin(), digests.end(), repo_digest) != digests.end()) return;
  digests.push_back(repo_digest);
  if (Status put = store_.PutImage(**record, {}); !put.ok()) {
    LOG(WARN) << "recording RepoDigest " << repo_digest << ": " << put.message();
  }
}

std::vector<std::string> StorePushRecorder::KnownRepositories(const Digest& image_id,
                                                              const std::string& domain) {
  std::vector<std::string> out;
  Result<std::optional<cache::ImageRecord>> record = store_.metadata().GetImage(image_id);
  if (!record.ok() || !record->has_value()) return out;
  for (const std::string& d : (*record)->repo_digests) {
    Result<image::Reference> ref = image::ParseReference(d);
    if (ref.ok() && ref->domain() == domain) out.push_back(ref->Name());
  }
  return out;
}

}  // namespace strata::coordinator
