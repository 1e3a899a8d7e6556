#pragma once

// The client's half of streamed archives (docs/protocol.md "Streamed
// archives"): with a coordinator on another machine (`--host tcp://...`),
// `image import`, `load` and `save` move the file over the connection
// instead of naming a path on the coordinator's disk.

#include <cstdint>
#include <ostream>
#include <string>

#include "cli/cli_context.h"
#include "common/result.h"
#include "protocol/connection.h"
#include "protocol/envelope.h"

namespace strata::cli {

// Whether files go over the connection: the coordinator is reached over
// TCP (a local one shares this machine's files).
bool StreamsFiles(const CliContext& ctx);

// Sends `request` (ImportImage or LoadImage with streamed set), then the
// file at `path` as Chunk messages, and returns the coordinator's answer.
Result<protocol::Envelope> UploadArchive(protocol::Connection& connection,
                                         protocol::Envelope request, const std::string& path);

// Sends `request` (SaveImage with streamed set) and writes the archive the
// coordinator streams back to `out`, acknowledging each chunk; returns the
// bytes written.
Result<uint64_t> DownloadArchive(protocol::Connection& connection, protocol::Envelope request,
                                 std::ostream& out);

}  // namespace strata::cli
