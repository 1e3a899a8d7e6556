#include "dockerfile/platform.h"

#include <algorithm>
#include <array>
#include <vector>

namespace strata::dockerfile {
namespace {

constexpr std::array<std::string_view, 11> kKnownOs = {"aix",     "android", "darwin", "dragonfly",
                                                       "freebsd", "illumos", "ios",    "linux",
                                                       "netbsd",  "openbsd", "windows"};
constexpr std::array<std::string_view, 14> kKnownArch = {
    "386",      "amd64",  "arm",   "arm64",   "loong64", "mips",  "mips64",
    "mips64le", "mipsle", "ppc64", "ppc64le", "riscv64", "s390x", "wasm"};

bool Contains(auto list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

void NormalizeArch(Platform* p) {
  std::string& a = p->architecture;
  if (a == "x86_64" || a == "x86-64" || a == "amd64") {
    a = "amd64";
    if (p->variant == "v1") p->variant.clear();
  } else if (a == "aarch64" || a == "arm64") {
    a = "arm64";
    if (p->variant == "8" || p->variant == "v8") p->variant.clear();
  } else if (a == "armhf") {
    a = "arm";
    p->variant = "v7";
  } else if (a == "armel") {
    a = "arm";
    p->variant = "v6";
  } else if (a == "arm") {
    if (p->variant.empty() || p->variant == "7") p->variant = "v7";
    if (p->variant == "5" || p->variant == "6" || p->variant == "8") p->variant = "v" + p->variant;
  } else if (a == "i386" || a == "i686") {
    a = "386";
  }
}

}  // namespace

Result<Platform> ParsePlatform(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.push_back(
        Lower(text.substr(start, slash == std::string_view::npos ? slash : slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (const std::string& part : parts) {
    bool ok = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    if (!ok || parts.size() > 3) {
      return Status::InvalidArgument("invalid platform \"" + std::string(text) +
                                     "\": expected os/arch[/variant], e.g. linux/amd64");
    }
  }
  Platform p;
  if (parts.size() == 1) {
    if (Contains(kKnownOs, parts[0])) {
      p.os = parts[0];
      p.architecture = "amd64";
    } else {
      p.os = "linux";
      p.architecture = parts[0];
      NormalizeArch(&p);
      if (!Contains(kKnownArch, p.architecture)) {
        return Status::InvalidArgument("invalid platform \"" + std::string(text) +
                                       "\": unknown operating system or architecture");
      }
    }
    return p;
  }
  p.os = parts[0] == "macos" ? "darwin" : parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  NormalizeArch(&p);
  return p;
}

std::string FormatPlatform(const Platform& p) {
  std::string out = p.os + "/" + p.architecture;
  if (!p.variant.empty()) out += "/" + p.variant;
  return out;
}

}  // namespace strata::dockerfile
