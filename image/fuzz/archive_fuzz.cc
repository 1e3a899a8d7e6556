// libFuzzer target: the archive readers must accept or refuse any bytes
// cleanly (docs/fuzzing.md). The first byte chooses the reader, the rest is
// the archive:
//   0  ImportTarAsLayer   (`image import`)
//   1  ReadImageArchive   (`image load`)
//   2  ExtractLayer       (ADD of a local tar, and layer unpacking) into a
//      fresh directory, removed afterwards
// Invariants: no crash or sanitizer report; an error has a message; a loaded
// image only references blobs handed to the sink; extraction writes nothing
// beside its root (the parent directory holds only the root afterwards).

#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <system_error>

#include "image/archive_reader.h"
#include "image/byte_sink.h"
#include "image/byte_source.h"
#include "image/digest.h"
#include "image/layer_extract.h"
#include "image/tar_import.h"

namespace {

namespace fs = std::filesystem;
using strata::Digest;
using strata::Result;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Hashes what it is given and remembers the digests.
class DigestSink : public strata::image::ArchiveSink {
 public:
  Result<Digest> PutBlob(strata::image::ByteSource& data, std::optional<Digest>) override {
    strata::Sha256Hasher hasher;
    char buffer[16384];
    while (true) {
      ASSIGN_OR_RETURN(size_t n, data.Read(buffer, sizeof buffer));
      if (n == 0) break;
      hasher.Update(buffer, n);
    }
    Digest digest = hasher.Finish();
    stored_.insert(digest);
    return digest;
  }
  bool Has(const Digest& digest) const { return stored_.count(digest) > 0; }

 private:
  std::set<Digest> stored_;
};

void Import(std::string bytes, uint8_t mode) {
  strata::image::StringSource in(std::move(bytes));
  strata::image::NullSink out;
  auto compression =
      (mode & 0x10) ? strata::image::Compression::kGzip : strata::image::Compression::kNone;
  strata::image::CompressionOptions options;
  options.gzip_level = 0;
  Result<strata::image::LayerResult> layer =
      strata::image::ImportTarAsLayer(&in, compression, &out, options);
  if (!layer.ok()) Check(!layer.status().message().empty());
}

void Load(std::string bytes) {
  strata::image::StringSource in(std::move(bytes));
  DigestSink sink;
  Result<std::vector<strata::image::LoadedImage>> images =
      strata::image::ReadImageArchive(&in, sink);
  if (!images.ok()) {
    Check(!images.status().message().empty());
    return;
  }
  for (const auto& image : *images) {
    Check(sink.Has(image.manifest.digest));
    Check(sink.Has(image.config));
    for (const auto& layer : image.layers) Check(sink.Has(layer.digest));
  }
}

// The directory every extraction happens under; made once per process.
const std::string& Parent() {
  static const std::string* parent = [] {
    char tmpl[] = "/tmp/archive_fuzz.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) __builtin_trap();
    atexit([] { rmdir(Parent().c_str()); });  // empty after every input
    return new std::string(tmpl);
  }();
  return *parent;
}

// The names in the parent directory.
std::set<std::string> Entries() {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(Parent())) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

void Extract(std::string bytes, uint8_t mode) {
  const std::string root = Parent() + "/root";
  Check(fs::create_directory(root));
  strata::image::StringSource in(std::move(bytes));
  strata::image::ExtractOptions options;
  options.restore_ownership = (mode & 0x10) != 0;
  Result<strata::image::ExtractResult> result = strata::image::ExtractLayer(&in, root, options);
  if (!result.ok()) Check(!result.status().message().empty());
  // Nothing was written beside the root.
  Check(Entries() == std::set<std::string>{"root"});
  // Directories left without write or search permission still go: root
  // needs none, and remove_all never follows a symlink.
  std::error_code ec;
  fs::remove_all(root, ec);
  Check(!ec);
  Check(Entries().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (mode % 3) {
    case 0:
      Import(std::move(bytes), mode);
      break;
    case 1:
      Load(std::move(bytes));
      break;
    default:
      Extract(std::move(bytes), mode);
      break;
  }
  return 0;
}
