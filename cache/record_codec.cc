#include "cache/record_codec.h"

#include <vector>

namespace strata::cache {

namespace {

class Writer {
 public:
  explicit Writer(uint8_t version) { out_.push_back(static_cast<char>(version)); }
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void I64(int64_t v) { Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Str(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Dig(const Digest& d) { Str(d.ToString()); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads fields in order; the first failure sticks and later reads return
// zero values, so decoders check `status()` once at the end.
class Reader {
 public:
  // Accepts versions 1 through `newest`.
  Reader(std::string_view in, const char* what, uint8_t newest = kRecordVersion)
      : in_(in), what_(what) {
    version_ = U8();
    if (ok_ && (version_ < 1 || version_ > newest)) {
      Fail("version " + std::to_string(version_) + " is not known to this strata (knows 1 to " +
           std::to_string(newest) + "); upgrade strata to read this store");
    }
  }
  uint8_t version() const { return version_; }
  uint8_t U8() {
    if (!ok_) return 0;
    if (pos_ >= in_.size()) return Fail("truncated"), 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = U8();
      if (!ok_) return 0;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    Fail("varint longer than 10 bytes");
    return 0;
  }
  int64_t I64() {
    uint64_t z = Varint();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string Str() {
    uint64_t n = Varint();
    if (!ok_) return {};
    if (n > in_.size() - pos_) return Fail("string runs past the end"), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  Digest Dig() {
    std::string s = Str();
    if (!ok_ || s.empty()) return Digest();
    auto d = Digest::Parse(s);
    if (!d.ok()) return Fail(d.status().message()), Digest();
    return *d;
  }
  bool ok() const { return ok_; }
  Status Finish() {
    if (ok_ && pos_ != in_.size()) Fail(std::to_string(in_.size() - pos_) + " trailing bytes");
    return status_;
  }

 private:
  void Fail(const std::string& why) {
    if (!ok_) return;
    ok_ = false;
    status_ = Status::Corruption(std::string("cannot decode ") + what_ + " record: " + why +
                                 "; run `strata system fsck`");
  }
  std::string_view in_;
  const char* what_;
  size_t pos_ = 0;
  uint8_t version_ = 0;
  bool ok_ = true;
  Status status_;
};

}  // namespace

std::string EncodeImage(const ImageRecord& r) {
  Writer w(kImageRecordVersion);
  w.Dig(r.id);
  w.Dig(r.manifest_digest);
  w.Str(r.manifest_media_type);
  w.Dig(r.config_digest);
  w.Str(r.config_media_type);
  w.Varint(r.layers.size());
  for (const LayerRecord& l : r.layers) {
    w.Dig(l.digest);
    w.Dig(l.diff_id);
    w.Varint(l.size);
    w.Str(l.media_type);
    w.Varint(l.uncompressed_size);
  }
  w.I64(r.created_unix_nanos);
  w.Varint(r.total_size);
  w.Str(r.platform);
  w.Varint(r.repo_digests.size());
  for (const std::string& d : r.repo_digests) w.Str(d);
  return w.Take();
}

Result<ImageRecord> DecodeImage(std::string_view bytes) {
  Reader rd(bytes, "image", kImageRecordVersion);
  ImageRecord r;
  r.id = rd.Dig();
  r.manifest_digest = rd.Dig();
  r.manifest_media_type = rd.Str();
  r.config_digest = rd.Dig();
  r.config_media_type = rd.Str();
  uint64_t layers = rd.Varint();
  for (uint64_t i = 0; i < layers && rd.ok(); ++i) {
    LayerRecord l;
    l.digest = rd.Dig();
    l.diff_id = rd.Dig();
    l.size = rd.Varint();
    l.media_type = rd.Str();
    if (rd.version() >= 2) l.uncompressed_size = rd.Varint();
    r.layers.push_back(std::move(l));
  }
  r.created_unix_nanos = rd.I64();
  r.total_size = rd.Varint();
  r.platform = rd.Str();
  if (rd.version() >= 3) {
    uint64_t digests = rd.Varint();
    for (uint64_t i = 0; i < digests && rd.ok(); ++i) r.repo_digests.push_back(rd.Str());
  }
  TRY(rd.Finish());
  return r;
}

std::string EncodeCacheEntry(const CacheEntry& e) {
  Writer w(kCacheEntryVersion);
  w.Dig(e.key);
  w.Str(e.ns);
  w.U8(e.shared ? 1 : 0);
  w.Dig(e.layer_digest);
  w.Dig(e.diff_id);
  w.Varint(e.size);
  w.Str(e.media_type);
  w.Str(e.metadata);
  w.I64(e.created_unix_nanos);
  w.Varint(e.uncompressed_size);
  return w.Take();
}

Result<CacheEntry> DecodeCacheEntry(std::string_view bytes) {
  Reader rd(bytes, "cache entry", kCacheEntryVersion);
  CacheEntry e;
  e.key = rd.Dig();
  e.ns = rd.Str();
  e.shared = rd.U8() != 0;
  e.layer_digest = rd.Dig();
  e.diff_id = rd.Dig();
  e.size = rd.Varint();
  e.media_type = rd.Str();
  e.metadata = rd.Str();
  e.created_unix_nanos = rd.I64();
  if (rd.version() >= 2) e.uncompressed_size = rd.Varint();
  TRY(rd.Finish());
  return e;
}

std::string EncodeBuild(const BuildRecord& b) {
  Writer w(kRecordVersion);
  w.Str(b.id);
  w.Str(b.ns);
  w.U8(static_cast<uint8_t>(b.state));
  w.I64(b.started_unix_nanos);
  w.I64(b.finished_unix_nanos);
  w.Dig(b.image_id);
  w.Varint(b.tags.size());
  for (const std::string& t : b.tags) w.Str(t);
  w.Varint(b.steps);
  w.Varint(b.cached_steps);
  w.Str(b.error);
  return w.Take();
}

Result<BuildRecord> DecodeBuild(std::string_view bytes) {
  Reader rd(bytes, "build");
  BuildRecord b;
  b.id = rd.Str();
  b.ns = rd.Str();
  b.state = static_cast<BuildState>(rd.U8());
  b.started_unix_nanos = rd.I64();
  b.finished_unix_nanos = rd.I64();
  b.image_id = rd.Dig();
  uint64_t tags = rd.Varint();
  for (uint64_t i = 0; i < tags && rd.ok(); ++i) b.tags.push_back(rd.Str());
  b.steps = static_cast<uint32_t>(rd.Varint());
  b.cached_steps = static_cast<uint32_t>(rd.Varint());
  b.error = rd.Str();
  TRY(rd.Finish());
  return b;
}

std::string EncodeTag(const Digest& image_id) {
  Writer w(kRecordVersion);
  w.Dig(image_id);
  return w.Take();
}

Result<Digest> DecodeTag(std::string_view bytes) {
  Reader rd(bytes, "tag");
  Digest d = rd.Dig();
  TRY(rd.Finish());
  return d;
}

std::string EncodeCount(uint64_t count) {
  Writer w(kRecordVersion);
  w.Varint(count);
  return w.Take();
}

Result<uint64_t> DecodeCount(std::string_view bytes) {
  Reader rd(bytes, "count");
  uint64_t n = rd.Varint();
  TRY(rd.Finish());
  return n;
}

}  // namespace strata::cache
