#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/context_inputs.h"
#include "image/digest.h"

namespace strata::cache {

// Builds the cache key of one build step (DESIGN.md "Cache key"):
//
//   key = sha256("strata-cache-v1" 0 parent_key 0 kind 0 canonical_args 0 inputs)
//
// parent_key is the previous step's key (for the first step: the digest of
// the resolved base manifest, which is itself the key of FROM). kind is the
// instruction ("RUN", "COPY", "ENV", ...). canonical_args are typed, named
// fields, hashed sorted by name with length prefixes so no two different
// argument sets share an encoding. inputs is the ContextInputsDigest of the
// sources of a COPY/ADD (empty otherwise). The byte grammar is in
// docs/store-format.md.
//
// Everything that changes a step's result must be an argument; nothing else
// may be (no times, inode numbers, host user ids). Setting a field twice
// keeps the last value. Not thread-safe; cheap to copy.
class CacheKeyBuilder {
 public:
  CacheKeyBuilder(Digest parent_key, std::string kind);

  CacheKeyBuilder& String(std::string_view name, std::string_view value);
  CacheKeyBuilder& Bool(std::string_view name, bool value);
  // An ordered list (argv of a RUN in exec form, say): order matters.
  CacheKeyBuilder& List(std::string_view name, std::vector<std::string> values);
  // A map hashed sorted by key, so the order of the pairs does not matter;
  // for a repeated key the last pair wins (as with ENV). For RUN's env.
  CacheKeyBuilder& Map(std::string_view name,
                       const std::vector<std::pair<std::string, std::string>>& pairs);
  CacheKeyBuilder& Inputs(Digest inputs);

  // The key.
  Digest Build() const;
  // Every hashed field in a readable form, one per line, ending with the key;
  // two builds' preimages can be diffed to explain a miss.
  std::string Preimage() const;
  // The exact bytes hashed.
  std::string PreimageBytes() const;

 private:
  struct Field {
    char type;                       // 's' string, 'b' bool, 'l' list, 'm' map
    std::vector<std::string> items;  // string/bool: one; map: key, value, ...
  };

  Digest parent_;
  std::string kind_;
  std::map<std::string, Field, std::less<>> fields_;
  Digest inputs_;
};

}  // namespace strata::cache
