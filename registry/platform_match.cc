#include "registry/platform_match.h"

#include <sys/utsname.h>

#include <vector>

namespace strata::registry {
namespace {

std::vector<std::string_view> SplitSlash(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

// GOARCH of a uname machine name.
std::string GoArch(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine.substr(0, 3) == "arm") return "arm";
  if (machine == "i386" || machine == "i686") return "386";
  return std::string(machine);  // ppc64le, s390x, riscv64
}

std::string VariantOrDefault(const image::Platform& p) {
  if (!p.variant.empty()) return p.variant;
  if (p.architecture == "arm64") return "v8";
  return "";
}

}  // namespace

Result<image::Platform> ParsePlatform(std::string_view text) {
  std::vector<std::string_view> parts = SplitSlash(text);
  for (std::string_view part : parts) {
    if (part.empty() || parts.size() > 3) {
      return Status::InvalidArgument("invalid platform \"" + std::string(text) +
                                     "\": expected OS/ARCH[/VARIANT], e.g. linux/amd64");
    }
  }
  image::Platform p;
  if (parts.size() == 1) {
    p.os = "linux";
    p.architecture = std::string(parts[0]);
  } else {
    p.os = std::string(parts[0]);
    p.architecture = std::string(parts[1]);
    if (parts.size() == 3) p.variant = std::string(parts[2]);
  }
  return p;
}

std::string HostPlatform() {
  struct utsname u {};
  std::string arch = "amd64";
  if (uname(&u) == 0) arch = GoArch(u.machine);
  return "linux/" + arch;
}

Result<image::Descriptor> SelectPlatform(const image::Index& index, const image::Platform& want) {
  std::string available;
  for (const image::Descriptor& entry : index.manifests) {
    if (!entry.platform || entry.platform->os == "unknown") continue;
    const image::Platform& have = *entry.platform;
    if (!available.empty()) available += ", ";
    available += have.ToString();
    if (have.os != want.os || have.architecture != want.architecture) continue;
    if (!want.variant.empty() && VariantOrDefault(have) != VariantOrDefault(want)) continue;
    return entry;
  }
  return Status::NotFound("no matching manifest for " + want.ToString() +
                          " in the manifest list entries" +
                          (available.empty() ? "" : " (available: " + available + ")"));
}

}  // namespace strata::registry
