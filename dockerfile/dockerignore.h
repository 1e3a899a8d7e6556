#pragma once

// .dockerignore with Docker's semantics: the file is read as moby's
// ignorefile.ReadAll reads it and paths are matched as moby/patternmatcher's
// MatchesOrParentMatches matches them, which is what BuildKit's context
// transfer (fsutil) does.
//
// Reading: one pattern per line; a line whose first byte is '#' is a
// comment; a UTF-8 BOM on line 1 is dropped; surrounding white space is
// trimmed; blank lines are skipped; a leading '!' marks an exception; the
// rest is filepath.Clean'ed and a leading '/' removed ("/a", "./a", "a//b/.."
// all name the same thing).
//
// Matching: '*' matches within one path element, '?' one non-'/' character,
// '[...]' a class, '\\' escapes; "**" matches any number of directories
// (also none). A path is excluded when the last pattern matching it or one
// of its parent directories is not an exception.
//
// Thread safety: immutable after Parse; const methods may be called
// concurrently.

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace strata::dockerfile {

class DockerIgnore {
 public:
  DockerIgnore();
  ~DockerIgnore();
  DockerIgnore(DockerIgnore&&) noexcept;
  DockerIgnore& operator=(DockerIgnore&&) noexcept;

  // Parses the content of a .dockerignore file. InvalidArgument naming the
  // line when a pattern is malformed (unterminated '[', trailing '\\', a lone
  // '!', a class range that runs backwards, or a regexp escape such as "\\b"
  // that Docker would interpret and strata does not support).
  static Result<DockerIgnore> Parse(std::string_view file_content);

  // Builds from patterns already read (as patterns() returns them, or
  // `--exclude` values); errors name the pattern's index.
  static Result<DockerIgnore> FromPatterns(const std::vector<std::string>& patterns);

  // Whether the context-relative path ('/'-separated; cleaned first, a
  // leading '/' ignored) is left out of the build context. The context
  // root itself ("" or ".") is never excluded.
  bool Excluded(std::string_view relative_path) const;

  // False when an excluded directory `dir` can be skipped whole: no '!'
  // pattern could re-include anything below it. Follows fsutil: true as soon
  // as any exception holds a wildcard, else true only when an exception's
  // path lies under dir.
  bool MayHaveExceptionsUnder(std::string_view dir) const;

  // The patterns as ignorefile.ReadAll returns them ("!" kept on exceptions).
  const std::vector<std::string>& patterns() const { return patterns_; }
  bool empty() const { return patterns_.empty(); }

 private:
  // Notes which exceptions exist, for MayHaveExceptionsUnder.
  void Index();

 public:
  struct Rule;  // a compiled pattern; defined in dockerignore.cc

 private:

  std::vector<std::string> patterns_;
  std::vector<Rule> rules_;
  bool has_exceptions_ = false;
  bool exceptions_are_prefixes_ = true;
};

}  // namespace strata::dockerfile
