#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cache/records.h"
#include "common/result.h"

namespace strata::cache {

// Byte encodings of the metadata store's values. Every value starts with a
// version byte; the grammar of each version is in docs/store-format.md and
// a version, once released, is never changed. Decoders reject unknown
// versions and trailing bytes with Corruption.
inline constexpr uint8_t kRecordVersion = 1;
// CacheEntry is written in version 2 (its layer carries its uncompressed
// size), ImageRecord in version 3 (version 2's uncompressed layer sizes plus
// RepoDigests). Older values still decode: uncompressed_size 0 ("unknown"),
// no repo_digests.
inline constexpr uint8_t kImageRecordVersion = 3;
inline constexpr uint8_t kCacheEntryVersion = 2;

std::string EncodeImage(const ImageRecord& record);
Result<ImageRecord> DecodeImage(std::string_view bytes);

std::string EncodeCacheEntry(const CacheEntry& entry);
Result<CacheEntry> DecodeCacheEntry(std::string_view bytes);

std::string EncodeBuild(const BuildRecord& record);
Result<BuildRecord> DecodeBuild(std::string_view bytes);

// Values of the `tags` column family: the image id a reference points at.
std::string EncodeTag(const Digest& image_id);
Result<Digest> DecodeTag(std::string_view bytes);

// Values of `blobrefs` and of `meta` entries: one unsigned number.
std::string EncodeCount(uint64_t count);
Result<uint64_t> DecodeCount(std::string_view bytes);

}  // namespace strata::cache
