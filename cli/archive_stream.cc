#include "cli/archive_stream.h"

#include <fstream>
#include <optional>

#include "cli/reply_stream.h"

namespace strata::cli {
namespace {

constexpr size_t kChunk = 1 << 20;

}  // namespace

bool StreamsFiles(const CliContext& ctx) { return ctx.host.rfind("tcp://", 0) == 0; }

Result<protocol::Envelope> UploadArchive(protocol::Connection& connection,
                                         protocol::Envelope request, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  const uint64_t id = connection.NextRequestId();
  request.set_request_id(id);
  TRY(connection.Send(request));
  std::string buffer(kChunk, '\0');
  uint64_t offset = 0;
  for (;;) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize n = in.gcount();
    if (in.bad()) return Status::IOError("reading " + path + " failed");
    bool last = in.eof();
    protocol::Envelope chunk = protocol::NewEnvelope(id);
    chunk.mutable_chunk()->set_offset(offset);
    chunk.mutable_chunk()->set_data(buffer.data(), static_cast<size_t>(n));
    chunk.mutable_chunk()->set_last(last);
    TRY(connection.Send(chunk));
    offset += static_cast<uint64_t>(n);
    if (last) break;
  }
  std::optional<protocol::Envelope> answer;
  TRY(ReceiveReplies(connection, id, "upload",
                     [&](const protocol::Envelope& e) -> std::optional<Status> {
                       if (e.has_error()) return protocol::StatusFromError(e.error());
                       answer = e;
                       return Status::OK();
                     }));
  return *answer;
}

Result<uint64_t> DownloadArchive(protocol::Connection& connection, protocol::Envelope request,
                                 std::ostream& out) {
  const uint64_t id = connection.NextRequestId();
  request.set_request_id(id);
  TRY(connection.Send(request));
  uint64_t received = 0;
  TRY(ReceiveReplies(
      connection, id, "save", [&](const protocol::Envelope& e) -> std::optional<Status> {
        if (e.has_error()) return protocol::StatusFromError(e.error());
        if (e.has_save_result()) {
          if (e.save_result().size() != received) {
            return Status::Corruption("the saved archive has " + std::to_string(received) +
                                      " bytes, the coordinator sent " +
                                      std::to_string(e.save_result().size()));
          }
          return Status::OK();
        }
        if (!e.has_chunk()) return std::nullopt;
        if (e.chunk().offset() != received) {
          return Status::Corruption("archive chunk at offset " +
                                    std::to_string(e.chunk().offset()) + ", expected " +
                                    std::to_string(received));
        }
        out.write(e.chunk().data().data(), static_cast<std::streamsize>(e.chunk().data().size()));
        if (!out) return Status::IOError("writing the saved archive failed");
        received += e.chunk().data().size();
        protocol::Envelope ack = protocol::NewEnvelope(id);
        ack.mutable_chunk()->set_offset(received);
        if (Status s = connection.Send(ack); !s.ok()) return s;
        return std::nullopt;
      }));
  out.flush();
  return received;
}

}  // namespace strata::cli
