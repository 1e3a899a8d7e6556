#include "cache/context_inputs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "common/path_clean.h"

namespace strata::cache {

namespace {

constexpr char kInputsTag[] = "strata-inputs-v1";

void SortUnique(std::vector<InputEntry>* entries) {
  std::sort(entries->begin(), entries->end(),
            [](const InputEntry& a, const InputEntry& b) { return a.path < b.path; });
  entries->erase(
      std::unique(entries->begin(), entries->end(),
                  [](const InputEntry& a, const InputEntry& b) { return a.path == b.path; }),
      entries->end());
}

std::string Octal(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string Payload(const InputEntry& e) {
  if (e.type == InputType::kRegular) return e.content.ToString();
  if (e.type == InputType::kSymlink) return e.link_target;
  return "";
}

bool HasExtras(const InputEntry& e) { return !e.xattrs.empty() || !e.hardlink_group.empty(); }

// The type field and, for an entry with extras, what follows its payload.
std::string TypeField(const InputEntry& e) {
  return std::string(1, static_cast<char>(e.type)) + (HasExtras(e) ? "+" : "");
}
std::string Extras(const InputEntry& e, char sep) {
  if (!HasExtras(e)) return "";
  std::string out = std::to_string(e.xattrs.size()) + sep;
  for (const auto& [name, value] : e.xattrs) {
    out += name + sep + std::to_string(value.size()) + sep + value;
  }
  return out + e.hardlink_group + sep;
}

Status Errno(const std::string& what, int err) {
  std::string msg = what + ": " + std::strerror(err);
  return err == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
}

// "a/./b//c/" -> "a/b/c"; fails for paths that climb out with "..".
Result<std::string> Normalise(const std::string& path) {
  std::optional<std::string> clean = CleanPathInside(path);
  if (!clean)
    return Status::InvalidArgument("source path " + path + " is outside the build context");
  return *clean;
}

Result<Digest> HashFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path, errno);
  Sha256Hasher hasher;
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Errno("read " + path, err);
    }
    if (n == 0) break;
    hasher.Update(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return hasher.Finish();
}

Status Scan(const std::string& root, const std::string& rel, std::vector<InputEntry>* out) {
  std::string full = rel.empty() ? root : root + "/" + rel;
  struct stat st;
  if (::lstat(full.c_str(), &st) != 0) return Errno("source " + full, errno);
  InputEntry e;
  e.path = rel;
  e.mode = st.st_mode & 07777;
  if (S_ISREG(st.st_mode)) {
    e.type = InputType::kRegular;
    e.size = static_cast<uint64_t>(st.st_size);
    ASSIGN_OR_RETURN(e.content, HashFile(full));
  } else if (S_ISLNK(st.st_mode)) {
    e.type = InputType::kSymlink;
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
    if (n < 0) return Errno("readlink " + full, errno);
    target.resize(static_cast<size_t>(n));
    e.link_target = std::move(target);
  } else if (S_ISDIR(st.st_mode)) {
    e.type = InputType::kDirectory;
  } else {
    e.type = InputType::kOther;
  }
  // The context root itself is not copied, only what it holds.
  if (!rel.empty()) out->push_back(std::move(e));
  if (!S_ISDIR(st.st_mode)) return Status::OK();

  DIR* dir = ::opendir(full.c_str());
  if (dir == nullptr) return Errno("list " + full, errno);
  std::vector<std::string> names;
  while (struct dirent* d = ::readdir(dir)) {
    std::string name = d->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    TRY(Scan(root, rel.empty() ? name : rel + "/" + name, out));
  }
  return Status::OK();
}

}  // namespace

Digest ContextInputsDigest(std::vector<InputEntry> entries) {
  SortUnique(&entries);
  Sha256Hasher hasher;
  hasher.Update(std::string_view(kInputsTag, sizeof kInputsTag));  // includes the NUL
  for (const InputEntry& e : entries) {
    std::string fields = e.path + '\0' + TypeField(e) + '\0' + Octal(e.mode) + '\0' +
                         std::to_string(e.type == InputType::kRegular ? e.size : 0) + '\0' +
                         Payload(e) + '\0' + Extras(e, '\0');
    hasher.Update(fields);
  }
  return hasher.Finish();
}

std::string ContextInputsPreimage(std::vector<InputEntry> entries) {
  SortUnique(&entries);
  std::string out = std::string(kInputsTag) + "\n";
  for (const InputEntry& e : entries) {
    std::string extras = Extras(e, ' ');
    out += "  " + e.path + " " + TypeField(e) + " " + Octal(e.mode) + " " +
           std::to_string(e.type == InputType::kRegular ? e.size : 0) + " " + Payload(e) +
           (extras.empty() ? "" : " " + extras.substr(0, extras.size() - 1)) + "\n";
  }
  return out;
}

Result<std::vector<InputEntry>> ScanContextInputs(const std::string& root,
                                                  const std::vector<std::string>& paths) {
  std::vector<InputEntry> out;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string rel, Normalise(path));
    TRY(Scan(root, rel, &out));
  }
  SortUnique(&out);
  return out;
}

}  // namespace strata::cache
