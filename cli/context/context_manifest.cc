#include "cli/context/context_manifest.h"

#include <cstdio>

namespace strata::cli::context {
namespace {

constexpr char kManifestTag[] = "strata-context-v1";

std::string Octal(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string Payload(const ContextEntry& e) {
  if (e.type == EntryType::kRegular) return e.content.ToString();
  if (e.type == EntryType::kSymlink) return e.link_target;
  return "";
}

uint64_t Size(const ContextEntry& e) { return e.type == EntryType::kRegular ? e.size : 0; }

bool HasExtras(const ContextEntry& e) { return !e.xattrs.empty() || !e.hardlink_group.empty(); }

// The type field and, for an entry with extras, what follows its payload.
std::string TypeField(const ContextEntry& e) {
  return std::string(1, static_cast<char>(e.type)) + (HasExtras(e) ? "+" : "");
}
std::string Extras(const ContextEntry& e, char sep) {
  if (!HasExtras(e)) return "";
  std::string out = std::to_string(e.xattrs.size()) + sep;
  for (const auto& [name, value] : e.xattrs) {
    out += name + sep + std::to_string(value.size()) + sep + value;
  }
  return out + e.hardlink_group + sep;
}

}  // namespace

bool XattrTravelsWithTheFile(const std::string& name) {
  return name != "security.selinux" && name.rfind("trusted.overlay.", 0) != 0;
}

void AssignHardlinkGroups(const std::map<std::string, std::string>& inodes,
                          std::vector<ContextEntry>* entries) {
  std::map<std::string, std::vector<size_t>> members;  // inode -> entry indexes, path order
  for (size_t i = 0; i < entries->size(); ++i) {
    auto it = inodes.find((*entries)[i].path);
    if (it != inodes.end()) members[it->second].push_back(i);
  }
  for (const auto& [inode, indexes] : members) {
    if (indexes.size() < 2) continue;  // its other names are outside the context
    for (size_t i : indexes) (*entries)[i].hardlink_group = (*entries)[indexes.front()].path;
  }
}

Digest ManifestDigest(const std::vector<ContextEntry>& entries) {
  Sha256Hasher hasher;
  hasher.Update(std::string_view(kManifestTag, sizeof kManifestTag));  // with its NUL
  std::string fields;
  for (const ContextEntry& e : entries) {
    fields.clear();
    fields += e.path;
    fields += '\0';
    fields += TypeField(e);
    fields += '\0';
    fields += Octal(e.mode);
    fields += '\0';
    fields += std::to_string(Size(e));
    fields += '\0';
    fields += Payload(e);
    fields += '\0';
    fields += Extras(e, '\0');
    hasher.Update(fields);
  }
  return hasher.Finish();
}

std::string ManifestPreimage(const std::vector<ContextEntry>& entries) {
  std::string out = std::string(kManifestTag) + "\n";
  for (const ContextEntry& e : entries) {
    std::string extras = Extras(e, ' ');
    out += "  " + e.path + " " + TypeField(e) + " " + Octal(e.mode) + " " +
           std::to_string(Size(e)) + " " + Payload(e) +
           (extras.empty() ? "" : " " + extras.substr(0, extras.size() - 1)) + "\n";
  }
  return out;
}

}  // namespace strata::cli::context
