#include "dockerfile/image_reference.h"

#include <string>

namespace strata::dockerfile {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | [-]+
bool IsPathComponent(std::string_view s) {
  size_t i = 0;
  auto alnum_run = [&]() {
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

// domain := component ('.' component)* [':' port], or an IPv6 literal in [].
bool IsDomain(std::string_view s) {
  std::string_view host = s;
  size_t colon = s.rfind(':');
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : s.substr(1, close - 1)) {
      if (!IsHex(c) && c != ':') return false;
    }
    if (close + 1 == s.size()) return true;
    if (s[close + 1] != ':') return false;
    colon = close + 1;
    host = {};
  } else if (colon != std::string_view::npos) {
    host = s.substr(0, colon);
  }
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty()) return false;
    for (char c : port) {
      if (c < '0' || c > '9') return false;
    }
  }
  if (host.empty()) return s[0] == '[';
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || !IsAlnum(part.front()) || !IsAlnum(part.back())) return false;
    for (char c : part) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  auto word = [](char c) { return IsAlnum(c) || c == '_'; };
  if (!word(s[0])) return false;
  for (char c : s) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// digest := algorithm ':' hex{32,}, algorithm := [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)*
bool IsDigest(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view algorithm = s.substr(0, colon);
  std::string_view hex = s.substr(colon + 1);
  bool need_letter = true;
  for (char c : algorithm) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (need_letter) {
      if (!letter) return false;
      need_letter = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
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

Status Invalid(std::string_view ref, std::string_view why) {
  return Status::InvalidArgument("invalid reference format \"" + std::string(ref) +
                                 "\": " + std::string(why));
}

}  // namespace

Status ValidateImageReference(std::string_view ref) {
  if (ref.empty()) return Invalid(ref, "empty reference");
  std::string_view rest = ref;
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    if (!IsDigest(rest.substr(at + 1))) return Invalid(ref, "malformed digest");
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' that comes after the last '/'.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    if (!IsTag(rest.substr(colon + 1))) return Invalid(ref, "malformed tag");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return Invalid(ref, "missing repository name");
  if (rest.size() > 255)
    return Invalid(ref, "repository name must not be more than 255 characters");

  // The first component is a domain when it looks like one (as docker's
  // normalisation decides): it holds '.' or ':', is "localhost", or has
  // upper-case letters.
  size_t first_slash = rest.find('/');
  std::string_view path = rest;
  if (first_slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, first_slash);
    bool has_upper = false;
    for (char c : first) has_upper |= (c >= 'A' && c <= 'Z');
    if (first.find_first_of(".:[") != std::string_view::npos || first == "localhost" || has_upper) {
      if (!IsDomain(first)) return Invalid(ref, "malformed registry host");
      path = rest.substr(first_slash + 1);
    }
  }
  size_t start = 0;
  while (true) {
    size_t next = path.find('/', start);
    std::string_view component =
        path.substr(start, next == std::string_view::npos ? next : next - start);
    if (!IsPathComponent(component)) {
      for (char c : component) {
        if (c >= 'A' && c <= 'Z') return Invalid(ref, "repository name must be lowercase");
      }
      return Invalid(ref, "malformed repository name component \"" + std::string(component) + "\"");
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  return Status::OK();
}

}  // namespace strata::dockerfile
