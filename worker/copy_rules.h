#pragma once

// Internal to worker/: how a COPY/ADD's flags set the owner and mode of
// what it writes (--chown, --chmod, and the owners kept without them).

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "sandbox/root_writer.h"
#include "worker/copy_step.h"

namespace strata::worker {

// Parses a --chmod value (octal, at most 07777). InvalidArgument otherwise.
Result<uint32_t> ParseChmod(const std::string& chmod);

// The RootWriter rules of `step` writing into `rootfs`: --chmod parsed,
// --chown resolved in the destination as BuildKit's file ops do
// (ResolveFileOwner: an unknown name is 0:0), preserve_owner as the step
// says, and the step's time.
Result<sandbox::WriteRules> CopyWriteRules(const CopyStep& step, const std::string& rootfs,
                                           std::optional<int64_t> source_date_epoch);

}  // namespace strata::worker
