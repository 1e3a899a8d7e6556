#include "coordinator/blob_transfer.h"

#include <algorithm>
#include <string>
#include <utility>

namespace strata::coordinator {

std::optional<Result<Digest>> BlobReceiver::Put(const std::string& key, const v1::BlobPut& put) {
  auto fail = [&](Status status) -> std::optional<Result<Digest>> {
    uploads_.erase(key);
    return Result<Digest>(std::move(status));
  };
  auto it = uploads_.find(key);
  if (it == uploads_.end()) {
    Result<Digest> expected = Digest::Parse(put.digest());
    if (!expected.ok()) {
      return fail(Status::InvalidArgument("BlobPut: digest '" + put.digest() +
                                          "': " + expected.status().message()));
    }
    Result<std::unique_ptr<cache::BlobWriter>> writer =
        deferred_ ? blobs_.CreateDeferred() : blobs_.Create();
    if (!writer.ok()) return fail(writer.status().Annotate("BlobPut " + put.digest()));
    it = uploads_.emplace(key, Upload{*expected, 0, std::move(*writer)}).first;
  }
  Upload& upload = it->second;
  upload.touched_nanos = clock_.NowMonotonicNanos();
  if (put.offset() != upload.written) {
    return fail(Status::InvalidArgument(
        "BlobPut " + put.digest() + ": chunk at offset " + std::to_string(put.offset()) + " but " +
        std::to_string(upload.written) + " bytes were received; start again at 0"));
  }
  if (Status s = upload.writer->Write(put.data()); !s.ok()) {
    return fail(s.Annotate("BlobPut " + put.digest()));
  }
  upload.written += put.data().size();
  if (!put.last()) return std::nullopt;
  if (put.total_size() != 0 && put.total_size() != upload.written) {
    return fail(Status::Corruption("BlobPut " + put.digest() + ": " +
                                   std::to_string(upload.written) + " bytes received, total_size " +
                                   std::to_string(put.total_size())));
  }
  Result<Digest> committed = upload.writer->Commit(upload.expected);
  uploads_.erase(it);
  if (!committed.ok()) return Result<Digest>(committed.status().Annotate("BlobPut"));
  return committed;
}

size_t BlobReceiver::Abandon(const std::string& prefix) {
  return std::erase_if(uploads_, [&](const auto& kv) { return kv.first.rfind(prefix, 0) == 0; });
}

size_t BlobReceiver::ExpireIdle(int64_t max_idle_nanos) {
  const int64_t now = clock_.NowMonotonicNanos();
  return std::erase_if(uploads_,
                       [&](const auto& kv) { return now - kv.second.touched_nanos >= max_idle_nanos; });
}

void ServeBlobGet(cache::BlobStore& blobs, uint64_t request_id, const v1::BlobGet& get,
                  const std::function<void(protocol::Envelope)>& send) {
  auto error = [&](const Status& s) { send(protocol::ErrorReply(request_id, s)); };
  Result<Digest> digest = Digest::Parse(get.digest());
  if (!digest.ok()) return error(digest.status().Annotate("BlobGet"));
  Result<std::unique_ptr<cache::BlobReader>> reader = blobs.Open(*digest);
  if (!reader.ok()) return error(reader.status().Annotate("BlobGet " + get.digest()));
  uint64_t size = (*reader)->size();
  uint64_t offset = std::min<uint64_t>(get.offset(), size);
  uint64_t end = get.length() == 0 ? size : std::min<uint64_t>(size, offset + get.length());
  end = std::min<uint64_t>(end, offset + kBlobGetWindow);
  std::string buffer(kBlobChunkSize, '\0');
  // Skip to the offset.
  for (uint64_t skipped = 0; skipped < offset;) {
    Result<size_t> n =
        (*reader)->Read(buffer.data(), std::min<uint64_t>(kBlobChunkSize, offset - skipped));
    if (!n.ok() || *n == 0)
      return error(n.ok() ? Status::IOError("blob shorter than its size") : n.status());
    skipped += *n;
  }
  uint64_t position = offset;
  do {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kBlobChunkSize, end - position));
    size_t got = 0;
    while (got < want) {
      Result<size_t> n = (*reader)->Read(buffer.data() + got, want - got);
      if (!n.ok()) return error(n.status().Annotate("BlobGet " + get.digest()));
      if (*n == 0) return error(Status::IOError("BlobGet " + get.digest() + ": blob ended early"));
      got += *n;
    }
    protocol::Envelope chunk = protocol::NewEnvelope(request_id);
    v1::BlobPut* put = chunk.mutable_blob_put();
    put->set_digest(get.digest());
    put->set_offset(position);
    put->set_data(buffer.data(), got);
    put->set_total_size(size);
    position += got;
    put->set_last(position >= end);
    send(std::move(chunk));
  } while (position < end);
}

}  // namespace strata::coordinator
