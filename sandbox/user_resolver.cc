#include "sandbox/user_resolver.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <optional>
#include <string_view>

#include "common/errno_status.h"

namespace strata::sandbox {
namespace {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::optional<uint32_t> ParseId(std::string_view text) {
  uint32_t value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<std::string> Split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(sep, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

// The file at `path` (absolute, as seen inside the container) of `rootfs`,
// or "" when it does not exist.
Result<std::string> ReadInRoot(const std::string& rootfs, const char* path) {
  int root_fd = open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return ErrnoStatus("open rootfs", rootfs);
  struct open_how how = {};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, root_fd, path, &how, sizeof how));
  int open_errno = errno;
  close(root_fd);
  if (fd < 0) {
    if (open_errno == ENOENT || open_errno == ENOTDIR) return std::string();
    errno = open_errno;
    return ErrnoStatus("open", rootfs + path);
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = ErrnoStatus("read", rootfs + path);
      close(fd);
      return s;
    }
    if (n == 0) break;
    text.append(buffer, n);
  }
  close(fd);
  return text;
}

// Lines that are not comments and have enough fields; others are skipped,
// as libc and Docker skip them.
std::vector<PasswdEntry> ParsePasswd(const std::string& text) {
  std::vector<PasswdEntry> entries;
  for (const std::string& line : Split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = Split(line, ':');
    if (f.size() < 4) continue;
    std::optional<uint32_t> uid = ParseId(f[2]);
    std::optional<uint32_t> gid = ParseId(f[3]);
    if (!uid || !gid) continue;
    entries.push_back({f[0], *uid, *gid});
  }
  return entries;
}

std::vector<GroupEntry> ParseGroup(const std::string& text) {
  std::vector<GroupEntry> entries;
  for (const std::string& line : Split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = Split(line, ':');
    if (f.size() < 3) continue;
    std::optional<uint32_t> gid = ParseId(f[2]);
    if (!gid) continue;
    GroupEntry entry{f[0], *gid, {}};
    if (f.size() >= 4 && !f[3].empty()) entry.members = Split(f[3], ',');
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

Result<ResolvedUser> ResolveUser(const std::string& rootfs, const std::string& user_spec) {
  ResolvedUser resolved;
  if (user_spec.empty()) return resolved;
  size_t colon = user_spec.find(':');
  std::string user_part = user_spec.substr(0, colon);
  std::optional<std::string> group_part;
  if (colon != std::string::npos) group_part = user_spec.substr(colon + 1);

  ASSIGN_OR_RETURN(std::string passwd_text, ReadInRoot(rootfs, "/etc/passwd"));
  std::vector<PasswdEntry> passwd = ParsePasswd(passwd_text);
  std::optional<uint32_t> numeric_uid = ParseId(user_part);
  const PasswdEntry* found = nullptr;
  for (const PasswdEntry& entry : passwd) {
    if (numeric_uid ? entry.uid == *numeric_uid : entry.name == user_part) {
      found = &entry;
      break;
    }
  }
  if (found != nullptr) {
    resolved.uid = found->uid;
    resolved.gid = found->gid;
  } else if (numeric_uid) {
    resolved.uid = *numeric_uid;
  } else if (!user_part.empty()) {
    return Status::InvalidArgument("unable to find user " + user_part +
                                   ": no matching entries in passwd file");
  }

  bool explicit_group = group_part && !group_part->empty();
  if (!explicit_group && found == nullptr) return resolved;
  ASSIGN_OR_RETURN(std::string group_text, ReadInRoot(rootfs, "/etc/group"));
  std::vector<GroupEntry> groups = ParseGroup(group_text);
  if (explicit_group) {
    std::optional<uint32_t> numeric_gid = ParseId(*group_part);
    if (numeric_gid) {
      resolved.gid = *numeric_gid;
      return resolved;
    }
    for (const GroupEntry& group : groups) {
      if (group.name == *group_part) {
        resolved.gid = group.gid;
        return resolved;
      }
    }
    return Status::InvalidArgument("unable to find group " + *group_part +
                                   ": no matching entries in group file");
  }
  for (const GroupEntry& group : groups) {
    for (const std::string& member : group.members) {
      if (member == found->name) {
        resolved.additional_gids.push_back(group.gid);
        break;
      }
    }
  }
  return resolved;
}

Result<std::pair<uid_t, gid_t>> ResolveFileOwner(const std::string& rootfs,
                                                 const std::string& spec) {
  size_t colon = spec.find(':');
  std::string user_part = spec.substr(0, colon);
  // BuildKit's parseUID: "root" is 0, otherwise a decimal id.
  auto as_id = [](const std::string& text) -> std::optional<uint32_t> {
    if (text == "root") return 0u;
    return ParseId(text);
  };
  std::pair<uid_t, gid_t> owner{0, 0};
  if (std::optional<uint32_t> id = as_id(user_part)) {
    owner = {*id, *id};
  } else if (!user_part.empty()) {
    ASSIGN_OR_RETURN(std::string passwd_text, ReadInRoot(rootfs, "/etc/passwd"));
    for (const PasswdEntry& entry : ParsePasswd(passwd_text)) {
      if (entry.name == user_part) {
        owner = {entry.uid, entry.gid};
        break;
      }
    }
  }
  if (colon == std::string::npos) return owner;
  std::string group_part = spec.substr(colon + 1);
  if (group_part.empty()) {
    owner.second = 0;
  } else if (std::optional<uint32_t> id = as_id(group_part)) {
    owner.second = *id;
  } else {
    ASSIGN_OR_RETURN(std::string group_text, ReadInRoot(rootfs, "/etc/group"));
    for (const GroupEntry& group : ParseGroup(group_text)) {
      if (group.name == group_part) {
        owner.second = group.gid;
        break;
      }
    }
  }
  return owner;
}

}  // namespace strata::sandbox
