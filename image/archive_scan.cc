#include "image/archive_scan.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <optional>
#include <vector>

#include "common/path_clean.h"
#include "image/archive_locale.h"
#include "image/compression.h"

namespace strata::image::archive_internal {
namespace {

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

constexpr size_t kHeadSize = 16;
constexpr uint64_t kMaxKeptJson = 256 << 20;  // all kept documents together
constexpr int kMaxLinkHops = 16;

// Feeds libarchive from the (decompressed) input, keeping its errors.
struct Input {
  ByteSource* in = nullptr;
  std::vector<char> buffer = std::vector<char>(1 << 20);
  Status error;
  uint64_t total = 0;  // bytes given to libarchive

  static la_ssize_t Read(archive*, void* self, const void** block) {
    auto* input = static_cast<Input*>(self);
    Result<size_t> n = input->in->Read(input->buffer.data(), input->buffer.size());
    if (!n.ok()) {
      input->error = n.status();
      return -1;
    }
    *block = input->buffer.data();
    input->total += *n;
    return static_cast<la_ssize_t>(*n);
  }
};

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The archive's own documents, which are not blobs.
bool IsMetadata(const std::string& path) {
  if (path == "manifest.json" || path == "index.json" || path == "oci-layout" ||
      path == "repositories") {
    return true;
  }
  size_t slash = path.find('/');
  if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos) return false;
  std::string_view leaf = std::string_view(path).substr(slash + 1);
  return leaf == "json" || leaf == "VERSION";
}

// The digest an entry's name promises: blobs/<alg>/<hex> or <64 hex>.json.
std::optional<Digest> ExpectedDigest(const std::string& path) {
  if (path.rfind("blobs/", 0) == 0) {
    std::string rest = path.substr(6);
    size_t slash = rest.find('/');
    if (slash == std::string::npos) return std::nullopt;
    Result<Digest> d = Digest::Parse(rest.substr(0, slash) + ":" + rest.substr(slash + 1));
    if (d.ok()) return *d;
    return std::nullopt;
  }
  if (path.size() == 64 + 5 && path.ends_with(".json") && IsLowerHex(path.substr(0, 64))) {
    return Digest::Sha256FromHex(path.substr(0, 64));
  }
  return std::nullopt;
}

// The data of the current tar entry as a ByteSource, hashed as it is read.
class EntrySource : public ByteSource {
 public:
  EntrySource(archive* a, Input* input, std::string name, bool keep_json)
      : a_(a), input_(input), name_(std::move(name)), keep_json_(keep_json) {}

  Result<size_t> Read(void* buffer, size_t size) override {
    if (!error_.ok()) return error_;
    la_ssize_t n = archive_read_data(a_, buffer, size);
    if (n < 0) {
      if (!input_->error.ok()) {
        error_ = input_->error.Annotate("image archive: entry " + Quote(name_));
      } else {
        const char* msg = archive_error_string(a_);
        error_ = Status::Corruption("image archive: entry " + Quote(name_) +
                                    " is truncated or corrupt: " + (msg ? msg : "read failed"));
      }
      return error_;
    }
    auto bytes = std::string_view(static_cast<const char*>(buffer), static_cast<size_t>(n));
    if (hasher_.size() == 0 && !bytes.empty() && keep_json_) {
      size_t first = bytes.find_first_not_of(" \t\r\n");
      keep_json_ = first != std::string_view::npos && (bytes[first] == '{' || bytes[first] == '[');
      if (keep_json_) json_.emplace();
    }
    if (head_.size() < kHeadSize) head_.append(bytes.substr(0, kHeadSize - head_.size()));
    if (json_) json_->append(bytes);
    hasher_.Update(bytes);
    return static_cast<size_t>(n);
  }

  // Reads what the consumer left, so the digest covers the whole entry.
  Status Drain() {
    std::vector<char> buffer(64 * 1024);
    for (;;) {
      ASSIGN_OR_RETURN(size_t n, Read(buffer.data(), buffer.size()));
      if (n == 0) return Status::OK();
    }
  }

  const Status& error() const { return error_; }
  ScannedFile Finish() {
    ScannedFile file;
    file.size = hasher_.size();
    file.digest = hasher_.Finish();
    file.head = std::move(head_);
    file.json = std::move(json_);
    return file;
  }

 private:
  archive* a_;
  Input* input_;
  std::string name_;
  bool keep_json_;
  Sha256Hasher hasher_;
  std::string head_;
  std::optional<std::string> json_;
  Status error_;
};

Status DigestMismatch(const std::string& name, const Digest& expected, const Digest& got) {
  return Status::Corruption("image archive: entry " + Quote(name) + " should hash to " +
                            expected.ToString() + " but its bytes hash to " + got.ToString() +
                            "; the archive is damaged, save it again");
}

class Scanner {
 public:
  explicit Scanner(ArchiveSink& sink) : sink_(sink) {}

  Result<ScannedArchive> Run(ByteSource* in) {
    ScopedArchiveLocale names(ScopedArchiveLocale::Use::kRead);
    std::unique_ptr<ByteSource> plain = NewDecompressingSource(in);
    input_.in = plain.get();
    std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open(a.get(), &input_, nullptr, &Input::Read, nullptr) != ARCHIVE_OK) {
      return TarError(a.get());
    }
    for (;;) {
      archive_entry* entry = nullptr;
      int r = archive_read_next_header(a.get(), &entry);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return TarError(a.get());  // RETRY: damaged
      TRY(Entry(a.get(), entry));
      ++entries_;
    }
    if (entries_ == 0 && input_.total == 0) return Empty();
    if (entries_ == 0) {
      return Status::InvalidArgument(
          "image archive has no entries; give a tar written by `docker save`, `strata image save` "
          "or "
          "skopeo");
    }
    return std::move(result_);
  }

 private:
  static Status Empty() {
    return Status::InvalidArgument(
        "image archive is empty; give a tar written by `docker save`, `strata image save` or "
        "skopeo");
  }

  Status TarError(archive* a) {
    if (!input_.error.ok()) return input_.error.Annotate("image archive");
    if (entries_ == 0 && input_.total == 0) return Empty();
    const char* msg = archive_error_string(a);
    std::string detail = msg ? msg : "unknown libarchive error";
    if (entries_ == 0) {
      return Status::InvalidArgument("image archive is not a tar (" + detail +
                                     "); give a tar written by `docker save`, `strata image "
                                     "save` or skopeo, plain or compressed");
    }
    return Status::Corruption("image archive is truncated or corrupt after entry " +
                              Quote(last_name_) + ": " + detail);
  }

  Status Entry(archive* a, archive_entry* entry) {
    const char* raw = archive_entry_pathname(entry);
    std::string raw_name = raw ? raw : "";
    ASSIGN_OR_RETURN(std::string name, CleanPath(raw_name, "entry", /*allow_dotdot=*/false));
    last_name_ = raw_name;
    result_.files.erase(name);  // a later entry replaces an earlier one of the same name
    if (const char* target = archive_entry_hardlink(entry)) {
      ASSIGN_OR_RETURN(result_.links[name],
                       CleanPath(target, "hard link target of " + name, false));
      return Status::OK();
    }
    switch (archive_entry_filetype(entry)) {
      case AE_IFREG:
        break;
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        std::string t = target ? target : "";
        size_t slash = name.rfind('/');
        std::string dir = slash == std::string::npos ? "" : name.substr(0, slash + 1);
        if (!t.empty() && t.front() == '/') {
          return Status::InvalidArgument("image archive: symlink " + Quote(name) + " -> " +
                                         Quote(t) + " points outside the archive; refusing it");
        }
        ASSIGN_OR_RETURN(result_.links[name],
                         CleanPath(dir + t, "symlink target of " + name, true));
        return Status::OK();
      }
      default:
        return Status::OK();  // directories and anything else carry no data
    }
    uint64_t size = static_cast<uint64_t>(archive_entry_size(entry));
    bool metadata = IsMetadata(name);
    if (metadata && size > kMaxJsonSize) {
      return Status::InvalidArgument("image archive: " + Quote(name) + " is " +
                                     std::to_string(size) + " bytes, more than the " +
                                     std::to_string(kMaxJsonSize) + " allowed for it");
    }
    bool keep_json = size <= kMaxJsonSize && kept_json_ + size <= kMaxKeptJson;
    EntrySource source(a, &input_, name, keep_json);
    std::optional<Digest> expected = metadata ? std::nullopt : ExpectedDigest(name);
    if (metadata) {
      TRY(source.Drain());
    } else {
      Result<Digest> stored = sink_.PutBlob(source, expected);
      Status drained = source.Drain();
      if (!source.error().ok()) return source.error();
      TRY(drained);
      ScannedFile file = source.Finish();
      if (expected && expected->algorithm() == "sha256" && file.digest != *expected) {
        return DigestMismatch(raw_name, *expected, file.digest);
      }
      if (!stored.ok()) {
        return stored.status().Annotate("image archive: storing entry " + Quote(name));
      }
      if (*stored != file.digest) {
        return Status::Internal("image archive: the blob sink stored entry " + Quote(name) +
                                " as " + stored->ToString() + " but it hashes to " +
                                file.digest.ToString());
      }
      file.in_sink = true;
      return Keep(name, std::move(file));
    }
    return Keep(name, source.Finish());
  }

  Status Keep(const std::string& name, ScannedFile file) {
    if (file.json) kept_json_ += file.json->size();
    result_.links.erase(name);
    result_.files[name] = std::move(file);
    return Status::OK();
  }

  ArchiveSink& sink_;
  Input input_;
  ScannedArchive result_;
  size_t entries_ = 0;
  uint64_t kept_json_ = 0;
  std::string last_name_;
};

}  // namespace

Result<std::string> CleanPath(const std::string& path, const std::string& what, bool allow_dotdot) {
  if (!path.empty() && path.front() == '/') {
    return Status::InvalidArgument("image archive: " + what + " " + Quote(path) +
                                   " is an absolute path; an image archive holds only relative "
                                   "names, so this is not a valid image archive");
  }
  // Entry names may not hold ".." at all; link targets may, as long as they
  // stay inside the archive.
  std::optional<std::string> clean;
  if (allow_dotdot || !HasDotDotElement(path)) clean = CleanPathInside(path);
  if (!clean) {
    return Status::InvalidArgument("image archive: " + what + " " + Quote(path) +
                                   " has a '..' component" +
                                   (allow_dotdot ? " that climbs out of the archive" : "") +
                                   "; a valid image archive has none, refusing it");
  }
  return *clean;
}

const ScannedFile* ScannedArchive::Find(const std::string& path) const {
  std::string current = path;
  for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
    auto file = files.find(current);
    if (file != files.end()) return &file->second;
    auto link = links.find(current);
    if (link == links.end()) return nullptr;
    current = link->second;
  }
  return nullptr;
}

Result<ScannedArchive> ScanArchive(ByteSource* in, ArchiveSink& sink) {
  return Scanner(sink).Run(in);
}

}  // namespace strata::image::archive_internal
