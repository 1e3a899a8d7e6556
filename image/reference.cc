#include "image/reference.h"

#include <vector>

#include "common/ascii.h"

namespace strata::image {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr size_t kNameMaxLength = 255;

Status InvalidFormat() { return Status::InvalidArgument("invalid reference format"); }

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*
// separator := [_.] | "__" | "-"+
bool IsPathComponent(std::string_view s) {
  size_t i = 0;
  auto alnum_run = [&] {
    size_t start = i;
    while (i < s.size() && IsLowerAlnum(s[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < s.size()) {
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsDomainComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// domain := (domain-name | "[" ipv6 "]") (":" [0-9]+)?
bool IsDomain(std::string_view s) {
  std::string_view host = s;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : s.substr(1, close - 1)) {
      if (!IsHex(c) && c != ':') return false;
    }
    host = {};
    s = s.substr(close + 1);
  } else {
    size_t colon = s.find(':');
    host = s.substr(0, colon);
    s = colon == std::string_view::npos ? std::string_view() : s.substr(colon);
    size_t start = 0;
    while (true) {
      size_t dot = host.find('.', start);
      if (!IsDomainComponent(host.substr(start, dot - start))) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (s.empty()) return true;
  if (s.front() != ':' || s.size() < 2) return false;
  for (char c : s.substr(1)) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// tag := [\w][\w.-]{0,127}
bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !IsWord(s.front())) return false;
  for (char c : s) {
    if (!IsWord(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// digest := algorithm ":" [0-9a-fA-F]{32,}
// algorithm := [A-Za-z][A-Za-z0-9]* ([+._-][A-Za-z][A-Za-z0-9]*)*
bool IsDigestSyntax(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view alg = s.substr(0, colon), hex = s.substr(colon + 1);
  bool need_letter = true;
  for (char c : alg) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (need_letter) {
      if (!letter) return false;
      need_letter = false;
    } else if (c == '+' || c == '.' || c == '_' || c == '-') {
      need_letter = true;
    } else if (!IsAlnum(c)) {
      return false;
    }
  }
  if (need_letter || hex.size() < 32) return false;
  for (char c : hex) {
    if (!IsHex(c)) return false;
  }
  return true;
}

// The checks go-digest applies after the syntax matched.
Status ValidateDigest(std::string_view s) {
  size_t colon = s.find(':');
  std::string_view alg = s.substr(0, colon), hex = s.substr(colon + 1);
  size_t want = alg == "sha256" ? 64 : alg == "sha384" ? 96 : alg == "sha512" ? 128 : 0;
  if (want == 0) return Status::InvalidArgument("unsupported digest algorithm");
  if (hex.size() != want) return Status::InvalidArgument("invalid checksum digest length");
  for (char c : hex) {
    if (c >= 'A' && c <= 'F') return Status::InvalidArgument("invalid checksum digest format");
  }
  return Status::OK();
}

// Parses a fully qualified "domain/path[:tag][@digest]" (reference.Parse).
Status ParseQualified(std::string_view s, std::string* domain, std::string* path, std::string* tag,
                      std::string* digest) {
  std::string_view name = s;
  size_t at = s.find('@');
  if (at != std::string_view::npos) {
    std::string_view d = s.substr(at + 1);
    if (!IsDigestSyntax(d)) return InvalidFormat();
    name = s.substr(0, at);
    *digest = std::string(d);
  }
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return InvalidFormat();
  std::string_view dom = name.substr(0, slash);
  std::string_view rest = name.substr(slash + 1);
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    if (!IsTag(rest.substr(colon + 1))) return InvalidFormat();
    *tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  if (!IsDomain(dom)) return InvalidFormat();
  size_t start = 0;
  while (true) {
    size_t next = rest.find('/', start);
    if (!IsPathComponent(rest.substr(start, next - start))) {
      if (AsciiLower(rest) != rest) {
        return Status::InvalidArgument("repository name must be lowercase");
      }
      return InvalidFormat();
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  if (dom.size() + 1 + rest.size() > kNameMaxLength) {
    return Status::InvalidArgument("repository name must not be more than 255 characters");
  }
  if (!digest->empty()) TRY(ValidateDigest(*digest));
  *domain = std::string(dom);
  *path = std::string(rest);
  return Status::OK();
}

bool IsAnchoredIdentifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!IsDigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

std::string Reference::String() const {
  std::string s = Name();
  if (!tag_.empty()) s += ":" + tag_;
  if (!digest_.empty()) s += "@" + digest_;
  return s;
}

std::string Reference::FamiliarName() const {
  if (domain_ != kDefaultDomain) return Name();
  std::string_view p = path_;
  if (p.substr(0, kOfficialPrefix.size()) == kOfficialPrefix &&
      p.find('/', kOfficialPrefix.size()) == std::string_view::npos) {
    return std::string(p.substr(kOfficialPrefix.size()));
  }
  return path_;
}

std::string Reference::FamiliarString() const {
  std::string s = FamiliarName();
  if (!tag_.empty()) s += ":" + tag_;
  if (!digest_.empty()) s += "@" + digest_;
  return s;
}

Result<Reference> ParseReference(std::string_view text) {
  if (text.empty()) return InvalidFormat();
  if (IsAnchoredIdentifier(text)) {
    return Status::InvalidArgument("invalid repository name (" + std::string(text) +
                                   "), cannot specify 64-byte hexadecimal strings");
  }
  // splitDockerDomain: the first component is a registry only when it looks
  // like a host (has '.' or ':', is "localhost", or has uppercase letters).
  std::string domain, remainder;
  size_t slash = text.find('/');
  std::string_view first = text.substr(0, slash);
  if (slash == std::string_view::npos || (first.find_first_of(".:") == std::string_view::npos &&
                                          first != "localhost" && AsciiLower(first) == first)) {
    domain = std::string(kDefaultDomain);
    remainder = std::string(text);
  } else {
    domain = std::string(first);
    remainder = std::string(text.substr(slash + 1));
  }
  if (domain == kLegacyDefaultDomain) domain = std::string(kDefaultDomain);
  if (domain == kDefaultDomain && remainder.find('/') == std::string::npos) {
    remainder = std::string(kOfficialPrefix) + remainder;
  }
  std::string remote = remainder.substr(0, remainder.find(':'));
  if (AsciiLower(remote) != remote) {
    return Status::InvalidArgument("invalid reference format: repository name (" + remote +
                                   ") must be lowercase");
  }
  Reference ref;
  TRY(ParseQualified(domain + "/" + remainder, &ref.domain_, &ref.path_, &ref.tag_, &ref.digest_));
  if (ref.tag_.empty() && ref.digest_.empty()) ref.tag_ = "latest";
  return ref;
}

}  // namespace strata::image
