#include "cli/context/stat_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/file_util.h"

namespace strata::cli::context {
namespace {

constexpr char kMagic[8] = {'S', 'T', 'R', 'A', 'T', 'A', 'S', 'C'};
constexpr size_t kDigestBytes = 32;
constexpr uint32_t kMaxPathBytes = 1 << 16;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string HexToBytes(const std::string& hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

std::string BytesToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// Reads little-endian fields from a buffer; any overrun makes ok() false.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }
  std::string_view Bytes(size_t n) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return {};
    }
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  uint64_t Uint(int bytes) {
    std::string_view b = Bytes(static_cast<size_t>(bytes));
    uint64_t v = 0;
    for (int i = static_cast<int>(b.size()) - 1; i >= 0; --i) {
      v = v << 8 | static_cast<unsigned char>(b[static_cast<size_t>(i)]);
    }
    return v;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(path);
    return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  }
  std::string data;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Status::IOError("cannot read " + path + ": " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

}  // namespace

FileStat FileStat::FromStat(const struct stat& st) {
  FileStat f;
  f.size = static_cast<uint64_t>(st.st_size);
  f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  f.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  f.inode = static_cast<uint64_t>(st.st_ino);
  f.device = static_cast<uint64_t>(st.st_dev);
  f.mode = static_cast<uint32_t>(st.st_mode);
  return f;
}

std::string StatCache::PathFor(const std::string& cache_root,
                               const std::string& absolute_context_dir) {
  return cache_root + "/context-cache/" + Digest::Sha256Of(absolute_context_dir).hex();
}

StatCache StatCache::Load(const std::string& file) {
  StatCache cache(file);
  Result<std::string> data = ReadWholeFile(file);
  if (!data.ok()) {
    if (!data.status().IsNotFound()) cache.load_note_ = data.status().message();
    return cache;
  }
  Status parsed = cache.Parse(*data);
  if (!parsed.ok()) {
    cache.entries_.clear();
    cache.load_note_ = parsed.message();
  }
  return cache;
}

Status StatCache::Parse(std::string_view data) {
  if (data.size() < sizeof kMagic + 4 + 8 + kDigestBytes) {
    return Status::Corruption("stat cache " + file_ + " is truncated");
  }
  std::string_view body = data.substr(0, data.size() - kDigestBytes);
  if (Digest::Sha256Of(body).hex() != BytesToHex(data.substr(body.size()))) {
    return Status::Corruption("stat cache " + file_ + ": checksum mismatch");
  }
  Reader in(body);
  if (in.Bytes(sizeof kMagic) != std::string_view(kMagic, sizeof kMagic)) {
    return Status::Corruption("stat cache " + file_ + " is not a stat cache (bad magic)");
  }
  uint64_t version = in.Uint(4);
  if (version != kVersion) {
    return Status::Corruption("stat cache " + file_ + ": version " + std::to_string(version) +
                              " is not " + std::to_string(kVersion));
  }
  uint64_t count = in.Uint(8);
  for (uint64_t i = 0; i < count && in.ok(); ++i) {
    uint64_t path_len = in.Uint(4);
    if (path_len == 0 || path_len > kMaxPathBytes) {
      return Status::Corruption("stat cache " + file_ + ": bad path length");
    }
    std::string path(in.Bytes(path_len));
    Entry e;
    e.stat.size = in.Uint(8);
    e.stat.mtime_ns = static_cast<int64_t>(in.Uint(8));
    e.stat.ctime_ns = static_cast<int64_t>(in.Uint(8));
    e.stat.inode = in.Uint(8);
    e.stat.device = in.Uint(8);
    e.stat.mode = static_cast<uint32_t>(in.Uint(4));
    std::string_view digest = in.Bytes(kDigestBytes);
    if (!in.ok()) break;
    e.content = Digest::Sha256FromHex(BytesToHex(digest));
    entries_[std::move(path)] = std::move(e);
  }
  if (!in.ok() || in.remaining() != 0) {
    return Status::Corruption("stat cache " + file_ + ": entry count does not match its size");
  }
  return Status::OK();
}

std::optional<Digest> StatCache::Lookup(const std::string& path, const FileStat& st) {
  auto it = entries_.find(path);
  if (it == entries_.end() || !(it->second.stat == st)) return std::nullopt;
  it->second.keep = true;
  return it->second.content;
}

void StatCache::Record(const std::string& path, const FileStat& st, const Digest& content,
                       int64_t read_started_ns) {
  int64_t changed = std::max(st.mtime_ns, st.ctime_ns);
  if (changed > read_started_ns - kRacyWindowNs) {
    entries_.erase(path);  // whatever was remembered is stale now
    return;
  }
  entries_[path] = Entry{st, content, true};
}

Status StatCache::Save() const {
  std::string out(kMagic, sizeof kMagic);
  PutU32(&out, kVersion);
  uint64_t count = 0;
  for (const auto& [path, e] : entries_) count += e.keep ? 1 : 0;
  PutU64(&out, count);
  for (const auto& [path, e] : entries_) {
    if (!e.keep) continue;
    PutU32(&out, static_cast<uint32_t>(path.size()));
    out += path;
    PutU64(&out, e.stat.size);
    PutU64(&out, static_cast<uint64_t>(e.stat.mtime_ns));
    PutU64(&out, static_cast<uint64_t>(e.stat.ctime_ns));
    PutU64(&out, e.stat.inode);
    PutU64(&out, e.stat.device);
    PutU32(&out, e.stat.mode);
    out += HexToBytes(e.content.hex());
  }
  out += HexToBytes(Digest::Sha256Of(out).hex());

  size_t slash = file_.rfind('/');
  if (slash != std::string::npos && slash > 0)
    TRY(MakeDirs(file_.substr(0, slash), 0700).Annotate("cannot create stat cache directory"));
  std::string tmp = file_ + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IOError("cannot write stat cache " + tmp + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Status::IOError("cannot write stat cache " + tmp + ": " + std::strerror(errno));
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  // No fsync: a cache lost or torn by a crash fails its checksum and is
  // rebuilt, which costs one re-hash and never a wrong answer.
  if (::close(fd) != 0 || ::rename(tmp.c_str(), file_.c_str()) != 0) {
    Status s = Status::IOError("cannot replace stat cache " + file_ + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    return s;
  }
  return Status::OK();
}

}  // namespace strata::cli::context
