#include "image/tar_import.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/path_clean.h"
#include "image/archive_locale.h"
#include "image/layer_sink.h"

namespace strata::image {
namespace {

// Feeds libarchive from the decompressed stream and tees every byte into the
// layer sink, so checking and writing are one pass.
struct Tee {
  ByteSource* in = nullptr;
  ByteSink* out = nullptr;
  std::vector<char> buffer = std::vector<char>(1 << 20);
  Status error;
  bool eof = false;
};

la_ssize_t TeeRead(struct archive*, void* data, const void** block) {
  auto* tee = static_cast<Tee*>(data);
  Result<size_t> n = tee->in->Read(tee->buffer.data(), tee->buffer.size());
  if (!n.ok()) {
    tee->error = n.status();
    return -1;
  }
  if (*n == 0) tee->eof = true;
  Status s = tee->out->Write(tee->buffer.data(), *n);
  if (!s.ok()) {
    tee->error = s;
    return -1;
  }
  *block = tee->buffer.data();
  return static_cast<la_ssize_t>(*n);
}

// libarchive's strings (entry names, error messages) may be null.
std::string Text(const char* s, const char* fallback) { return s ? s : fallback; }

// "./a/b/" -> "a/b"; fails on absolute names and ".." components.
Result<std::string> CleanName(const std::string& raw, const char* what) {
  if (!raw.empty() && raw[0] == '/') {
    return Status::InvalidArgument(std::string(what) + " \"" + raw +
                                   "\" is an absolute path; a layer holds only relative names");
  }
  // Any ".." is refused, even one that stays inside ("a/../b"): it may pass
  // through a symlink made earlier in the same tar, which a lexical clean
  // cannot see.
  if (HasDotDotElement(raw)) {
    return Status::InvalidArgument(std::string(what) + " \"" + raw +
                                   "\" has a '..' component that would escape the root");
  }
  std::string clean = CleanPath(raw);
  return clean == "." ? std::string() : clean;
}

class EntryChecker {
 public:
  Status Check(struct archive_entry* entry) {
    const char* name = archive_entry_pathname(entry);
    ASSIGN_OR_RETURN(std::string path, CleanName(name ? name : "", "entry"));
    // Is any parent of `path` a symlink this archive made?
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      std::string parent = path.substr(0, slash);
      if (symlinks_.count(parent)) {
        return Status::InvalidArgument("entry \"" + path + "\" is written through the symlink \"" +
                                       parent +
                                       "\" made earlier in the archive; that could write "
                                       "outside the image root");
      }
    }
    if (const char* target = archive_entry_hardlink(entry)) {
      ASSIGN_OR_RETURN(std::string link, CleanName(target, "hard link target"));
      if (!seen_.count(link)) {
        return Status::InvalidArgument("hard link \"" + path + "\" points to \"" + link +
                                       "\", which is not an earlier entry of the archive");
      }
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
      symlinks_.insert(path);
    } else {
      symlinks_.erase(path);  // replaced by a file or directory
    }
    seen_.insert(path);
    return Status::OK();
  }
  size_t entries() const { return seen_.size(); }

 private:
  std::set<std::string> symlinks_;
  std::set<std::string> seen_;
};

}  // namespace

Result<LayerResult> ImportTarAsLayer(ByteSource* in, Compression compression, ByteSink* out,
                                     const CompressionOptions& options) {
  archive_internal::ScopedArchiveLocale names(archive_internal::ScopedArchiveLocale::Use::kRead);
  std::unique_ptr<ByteSource> plain = NewDecompressingSource(in);

  // On failure `layer` is destroyed unclosed: its threads stop and `out` is
  // left open for the caller to discard.
  LayerSink layer(compression, out, options);

  Tee tee;
  tee.in = plain.get();
  tee.out = &layer;
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                              archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open(a.get(), &tee, nullptr, TeeRead, nullptr) != ARCHIVE_OK) {
    if (!tee.error.ok()) return tee.error;
    return Status::InvalidArgument(std::string("not a tar archive: ") +
                                   Text(archive_error_string(a.get()), "unknown format") +
                                   "; give a tarball (plain, gzip or zstd) of a root file system");
  }
  EntryChecker checker;
  struct archive_entry* entry = nullptr;
  for (;;) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {  // ARCHIVE_RETRY too: a damaged header
      if (!tee.error.ok()) return tee.error;
      return Status::Corruption(
          std::string("corrupt tar after ") + std::to_string(checker.entries()) +
          " entries: " + Text(archive_error_string(a.get()), "unreadable header"));
    }
    TRY(checker.Check(entry));
    if (archive_read_data_skip(a.get()) < ARCHIVE_WARN) {
      if (!tee.error.ok()) return tee.error;
      return Status::Corruption(std::string("corrupt tar at entry \"") +
                                Text(archive_entry_pathname(entry), "") +
                                "\": " + Text(archive_error_string(a.get()), "unreadable data"));
    }
  }
  if (checker.entries() == 0) {
    return Status::InvalidArgument(
        "the tar archive has no entries; give a tarball of a root file system");
  }
  // The tar's end-of-archive padding that libarchive did not ask for.
  while (!tee.eof) {
    const void* block;
    if (TeeRead(a.get(), &tee, &block) < 0) return tee.error;
  }
  TRY(layer.Close());
  return layer.Finish();
}

}  // namespace strata::image
