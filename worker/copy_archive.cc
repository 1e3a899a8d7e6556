#include "worker/copy_archive.h"

#include <memory>

#include "image/byte_source.h"
#include "image/compression.h"
#include "image/layer_extract.h"

namespace strata::worker {

// Whether the first 512 bytes (after decompression) are a tar header with
// a valid checksum, as Docker's archive detection decides.
bool IsTarArchive(const std::string& path) {
  Result<std::unique_ptr<image::FileSource>> file = image::FileSource::Open(path);
  if (!file.ok()) return false;
  std::unique_ptr<image::ByteSource> plain = image::NewDecompressingSource(file->get());
  unsigned char header[512];
  size_t have = 0;
  while (have < sizeof(header)) {
    Result<size_t> n = plain->Read(header + have, sizeof(header) - have);
    if (!n.ok() || *n == 0) return false;
    have += *n;
  }
  unsigned long stored = 0;
  bool digits = false;
  for (int i = 148; i < 156; ++i) {
    if (header[i] >= '0' && header[i] <= '7') {
      stored = stored * 8 + (header[i] - '0');
      digits = true;
    } else if (digits) {
      break;
    }
  }
  unsigned long sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : header[i];
  return digits && sum == stored;
}

Status ExtractArchiveInto(const std::string& archive, const std::string& dir,
                          const std::optional<std::pair<uid_t, gid_t>>& owner) {
  ASSIGN_OR_RETURN(std::unique_ptr<image::FileSource> file, image::FileSource::Open(archive));
  image::ExtractOptions options;
  if (owner) options.owner = *owner;
  return image::ExtractArchive(file.get(), dir, options).status();
}

}  // namespace strata::worker
