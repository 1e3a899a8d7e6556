#include "cache/fault_injection_blob_store.h"

#include <unistd.h>

#include <string>

namespace strata::cache {

namespace {

const char* FaultName(BlobFault op) {
  switch (op) {
    case BlobFault::kCreate:
      return "create";
    case BlobFault::kWrite:
      return "write";
    case BlobFault::kCommit:
      return "commit";
    case BlobFault::kCommitAfterPublish:
      return "commit (after publish)";
    case BlobFault::kPutFile:
      return "put-file";
    case BlobFault::kDelete:
      return "delete";
    case BlobFault::kOpen:
      return "open";
  }
  return "?";
}

class FaultInjectionWriter : public BlobWriter {
 public:
  FaultInjectionWriter(FaultInjectionBlobStore* store, std::unique_ptr<BlobWriter> base)
      : store_(store), base_(std::move(base)) {}

  Status Write(const void* data, size_t size) override {
    if (!base_) return Status::Internal("write to a finished blob writer");
    TRY(store_->Hit(BlobFault::kWrite));
    return base_->Write(data, size);
  }

  Result<Digest> Commit(std::optional<Digest> expected) override {
    if (!base_) return Status::Internal("commit of a finished blob writer");
    Status before = store_->Hit(BlobFault::kCommit);
    if (!before.ok()) {
      base_.reset();  // aborts the write: nothing becomes visible
      return before;
    }
    ASSIGN_OR_RETURN(Digest digest, base_->Commit(std::move(expected)));
    TRY(store_->Hit(BlobFault::kCommitAfterPublish));
    return digest;
  }

 private:
  FaultInjectionBlobStore* store_;
  std::unique_ptr<BlobWriter> base_;
};

}  // namespace

void FaultInjectionBlobStore::FailNth(BlobFault op, int n, bool sticky) {
  std::lock_guard<std::mutex> lock(mu_);
  Plan& plan = plans_[static_cast<int>(op)];
  plan.fail_at = plan.calls + n;
  plan.sticky = sticky;
}

void FaultInjectionBlobStore::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Plan& plan : plans_) plan.fail_at = 0;
}

int FaultInjectionBlobStore::Calls(BlobFault op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return plans_[static_cast<int>(op)].calls;
}

Status FaultInjectionBlobStore::Hit(BlobFault op) {
  std::lock_guard<std::mutex> lock(mu_);
  Plan& plan = plans_[static_cast<int>(op)];
  ++plan.calls;
  bool fail = plan.fail_at > 0 &&
              (plan.calls == plan.fail_at || (plan.sticky && plan.calls > plan.fail_at));
  if (!fail) return Status::OK();
  return Status::IOError(std::string("injected fault: blob ") + FaultName(op) + " call #" +
                         std::to_string(plan.calls) + " fails");
}

Result<std::unique_ptr<BlobReader>> FaultInjectionBlobStore::Open(const Digest& digest) {
  TRY(Hit(BlobFault::kOpen));
  return base_->Open(digest);
}

Result<std::unique_ptr<BlobWriter>> FaultInjectionBlobStore::Create() {
  TRY(Hit(BlobFault::kCreate));
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> base, base_->Create());
  return std::unique_ptr<BlobWriter>(new FaultInjectionWriter(this, std::move(base)));
}

Result<Digest> FaultInjectionBlobStore::AdoptFile(const std::string& path, const Digest& digest) {
  if (Status s = Hit(BlobFault::kPutFile); !s.ok()) {
    ::unlink(path.c_str());
    return s;
  }
  return base_->AdoptFile(path, digest);
}

Result<Digest> FaultInjectionBlobStore::PutFile(const std::string& path,
                                                std::optional<Digest> expected) {
  TRY(Hit(BlobFault::kPutFile));
  return base_->PutFile(path, std::move(expected));
}

Status FaultInjectionBlobStore::Delete(const Digest& digest) {
  TRY(Hit(BlobFault::kDelete));
  return base_->Delete(digest);
}

}  // namespace strata::cache
