#include "cli/build_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "cli/reply_stream.h"
#include "common/logging.h"
#include "image/digest.h"

namespace strata::cli {
namespace {

constexpr size_t kChunk = 1 << 20;  // BlobPut data per message (DESIGN: 1 MiB)

// Sends the content of `path` as BlobPut chunks of request `id`, checking
// that it still has the digest the manifest recorded.
Status UploadBlob(protocol::Connection& connection, uint64_t id, const std::string& digest,
                  const std::string& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Status::IOError("cannot read " + path + " for upload: " + std::strerror(errno) +
                           "; was the context changed during the build?");
  }
  Sha256Hasher hasher;
  std::string buf(kChunk, '\0');
  uint64_t offset = 0;
  Status status;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Status::IOError("cannot read " + path + ": " + std::strerror(errno));
      break;
    }
    hasher.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    bool last = n == 0 || offset + static_cast<uint64_t>(n) >= size;
    if (last && n > 0) {
      // Make sure nothing follows: a file that grew has changed.
      char extra;
      if (::read(fd, &extra, 1) > 0) last = false;
    }
    if (last && hasher.Finish().ToString() != digest) {
      status = Status::InvalidArgument(path +
                                       " changed while the build was running (its content "
                                       "no longer matches the scanned " +
                                       digest + "); run the build again");
      break;
    }
    protocol::Envelope e = protocol::NewEnvelope(id);
    auto* put = e.mutable_blob_put();
    put->set_digest(digest);
    put->set_offset(offset);
    put->set_data(buf.data(), static_cast<size_t>(n));
    put->set_last(last);
    put->set_total_size(size);
    status = connection.Send(e);
    if (!status.ok() || last) break;
    offset += static_cast<uint64_t>(n);
    if (n == 0) break;
  }
  ::close(fd);
  return status;
}

}  // namespace

void FillContext(const context::ContextManifest& manifest, v1::SubmitBuild* submit) {
  submit->clear_context();
  for (const context::ContextEntry& entry : manifest.entries) {
    v1::ContextEntry* e = submit->add_context();
    e->set_path(entry.path);
    switch (entry.type) {
      case context::EntryType::kRegular:
        e->set_type(v1::ContextEntry::TYPE_REGULAR);
        e->set_size(entry.size);
        e->set_sha256(entry.content.ToString());
        break;
      case context::EntryType::kDirectory:
        e->set_type(v1::ContextEntry::TYPE_DIRECTORY);
        break;
      case context::EntryType::kSymlink:
        e->set_type(v1::ContextEntry::TYPE_SYMLINK);
        e->set_link_target(entry.link_target);
        break;
    }
    e->set_mode(entry.mode);
    for (const auto& [name, value] : entry.xattrs) (*e->mutable_xattrs())[name] = value;
    e->set_hardlink_group(entry.hardlink_group);
  }
}

Result<v1::BuildResult> RunRemoteBuild(protocol::Connection& connection, v1::SubmitBuild submit,
                                       const context::ContextManifest& manifest,
                                       BuildProgress& progress) {
  std::map<std::string, std::pair<std::string, uint64_t>> contents;  // digest -> path, size
  for (const context::ContextEntry& entry : manifest.entries) {
    if (entry.type != context::EntryType::kRegular) continue;
    contents.try_emplace(entry.content.ToString(), manifest.content_root + "/" + entry.path,
                         entry.size);
  }
  FillContext(manifest, &submit);
  const uint64_t id = connection.NextRequestId();
  protocol::Envelope request = protocol::NewEnvelope(id);
  *request.mutable_submit_build() = std::move(submit);
  TRY(connection.Send(request));

  std::optional<v1::BuildResult> result;
  TRY(ReceiveReplies(
      connection, id, "build", [&](const protocol::Envelope& in) -> std::optional<Status> {
        switch (in.body_case()) {
          case protocol::Envelope::kBuildEvent:
            progress.OnEvent(in.build_event(), SteadyNowMs());
            return std::nullopt;
          case protocol::Envelope::kMissingBlobs: {
            uint64_t bytes = 0, files = 0;
            for (const std::string& digest : in.missing_blobs().digests()) {
              auto it = contents.find(digest);
              if (it == contents.end()) {
                return Status::Internal("the coordinator asked for " + digest +
                                        ", which is not in the build context");
              }
              TRY(UploadBlob(connection, id, digest, it->second.first, it->second.second));
              bytes += it->second.second;
              ++files;
            }
            protocol::Envelope done = protocol::NewEnvelope(id);
            done.mutable_context_uploaded();
            TRY(connection.Send(done));
            progress.OnNote("[internal] load build context",
                            "transferring context: " + std::to_string(files) + " files, " +
                                std::to_string(bytes) + " bytes",
                            SteadyNowMs());
            return std::nullopt;
          }
          case protocol::Envelope::kBuildResult:
            result = in.build_result();
            return Status::OK();
          case protocol::Envelope::kError:
            return protocol::StatusFromError(in.error());
          default:
            LOG(DEBUG) << "build: ignoring " << protocol::BodyName(in);
            return std::nullopt;
        }
      }));
  return *result;
}

}  // namespace strata::cli
