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
  // context, which exists even when .dockerignore left it empty): a
  // directory selects itself and everything below; wildcards (filepath.Match
  // syntax) match entry paths, a matched directory again taking everything
  // below, and a wildcard matching nothing selects nothing (BuildKit's
  // AllowEmptyWildcard). A '\\' before '*', '?' or '[' makes it literal
  // (`n\\?pe` is the file `n?pe`). Symlinks on the way, the source's own
  // included, are followed inside the context as BuildKit does (the link
  // entries and what they lead to are both selected). Below each source (a match of a wildcard,
  // or the plain path), entries whose path relative to that source matches
  // an exclude pattern (.dockerignore syntax, BuildKit's --exclude) are
  // dropped; the source itself never is. The result is sorted by path, each
  // entry once.
  //  - NotFound `failed to compute cache key: failed to calculate checksum
  //    of ref: "/x": not found` when a plain path is missing;
  //  - InvalidArgument `forbidden path outside the build context: ../x`;
  //  - InvalidArgument for a malformed wildcard or exclude pattern.
  Result<std::vector<cache::InputEntry>> Select(const std::vector<std::string>& patterns,
                                                const std::vector<std::string>& excludes) override;

  const std::vector<cache::InputEntry>& entries() const { return entries_; }

 private:
  std::vector<cache::InputEntry> entries_;  // sorted by path
};

}  // namespace strata::coordinator
