#pragma once

// The client half of a build on the wire (docs/protocol.md "Builds"):
// sends SubmitBuild, answers MissingBlobs by uploading the named contents
// from the scanned context, feeds BuildEvents to the progress view, and
// returns the BuildResult.

#include <string>

#include "cli/build_progress.h"
#include "cli/context/context_manifest.h"
#include "common/result.h"
#include "protocol/build.pb.h"
#include "protocol/connection.h"

namespace strata::cli {

// Runs the build `submit` (its context field is filled here from
// `manifest`). Returns the BuildResult, whose `error` is set when the build
// failed; a Status only when the exchange itself failed (the coordinator
// went away, a context file changed during upload, an Error reply).
Result<v1::BuildResult> RunRemoteBuild(protocol::Connection& connection, v1::SubmitBuild submit,
                                       const context::ContextManifest& manifest,
                                       BuildProgress& progress);

// The protocol form of the scanned context.
void FillContext(const context::ContextManifest& manifest, v1::SubmitBuild* submit);

}  // namespace strata::cli
