#include "dockerfile/flag_support.h"

#include <string>
#include <string_view>

#include "dockerfile/platform.h"

namespace strata::dockerfile {
namespace {

Status NotYet(const std::string& what, const std::string& hint = "") {
  return Status::InvalidArgument(what + " is not supported yet" + (hint.empty() ? "" : ": " + hint));
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A Git source as BuildKit's ParseGitRef sees one: git@host:repo, git:// and
// ssh:// URLs, and an http(s) URL whose path ends in ".git" (before '#').
bool IsGitSource(std::string_view src) {
  if (StartsWith(src, "git@") || StartsWith(src, "git://") || StartsWith(src, "ssh://")) {
    return true;
  }
  if (!StartsWith(src, "http://") && !StartsWith(src, "https://")) return false;
  std::string_view path = src.substr(0, src.find_first_of("#?"));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path.size() > 4 && path.substr(path.size() - 4) == ".git";
}

// --chmod: the worker applies octal modes; symbolic ones ("u+x") not yet.
Status CheckChmod(const std::string& keyword, const std::string& chmod) {
  for (char c : chmod) {
    if (c < '0' || c > '7') {
      return NotYet(keyword + " --chmod=" + chmod + " (a symbolic mode)",
                    "write the mode in octal, e.g. --chmod=755");
    }
  }
  return Status::OK();
}

// COPY --parents is carried out for pivots without wildcards and for
// filepath.Match patterns (BuildKit matches them as include patterns, where
// "**" also crosses directories).
Status CheckParents(const CopyCommand& copy) {
  for (const std::string& source : copy.sources) {
    size_t cut = source.find("/./");
    std::string_view pivot = cut == std::string::npos ? "" : std::string_view(source).substr(0, cut);
    if (pivot.find_first_of("*?[") != std::string_view::npos) {
      return NotYet("COPY --parents with a wildcard before the /./ pivot (" + source + ")");
    }
    if (source.find("**") != std::string::npos) {
      return NotYet("COPY --parents with ** (" + source + ")");
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckStepFlags(const BuildStep& step) {
  const Command& command = step.command;
  if (const auto* run = command.As<RunCommand>()) {
    if (!run->mount_specs.empty()) return NotYet("RUN --mount");
    if (run->security == SecurityMode::kInsecure) return NotYet("RUN --security=insecure");
    return Status::OK();
  }
  if (const auto* copy = command.As<CopyCommand>()) {
    if (copy->parents) TRY(CheckParents(*copy));
    if (!copy->excludes.empty() && !copy->from.empty()) {
      return NotYet("COPY --exclude together with --from",
                    "--exclude applies to sources from the build context only");
    }
    return CheckChmod("COPY", copy->chmod);
  }
  if (const auto* add = command.As<AddCommand>()) {
    if (add->keep_git_dir.has_value()) return NotYet("ADD --keep-git-dir");
    for (const std::string& source : add->sources) {
      if (IsGitSource(source)) return NotYet("ADD of a Git repository (" + source + ")");
    }
    return CheckChmod("ADD", add->chmod);
  }
  return Status::OK();
}

Status CheckStagePlatform(const BuildStage& stage, const std::string& build_platform) {
  if (stage.platform.empty()) return Status::OK();
  Result<Platform> want = ParsePlatform(stage.platform);
  Result<Platform> have = ParsePlatform(build_platform);
  if (want.ok() && have.ok() && FormatPlatform(*want) == FormatPlatform(*have)) {
    return Status::OK();
  }
  return NotYet("FROM --platform=" + stage.platform + " (or build --platform)",
                "strata runs build steps natively, on " + build_platform + " only");
}

}  // namespace strata::dockerfile
