#pragma once

// Test helpers for the image archive tests: an in-memory blob store that
// is both the writer's source and the reader's sink, a tiny image built
// into it, and a tar built from named files. Test-only.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "image/archive_reader.h"
#include "image/archive_writer.h"
#include "image/compression.h"
#include "image/layer_entry.h"

namespace strata::image::testing {

class MemoryBlobStore : public ArchiveBlobSource, public ArchiveSink {
 public:
  Result<std::unique_ptr<ByteSource>> Open(const Digest& digest) override;
  Result<uint64_t> Size(const Digest& digest) override;
  // Stores what `data` yields; refuses (Corruption) bytes that do not
  // match `expected`.
  Result<Digest> PutBlob(ByteSource& data, std::optional<Digest> expected) override;

  // Stores `bytes` directly and returns their digest.
  Digest Put(const std::string& bytes);
  bool Has(const Digest& digest) const { return blobs_.count(digest) > 0; }
  const std::string& Get(const Digest& digest) const { return blobs_.at(digest); }
  size_t size() const { return blobs_.size(); }
  // Replaces a blob's bytes (to simulate a damaged store).
  void Corrupt(const Digest& digest, std::string bytes) { blobs_[digest] = std::move(bytes); }
  // How many PutBlob calls were made.
  int puts() const { return puts_; }

 private:
  std::map<Digest, std::string> blobs_;
  int puts_ = 0;
};

// Builds an image whose layers hold the given files (path -> content, one
// layer per map) with `compression`, stores all its blobs in `store` and
// returns it with `tags`.
ArchiveImage MakeImage(MemoryBlobStore& store,
                       const std::vector<std::map<std::string, std::string>>& layers,
                       const std::vector<std::string>& tags,
                       Compression compression = Compression::kGzip,
                       const std::string& cmd = "/bin/true");

// A plain tar of regular files, written in the order given.
std::string MakeTar(const std::vector<std::pair<std::string, std::string>>& files);

// A tar from explicit entries (links, odd names), written in the order given.
std::string MakeTarEntries(const std::vector<LayerEntry>& entries);

// 1,024 bytes found by archive_fuzz: a symlink entry, then a damaged header
// that libarchive answers with ARCHIVE_RETRY and a null name.
std::string DamagedHeaderTar();

}  // namespace strata::image::testing
