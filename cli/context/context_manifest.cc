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

}  // namespace

Digest ManifestDigest(const std::vector<ContextEntry>& entries) {
  Sha256Hasher hasher;
  hasher.Update(std::string_view(kManifestTag, sizeof kManifestTag));  // with its NUL
  std::string fields;
  for (const ContextEntry& e : entries) {
    fields.clear();
    fields += e.path;
    fields += '\0';
    fields += static_cast<char>(e.type);
    fields += '\0';
    fields += Octal(e.mode);
    fields += '\0';
    fields += std::to_string(Size(e));
    fields += '\0';
    fields += Payload(e);
    fields += '\0';
    hasher.Update(fields);
  }
  return hasher.Finish();
}

std::string ManifestPreimage(const std::vector<ContextEntry>& entries) {
  std::string out = std::string(kManifestTag) + "\n";
  for (const ContextEntry& e : entries) {
    out += "  " + e.path + " " + static_cast<char>(e.type) + " " + Octal(e.mode) + " " +
           std::to_string(Size(e)) + " " + Payload(e) + "\n";
  }
  return out;
}

}  // namespace strata::cli::context
