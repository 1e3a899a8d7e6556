#include "worker/go_glob.h"

#include <optional>
#include <string>

namespace strata::worker {
namespace {

// Parses the class starting after '[' at `p`; on success returns the
// index just past ']' and whether byte `c` is in it. nullopt: malformed.
struct ClassMatch {
  size_t end;
  bool matched;
};

std::optional<char> ClassChar(std::string_view p, size_t* i) {
  if (*i >= p.size() || p[*i] == '-' || p[*i] == ']') return std::nullopt;
  if (p[*i] == '\\') {
    ++*i;
    if (*i >= p.size()) return std::nullopt;
  }
  return p[(*i)++];
}

std::optional<ClassMatch> MatchClass(std::string_view p, size_t i, char c) {
  bool negated = i < p.size() && p[i] == '^';
  if (negated) ++i;
  bool matched = false;
  int ranges = 0;
  while (true) {
    if (i < p.size() && p[i] == ']' && ranges > 0) return ClassMatch{i + 1, matched != negated};
    std::optional<char> lo = ClassChar(p, &i);
    if (!lo) return std::nullopt;
    char hi = *lo;
    if (i < p.size() && p[i] == '-') {
      ++i;
      std::optional<char> h = ClassChar(p, &i);
      if (!h) return std::nullopt;
      hi = *h;
    }
    if (static_cast<unsigned char>(*lo) <= static_cast<unsigned char>(c) &&
        static_cast<unsigned char>(c) <= static_cast<unsigned char>(hi)) {
      matched = true;
    }
    ++ranges;
  }
}

bool Match(std::string_view p, std::string_view n) {
  while (!p.empty()) {
    switch (p[0]) {
      case '*': {
        while (!p.empty() && p[0] == '*') p.remove_prefix(1);
        for (size_t k = 0; k <= n.size(); ++k) {
          if (Match(p, n.substr(k))) return true;
          if (k < n.size() && n[k] == '/') return false;
        }
        return false;
      }
      case '?':
        if (n.empty() || n[0] == '/') return false;
        p.remove_prefix(1);
        n.remove_prefix(1);
        break;
      case '[': {
        if (n.empty() || n[0] == '/') return false;
        std::optional<ClassMatch> m = MatchClass(p, 1, n[0]);
        if (!m || !m->matched) return false;
        p.remove_prefix(m->end);
        n.remove_prefix(1);
        break;
      }
      case '\\':
        if (p.size() < 2 || n.empty() || n[0] != p[1]) return false;
        p.remove_prefix(2);
        n.remove_prefix(1);
        break;
      default:
        if (n.empty() || n[0] != p[0]) return false;
        p.remove_prefix(1);
        n.remove_prefix(1);
    }
  }
  return n.empty();
}

Status Validate(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      if (i + 1 >= p.size()) {
        return Status::InvalidArgument("bad pattern \"" + std::string(p) + "\": trailing '\\'");
      }
      ++i;
    } else if (p[i] == '[') {
      std::optional<ClassMatch> m = MatchClass(p, i + 1, 0);
      if (!m) {
        return Status::InvalidArgument("bad pattern \"" + std::string(p) +
                                       "\": malformed or unterminated '[' class");
      }
      i = m->end - 1;
    }
  }
  return Status::OK();
}

}  // namespace

Result<bool> GoGlobMatch(std::string_view pattern, std::string_view name) {
  TRY(Validate(pattern));
  return Match(pattern, name);
}

bool HasWildcard(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[') {
      return true;
    }
  }
  return false;
}

}  // namespace strata::worker
