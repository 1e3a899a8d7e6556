#include "worker/copy_step.h"

#include <sys/stat.h>

#include <algorithm>

#include "sandbox/root_writer.h"
#include "worker/copy_archive.h"
#include "worker/copy_rules.h"
#include "worker/copy_source.h"
#include "common/errno_status.h"
#include "common/file_tree.h"
#include "common/file_util.h"
#include "image/byte_source.h"
#include "image/compression.h"
#include "image/layer_extract.h"
#include "image/path_resolver.h"
#include "sandbox/user_resolver.h"

namespace strata::worker {
namespace {

bool EndsAsDirectory(const std::string& dest) {
  return dest.empty() || dest == "." || dest.back() == '/' ||
         (dest.size() >= 2 && dest.compare(dest.size() - 2, 2, "/.") == 0);
}

bool IsRemote(const std::string& source) {
  return source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0 ||
         source.rfind("git@", 0) == 0;
}

// The pivot of a COPY --parents source (BuildKit's strings.Cut(src, "/./")):
// the part before the first "/./", or "" (the root) when there is none.
std::string ParentsPivot(const std::string& source) {
  size_t cut = source.find("/./");
  return cut == std::string::npos ? "" : source.substr(0, cut);
}

// COPY --parents: every match of every source goes to dest + its path below
// the source's pivot.
Status CopyWithParents(const CopyStep& step, sandbox::RootWriter& writer,
                       const std::vector<std::string>& dest_comps) {
  for (const std::string& pattern : step.sources) {
    ASSIGN_OR_RETURN(std::vector<std::string> pivot,
                     CleanComponents(ParentsPivot(pattern), "source"));
    ASSIGN_OR_RETURN(std::vector<CopySource> found, ResolveCopySources(step.source_root, pattern));
    for (const CopySource& source : found) {
      std::vector<std::string> rel = sandbox::ContainerPathComponents(source.path);
      if (rel.size() >= pivot.size() && std::equal(pivot.begin(), pivot.end(), rel.begin())) {
        rel.erase(rel.begin(), rel.begin() + static_cast<std::ptrdiff_t>(pivot.size()));
      }
      std::vector<std::string> target = dest_comps;
      target.insert(target.end(), rel.begin(), rel.end());
      struct stat st;
      if (::stat(source.host_path.c_str(), &st) != 0) {
        return Status::NotFound("COPY source " + source.host_path + " is a dangling symlink");
      }
      if (S_ISDIR(st.st_mode)) {
        ASSIGN_OR_RETURN(std::string dir, writer.EnsureDir(target, &st));
        TRY(writer.CopyChildren(source.host_path, dir));
        continue;
      }
      if (target.empty()) return Status::InvalidArgument("COPY --parents: cannot copy a file to /");
      std::string name = target.back();
      target.pop_back();
      ASSIGN_OR_RETURN(std::string dir, writer.EnsureDir(target));
      TRY(writer.CopyEntry(source.host_path, dir + "/" + name));
    }
  }
  return Status::OK();
}

}  // namespace

Status ApplyCopy(const CopyStep& step, const std::string& rootfs, const std::string& workdir,
                 std::optional<int64_t> source_date_epoch) {
  ASSIGN_OR_RETURN(sandbox::WriteRules rules, CopyWriteRules(step, rootfs, source_date_epoch));
  sandbox::RootWriter writer(rootfs, rules);
  if (step.parents) {
    std::string dest =
        step.dest.empty() || step.dest.front() != '/' ? workdir + "/" + step.dest : step.dest;
    TRY(CopyWithParents(step, writer, sandbox::ContainerPathComponents(dest)));
    for (const InlineFile& file : step.contents) {
      ASSIGN_OR_RETURN(std::string dir, writer.EnsureDir(sandbox::ContainerPathComponents(dest)));
      TRY(writer.WriteNewFile(file.name, file.content, dir + "/" + file.name));
    }
    return writer.SettleTimes();
  }

  std::vector<CopySource> sources;
  for (const std::string& pattern : step.sources) {
    if (IsRemote(pattern)) {
      return Status::InvalidArgument("ADD " + pattern +
                                     ": remote sources are not fetched by the worker; the "
                                     "coordinator must download them into the context");
    }
    ASSIGN_OR_RETURN(std::vector<CopySource> found, ResolveCopySources(step.source_root, pattern));
    for (CopySource& s : found) sources.push_back(std::move(s));
  }
  bool dest_is_dir = EndsAsDirectory(step.dest);
  if (sources.size() + step.contents.size() > 1 && !dest_is_dir) {
    return Status::InvalidArgument(
        "When using COPY with more than one source file, the destination must be a directory "
        "and end with a / (destination \"" +
        step.dest + "\")");
  }
  std::string dest = step.dest;
  if (dest.empty() || dest.front() != '/') dest = workdir + "/" + dest;
  std::vector<std::string> dest_comps = sandbox::ContainerPathComponents(dest);

  // Where a file source goes: into the dest directory under `name`, or
  // to dest itself.
  auto file_target = [&](const std::string& name) -> Result<std::string> {
    bool into_dir = dest_is_dir || dest_comps.empty();
    if (!into_dir) {
      ASSIGN_OR_RETURN(std::string existing, FollowInRoot(rootfs, dest_comps));
      struct stat st;
      into_dir = ::stat(existing.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (into_dir) {
      ASSIGN_OR_RETURN(std::string dir, writer.EnsureDir(dest_comps));
      return dir + "/" + name;
    }
    std::vector<std::string> parent(dest_comps.begin(), dest_comps.end() - 1);
    ASSIGN_OR_RETURN(std::string dir, writer.EnsureDir(parent));
    return dir + "/" + dest_comps.back();
  };

  for (const CopySource& source : sources) {
    struct stat st;
    if (::stat(source.host_path.c_str(), &st) != 0) {
      return Status::NotFound("COPY source " + source.host_path + " is a dangling symlink");
    }
    if (S_ISDIR(st.st_mode)) {
      // Contents only: an existing destination keeps its own metadata, a
      // created one takes the source directory's mode and mtime.
      ASSIGN_OR_RETURN(std::string dir, writer.EnsureDir(dest_comps, &st));
      TRY(writer.CopyChildren(source.host_path, dir));
      continue;
    }
    if (step.unpack_archives && S_ISREG(st.st_mode) && IsTarArchive(source.host_path)) {
      ASSIGN_OR_RETURN(std::string dir, writer.EnsureDir(dest_comps));
      // ADD --chown owns what it extracts, as BuildKit.
      Status extracted = ExtractArchiveInto(source.host_path, dir, rules.owner);
      if (!extracted.ok()) {
        return Status(extracted.code(), "ADD " + source.name + ": extracting into " + dest + ": " +
                                            extracted.message());
      }
      continue;
    }
    ASSIGN_OR_RETURN(std::string target, file_target(source.name));
    TRY(writer.CopyEntry(source.host_path, target));
  }
  for (const InlineFile& file : step.contents) {
    ASSIGN_OR_RETURN(std::string target, file_target(file.name));
    TRY(writer.WriteNewFile(file.name, file.content, target));
  }
  return writer.SettleTimes();
}

}  // namespace strata::worker
