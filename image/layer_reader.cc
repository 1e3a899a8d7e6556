#include "image/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <vector>

#include "image/archive_locale.h"

namespace strata::image {

struct LayerReader::Impl {
  std::unique_ptr<ByteSource> source;
  Sha256Hasher hasher;
  Status source_error;
  std::vector<char> buffer = std::vector<char>(256 * 1024);
  archive* a = nullptr;
  archive_entry* entry = nullptr;
  bool finished = false;

  static la_ssize_t ReadCallback(archive*, void* self, const void** data) {
    Impl* impl = static_cast<Impl*>(self);
    Result<size_t> n = impl->source->Read(impl->buffer.data(), impl->buffer.size());
    if (!n.ok()) {
      if (impl->source_error.ok()) impl->source_error = n.status();
      return -1;
    }
    impl->hasher.Update(impl->buffer.data(), *n);
    *data = impl->buffer.data();
    return static_cast<la_ssize_t>(*n);
  }

  Status Error(std::string_view what) {
    if (!source_error.ok()) return source_error;
    const char* msg = archive_error_string(a);
    return Status::Corruption("layer tar: " + std::string(what) + ": " +
                              (msg ? msg : "unknown libarchive error"));
  }
};

LayerReader::LayerReader(ByteSource* in) : impl_(std::make_unique<Impl>()) {
  archive_internal::ScopedArchiveLocale names(archive_internal::ScopedArchiveLocale::Use::kRead);
  impl_->source = NewDecompressingSource(in);
  impl_->a = archive_read_new();
  archive_read_support_format_tar(impl_->a);
  archive_read_open(impl_->a, impl_.get(), nullptr, &Impl::ReadCallback, nullptr);
}

LayerReader::~LayerReader() { archive_read_free(impl_->a); }

Result<bool> LayerReader::Next(LayerEntry* out) {
  if (impl_->finished) return false;
  archive_internal::ScopedArchiveLocale names(archive_internal::ScopedArchiveLocale::Use::kRead);
  archive_entry* ae = nullptr;
  int rc = archive_read_next_header(impl_->a, &ae);
  if (rc == ARCHIVE_EOF) {
    // Hash whatever follows the end-of-archive blocks, as the diff_id covers
    // the whole stream.
    while (true) {
      ASSIGN_OR_RETURN(size_t n, impl_->source->Read(impl_->buffer.data(), impl_->buffer.size()));
      if (n == 0) break;
      impl_->hasher.Update(impl_->buffer.data(), n);
    }
    impl_->finished = true;
    uncompressed_size_ = impl_->hasher.size();
    diff_id_ = impl_->hasher.Finish();
    return false;
  }
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {  // ARCHIVE_RETRY too: a damaged header
    return impl_->Error("cannot read entry header");
  }
  *out = LayerEntry();
  // The stored bytes, never converted (see archive_locale.h). rc is
  // ARCHIVE_WARN when a non-ASCII name was kept as it is.
  const char* name = archive_entry_pathname(ae);
  std::string path = name ? name : "";
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  out->path = std::move(path);
  out->mode = archive_entry_perm(ae) & 07777;
  out->uid = static_cast<uint32_t>(archive_entry_uid(ae));
  out->gid = static_cast<uint32_t>(archive_entry_gid(ae));
  out->mtime = archive_entry_mtime(ae);
  const char* hardlink = archive_entry_hardlink(ae);
  if (hardlink != nullptr) {
    out->type = EntryType::kHardlink;
    out->link_target = hardlink;
    while (out->link_target.rfind("./", 0) == 0) out->link_target.erase(0, 2);
  } else {
    switch (archive_entry_filetype(ae)) {
      case AE_IFDIR:
        out->type = EntryType::kDirectory;
        break;
      case AE_IFLNK:
        out->type = EntryType::kSymlink;
        out->link_target = archive_entry_symlink(ae) ? archive_entry_symlink(ae) : "";
        break;
      case AE_IFCHR:
        out->type = EntryType::kCharDevice;
        break;
      case AE_IFBLK:
        out->type = EntryType::kBlockDevice;
        break;
      case AE_IFIFO:
        out->type = EntryType::kFifo;
        break;
      case AE_IFREG:
        out->type = EntryType::kRegular;
        out->size = static_cast<uint64_t>(archive_entry_size(ae));
        break;
      default:
        return Status::Corruption("layer tar: entry \"" + out->path + "\" has an unsupported type");
    }
  }
  if (out->type == EntryType::kCharDevice || out->type == EntryType::kBlockDevice) {
    out->dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(ae));
    out->dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(ae));
  }
  archive_entry_xattr_reset(ae);
  const char* xname;
  const void* xvalue;
  size_t xsize;
  while (archive_entry_xattr_next(ae, &xname, &xvalue, &xsize) == ARCHIVE_OK) {
    out->xattrs[xname] = std::string(static_cast<const char*>(xvalue), xsize);
  }
  return true;
}

Result<size_t> LayerReader::ReadData(void* buffer, size_t size) {
  la_ssize_t n = archive_read_data(impl_->a, buffer, size);
  if (n < 0) return impl_->Error("cannot read entry data");
  return static_cast<size_t>(n);
}

Result<std::vector<LayerEntry>> ReadLayerEntries(ByteSource* in) {
  LayerReader reader(in);
  std::vector<LayerEntry> entries;
  std::vector<char> buf(64 * 1024);
  while (true) {
    LayerEntry e;
    ASSIGN_OR_RETURN(bool more, reader.Next(&e));
    if (!more) break;
    if (e.type == EntryType::kRegular) {
      std::string content;
      while (true) {
        ASSIGN_OR_RETURN(size_t n, reader.ReadData(buf.data(), buf.size()));
        if (n == 0) break;
        content.append(buf.data(), n);
      }
      e.content = std::move(content);
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace strata::image
