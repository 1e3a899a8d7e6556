#include "image/layer_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "image/archive_locale.h"

namespace strata::image {
namespace {

constexpr size_t kCopyBuffer = 1 << 20;

mode_t TypeBits(EntryType type) {
  switch (type) {
    case EntryType::kRegular:
    case EntryType::kHardlink:
      return AE_IFREG;
    case EntryType::kDirectory:
      return AE_IFDIR;
    case EntryType::kSymlink:
      return AE_IFLNK;
    case EntryType::kCharDevice:
      return AE_IFCHR;
    case EntryType::kBlockDevice:
      return AE_IFBLK;
    case EntryType::kFifo:
      return AE_IFIFO;
  }
  return AE_IFREG;
}

}  // namespace

struct LayerWriter::Impl {
  ByteSink* out;
  LayerWriterOptions options;
  archive* a = nullptr;
  archive_entry* entry = nullptr;
  Status sink_error;  // first error of the sink, kept across libarchive
  std::vector<char> buffer;

  static la_ssize_t WriteCallback(archive*, void* self, const void* data, size_t size) {
    Impl* impl = static_cast<Impl*>(self);
    Status s = impl->out->Write(data, size);
    if (!s.ok()) {
      if (impl->sink_error.ok()) impl->sink_error = s;
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  Status ArchiveError(std::string_view what, const std::string& path) {
    if (!sink_error.ok()) return sink_error;
    const char* msg = archive_error_string(a);
    return Status::IOError("tar: cannot write " + std::string(what) + " of " + path + ": " +
                           (msg ? msg : "unknown libarchive error"));
  }

  Status CopyFile(const LayerEntry& e) {
    int fd = ::open(e.source_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      return Status::IOError("tar: cannot open " + e.source_path + ": " + std::strerror(errno));
    }
    if (buffer.empty()) buffer.resize(kCopyBuffer);
    uint64_t left = e.size;
    Status status;
    while (left > 0) {
      ssize_t n = ::read(fd, buffer.data(), std::min<uint64_t>(left, buffer.size()));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = Status::IOError("tar: cannot read " + e.source_path + ": " + std::strerror(errno));
        break;
      }
      if (n == 0) {
        status = Status::IOError("tar: " + e.source_path + " shrank while it was being archived (" +
                                 std::to_string(left) + " bytes missing); retry the step");
        break;
      }
      if (archive_write_data(a, buffer.data(), static_cast<size_t>(n)) != n) {
        status = ArchiveError("data", e.path);
        break;
      }
      left -= static_cast<uint64_t>(n);
    }
    ::close(fd);
    return status;
  }
};

LayerWriter::LayerWriter(ByteSink* out, LayerWriterOptions options)
    : impl_(std::make_unique<Impl>()) {
  archive_internal::ScopedArchiveLocale names(archive_internal::ScopedArchiveLocale::Use::kWrite);
  impl_->out = out;
  impl_->options = options;
  impl_->a = archive_write_new();
  impl_->entry = archive_entry_new();
  archive_write_set_format_pax_restricted(impl_->a);
  // Go's archive/tar (and so Docker) writes xattrs as SCHILY.xattr.* only.
  archive_write_set_format_option(impl_->a, "pax", "xattrheader", "SCHILY");
  archive_write_set_bytes_per_block(impl_->a, 64 * 1024);
  archive_write_set_bytes_in_last_block(impl_->a, 1);
  archive_write_open2(impl_->a, impl_.get(), nullptr, &Impl::WriteCallback, nullptr, nullptr);
}

LayerWriter::~LayerWriter() {
  archive_entry_free(impl_->entry);
  archive_write_free(impl_->a);  // closes if Finish was not called
}

Status LayerWriter::Add(const LayerEntry& e) {
  if (e.path.empty() || e.path.front() == '/') {
    return Status::InvalidArgument("tar: entry path \"" + e.path + "\" must be relative");
  }
  for (const std::string* name : {&e.path, &e.link_target}) {
    if (archive_internal::HasEncodedSurrogate(*name)) {
      return Status::InvalidArgument(
          "tar: cannot write \"" + *name +
          "\" byte for byte: it holds a UTF-16 surrogate in 3-byte (CESU-8) form, which "
          "libarchive rewrites; rename the file");
    }
  }
  archive_internal::ScopedArchiveLocale names(archive_internal::ScopedArchiveLocale::Use::kWrite);
  archive_entry* ae = impl_->entry;
  archive_entry_clear(ae);
  std::string name = e.type == EntryType::kDirectory ? e.path + "/" : e.path;
  // The multibyte setters: the bytes as they are (see archive_locale.h).
  archive_entry_copy_pathname(ae, name.c_str());
  archive_entry_set_mode(ae, TypeBits(e.type) | (e.mode & 07777));
  archive_entry_set_uid(ae, e.uid);
  archive_entry_set_gid(ae, e.gid);
  int64_t mtime = e.mtime;
  if (impl_->options.source_date_epoch && mtime > *impl_->options.source_date_epoch) {
    mtime = *impl_->options.source_date_epoch;
  }
  archive_entry_set_mtime(ae, mtime, 0);
  uint64_t size = 0;
  switch (e.type) {
    case EntryType::kRegular:
      size = e.content ? e.content->size() : e.size;
      break;
    case EntryType::kHardlink:
      archive_entry_copy_hardlink(ae, e.link_target.c_str());
      break;
    case EntryType::kSymlink:
      archive_entry_copy_symlink(ae, e.link_target.c_str());
      break;
    case EntryType::kCharDevice:
    case EntryType::kBlockDevice:
      archive_entry_set_rdevmajor(ae, e.dev_major);
      archive_entry_set_rdevminor(ae, e.dev_minor);
      break;
    default:
      break;
  }
  archive_entry_set_size(ae, static_cast<la_int64_t>(size));
  for (const auto& [key, value] : e.xattrs) {
    archive_entry_xattr_add_entry(ae, key.c_str(), value.data(), value.size());
  }
  // ARCHIVE_WARN: a name that is not UTF-8 went in with hdrcharset=BINARY,
  // bytes unchanged; the header is written.
  if (archive_write_header(impl_->a, ae) < ARCHIVE_WARN) return impl_->ArchiveError("header", e.path);
  if (e.type != EntryType::kRegular || size == 0) return Status::OK();
  if (e.content) {
    la_ssize_t n = archive_write_data(impl_->a, e.content->data(), e.content->size());
    if (n != static_cast<la_ssize_t>(e.content->size())) return impl_->ArchiveError("data", e.path);
    return Status::OK();
  }
  return impl_->CopyFile(e);
}

Status LayerWriter::Finish() {
  archive_internal::ScopedArchiveLocale names(archive_internal::ScopedArchiveLocale::Use::kWrite);
  if (archive_write_close(impl_->a) != ARCHIVE_OK) return impl_->ArchiveError("end", "archive");
  return Status::OK();
}

Status WriteTar(std::vector<LayerEntry> entries, const LayerWriterOptions& options,
                ByteSink* out) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const LayerEntry& a, const LayerEntry& b) { return PathLess(a.path, b.path); });
  LayerWriter writer(out, options);
  for (const LayerEntry& e : entries) TRY(writer.Add(e));
  return writer.Finish();
}

}  // namespace strata::image
