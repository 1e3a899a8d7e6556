#include "common/go_path_match.h"

#include <optional>

#include "common/utf8.h"

namespace strata {
namespace {

constexpr char kSep = '/';

// The reason a pattern is malformed, or nullopt.
using Malformed = std::optional<std::string>;

struct Chunk {
  bool star;
  std::string_view chunk;
  std::string_view rest;
};

// scanChunk: leading stars, then everything up to the next '*' outside [].
Chunk ScanChunk(std::string_view pattern) {
  bool star = false;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    star = true;
  }
  bool in_range = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;
    } else if (c == '[') {
      in_range = true;
    } else if (c == ']') {
      in_range = false;
    } else if (c == '*' && !in_range) {
      break;
    }
  }
  return {star, pattern.substr(0, i), pattern.substr(i)};
}

// getEsc: one possibly escaped character of a class; something must follow.
Malformed GetEsc(std::string_view* chunk, char32_t* rune) {
  std::string_view c = *chunk;
  if (c.empty()) return "unterminated '[' class";
  if (c[0] == '-' || c[0] == ']') {
    return std::string("'") + c[0] + "' where a class character was expected (escape it)";
  }
  if (c[0] == '\\') {
    c.remove_prefix(1);
    if (c.empty()) return "unterminated '[' class";
  }
  DecodedRune d = DecodeRune(c);
  if (d.rune == kRuneError && d.width == 1) return "invalid UTF-8 in a '[' class";
  *rune = d.rune;
  c.remove_prefix(d.width);
  *chunk = c;
  if (c.empty()) return "unterminated '[' class";
  return std::nullopt;
}

// matchChunk: matches chunk at the start of s, leaving the rest of s in
// *rest; keeps checking the chunk's syntax after a mismatch.
Malformed MatchChunk(std::string_view chunk, std::string_view s, std::string_view* rest, bool* ok) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    switch (chunk[0]) {
      case '[': {
        char32_t r = 0;
        if (!failed) {
          DecodedRune d = DecodeRune(s);
          r = d.rune;
          s.remove_prefix(d.width);
        }
        chunk.remove_prefix(1);
        bool negated = !chunk.empty() && chunk[0] == '^';
        if (negated) chunk.remove_prefix(1);
        bool match = false;
        for (int ranges = 0;; ++ranges) {
          if (!chunk.empty() && chunk[0] == ']' && ranges > 0) {
            chunk.remove_prefix(1);
            break;
          }
          char32_t lo = 0;
          if (Malformed m = GetEsc(&chunk, &lo)) return m;
          char32_t hi = lo;
          if (chunk[0] == '-') {
            chunk.remove_prefix(1);
            if (Malformed m = GetEsc(&chunk, &hi)) return m;
          }
          if (lo <= r && r <= hi) match = true;
        }
        if (match == negated) failed = true;
        break;
      }
      case '?':
        if (!failed) {
          if (s[0] == kSep) failed = true;
          s.remove_prefix(DecodeRune(s).width);
        }
        chunk.remove_prefix(1);
        break;
      case '\\':
        chunk.remove_prefix(1);
        if (chunk.empty()) return "trailing '\\' escapes nothing";
        [[fallthrough]];
      default:
        if (!failed) {
          if (chunk[0] != s[0]) failed = true;
          s.remove_prefix(1);
        }
        chunk.remove_prefix(1);
    }
  }
  *ok = !failed;
  if (*ok) *rest = s;
  return std::nullopt;
}

Status BadPattern(std::string_view pattern, const std::string& why) {
  return Status::InvalidArgument("syntax error in pattern \"" + std::string(pattern) +
                                 "\": " + why);
}

}  // namespace

Result<bool> GoPathMatch(std::string_view pattern, std::string_view name) {
  const std::string_view whole = pattern;
  while (!pattern.empty()) {
    Chunk c = ScanChunk(pattern);
    pattern = c.rest;
    if (c.star && c.chunk.empty()) {
      // A trailing '*' matches the rest unless it holds a separator.
      return name.find(kSep) == std::string_view::npos;
    }
    std::string_view rest;
    bool ok = false;
    Malformed m = MatchChunk(c.chunk, name, &rest, &ok);
    if (ok && (rest.empty() || !pattern.empty())) {
      name = rest;
      continue;
    }
    if (m) return BadPattern(whole, *m);
    bool advanced = false;
    if (c.star) {
      for (size_t i = 0; i < name.size() && name[i] != kSep; ++i) {
        m = MatchChunk(c.chunk, name.substr(i + 1), &rest, &ok);
        if (ok) {
          if (pattern.empty() && !rest.empty()) continue;
          name = rest;
          advanced = true;
          break;
        }
        if (m) return BadPattern(whole, *m);
      }
    }
    if (advanced) continue;
    // Before answering "no", check the rest of the pattern is well formed.
    while (!pattern.empty()) {
      c = ScanChunk(pattern);
      pattern = c.rest;
      if (Malformed bad = MatchChunk(c.chunk, "", &rest, &ok)) return BadPattern(whole, *bad);
    }
    return false;
  }
  return name.empty();
}

Status ValidateGoPattern(std::string_view pattern) {
  Result<bool> r = GoPathMatch(pattern, ".");
  return r.ok() ? Status::OK() : r.status();
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

std::string UnescapeGlob(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    char next = i + 1 < pattern.size() ? pattern[i + 1] : '\0';
    if (pattern[i] == '\\' && (next == '*' || next == '?' || next == '[' || next == '\\')) ++i;
    out += pattern[i];
  }
  return out;
}

}  // namespace strata
