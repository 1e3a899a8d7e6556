#include "cache/blob_store.h"

#include <unistd.h>

namespace strata::cache {

namespace {
constexpr size_t kChunk = 1 << 16;
}  // namespace

Result<std::string> BlobStore::ReadAll(const Digest& digest) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> reader, Open(digest));
  std::string out;
  out.reserve(reader->size());
  char buf[kChunk];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, reader->Read(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

Result<Digest> BlobStore::AdoptFile(const std::string& path, const Digest& digest) {
  Result<Digest> put = PutFile(path, digest);
  ::unlink(path.c_str());
  return put;
}

Result<Digest> BlobStore::Put(std::string_view data, std::optional<Digest> expected) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, Create());
  TRY(writer->Write(data));
  return writer->Commit(std::move(expected));
}

Status VerifyBlob(BlobStore& store, const Digest& digest) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> reader, store.Open(digest));
  Sha256Hasher hasher;
  char buf[kChunk];
  while (true) {
    ASSIGN_OR_RETURN(size_t n, reader->Read(buf, sizeof buf));
    if (n == 0) break;
    hasher.Update(buf, n);
  }
  if (hasher.size() != reader->size()) {
    return Status::Corruption("blob " + digest.ToString() + " is truncated: read " +
                              std::to_string(hasher.size()) + " of " +
                              std::to_string(reader->size()) + " bytes");
  }
  Digest actual = hasher.Finish();
  if (digest.algorithm() == "sha256" && actual != digest) {
    return Status::Corruption("blob " + digest.ToString() + " has content " + actual.ToString() +
                              "; run `strata system fsck` and delete the damaged blob");
  }
  return Status::OK();
}

}  // namespace strata::cache
