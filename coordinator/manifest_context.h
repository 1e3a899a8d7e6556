#pragma once

// The build context as the client described it in SubmitBuild: a manifest
// of entries (path, type, mode, size, content digest, link target), no
// bytes. Selects the entries a COPY/ADD reads with Docker/BuildKit's rules;
// the bytes come later, by content digest, only when a job needs them.

#include <string>
#include <vector>

#include "cache/context_inputs.h"
#include "common/result.h"
#include "coordinator/build_step_key.h"
#include "protocol/envelope.h"

namespace strata::coordinator {

// The manifest of a SubmitBuild as InputEntries, sorted by path. Paths are
// cleaned ("./a//b" -> "a/b"); InvalidArgument for an entry whose path is
// empty or leaves the context, or whose sha256 is malformed.
Result<std::vector<cache::InputEntry>> EntriesFromManifest(const v1::SubmitBuild& request);

// One entry in the wire form (CopySpec.context).
v1::ContextEntry ToContextEntry(const cache::InputEntry& entry);

// Thread-safe (immutable after construction).
class ManifestContext : public ContextSource {
 public:
  explicit ManifestContext(std::vector<cache::InputEntry> entries);

  // For each pattern (a leading '/' or "./" ignored; "." is the whole
  // context): a directory selects itself and everything below; wildcards
  // (filepath.Match syntax) match entry paths, a matched directory again
  // taking everything below. Symlinks on the way, the source's own
  // included, are followed inside the context as BuildKit does (the link
  // entries and what they lead to are both selected). Then entries
  // matching an exclude pattern (or below a directory matching one) are
  // dropped. The result is sorted by path, each entry once.
  //  - NotFound `failed to compute cache key: failed to calculate checksum
  //    of ref: "/x": not found` when a pattern matches nothing;
  //  - InvalidArgument `forbidden path outside the build context: ../x`;
  //  - InvalidArgument for a malformed wildcard.
  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>& patterns,
                                                const std::vector<std::string>& excludes) override;

  const std::vector<cache::InputEntry>& entries() const { return entries_; }

 private:
  std::vector<cache::InputEntry> entries_;  // sorted by path
};

}  // namespace strata::coordinator
