#include "coordinator/build_step_key.h"

#include <map>
#include <set>

namespace strata::coordinator {
namespace {

using dockerfile::AddCommand;
using dockerfile::ArgCommand;
using dockerfile::CopyCommand;
using dockerfile::RunCommand;
using dockerfile::WorkdirCommand;

std::vector<std::string> HeredocItems(const std::vector<dockerfile::Heredoc>& files) {
  std::vector<std::string> items;
  for (const auto& f : files) {
    items.push_back(f.name);
    items.push_back(f.content);
    items.push_back(f.expand ? "expand" : "raw");
    items.push_back(f.chomp ? "chomp" : "keep");
  }
  return items;
}

std::vector<std::string> ContentItems(const std::vector<dockerfile::SourceContent>& contents) {
  std::vector<std::string> items;
  for (const auto& c : contents) {
    items.push_back(c.path);
    items.push_back(c.data);
  }
  return items;
}

// The fields COPY and ADD share.
template <typename T>
void CopyFields(const T& c, const ExecState& state, cache::CacheKeyBuilder* b) {
  b->List("sources", c.sources)
      .String("dest", c.dest)
      .String("workdir", state.workdir)
      .String("chown", c.chown)
      .String("chmod", c.chmod)
      .Bool("link", c.link)
      .List("excludes", c.excludes)
      .List("contents", ContentItems(c.contents));
}

}  // namespace

const Digest& ScratchKey() {
  static const Digest kKey = Digest::Sha256Of("strata-scratch-v1");
  return kKey;
}

std::vector<std::string> CommandArgv(const dockerfile::CommandLine& line,
                                     const std::vector<std::string>& shell) {
  if (!line.prepend_shell) return line.args;
  std::vector<std::string> argv = shell;
  std::string joined;
  for (size_t i = 0; i < line.args.size(); ++i) joined += (i ? " " : "") + line.args[i];
  argv.push_back(joined);
  return argv;
}

Result<std::vector<cache::InputEntry>> SelectCopyInputs(ContextSource* context,
                                                        const std::vector<std::string>& sources,
                                                        const std::vector<std::string>& excludes,
                                                        bool parents) {
  if (!parents || excludes.empty()) return context->Select(sources, excludes);
  std::map<std::string, cache::InputEntry> out;
  for (const std::string& source : sources) {
    size_t cut = source.find("/./");
    std::string pivot = cut == std::string::npos || cut == 0 ? "." : source.substr(0, cut);
    ASSIGN_OR_RETURN(std::vector<cache::InputEntry> matched, context->Select({source}, {}));
    ASSIGN_OR_RETURN(std::vector<cache::InputEntry> kept, context->Select({pivot}, excludes));
    std::set<std::string> keep;
    for (const cache::InputEntry& e : kept) keep.insert(e.path);
    for (cache::InputEntry& e : matched) {
      if (keep.contains(e.path)) out.emplace(e.path, std::move(e));
    }
  }
  std::vector<cache::InputEntry> entries;
  entries.reserve(out.size());
  for (auto& [path, e] : out) entries.push_back(std::move(e));
  return entries;
}

Result<cache::CacheKeyBuilder> StepKeyBuilder(const Digest& parent, const dockerfile::BuildStep& step,
                                              const ExecState& state, const Digest& from_key,
                                              ContextSource* context) {
  const dockerfile::Command& command = step.command;
  cache::CacheKeyBuilder b(parent, command.keyword);
  if (const auto* run = command.As<RunCommand>()) {
    b.List("argv", CommandArgv(run->command, state.shell))
        .Bool("shell_form", run->command.prepend_shell)
        .List("heredocs", HeredocItems(run->command.files))
        .Map("env", state.env)
        .String("user", state.user)
        .String("workdir", state.workdir)
        .List("shell", state.shell)
        .String("network", std::string(dockerfile::NetworkModeName(run->network)))
        .String("security",
                run->security == dockerfile::SecurityMode::kInsecure ? "insecure" : "sandbox")
        .List("mounts", run->mount_specs);
    return b;
  }
  const CopyCommand* copy = command.As<CopyCommand>();
  const AddCommand* add = command.As<AddCommand>();
  if (copy != nullptr || add != nullptr) {
    if (copy != nullptr) {
      CopyFields(*copy, state, &b);
      b.Bool("parents", copy->parents).String("from", copy->from);
    } else {
      CopyFields(*add, state, &b);
      b.String("checksum", add->checksum)
          .String("keep_git_dir", add->keep_git_dir ? (*add->keep_git_dir ? "true" : "false") : "")
          .String("unpack", add->unpack ? (*add->unpack ? "true" : "false") : "");
    }
    if (!from_key.empty()) {
      b.String("from_key", from_key.ToString());
      return b;
    }
    const auto& sources = copy ? copy->sources : add->sources;
    const auto& excludes = copy ? copy->excludes : add->excludes;
    if (!sources.empty()) {
      if (context == nullptr) {
        return Status::Internal("no build context to compute the cache key of " + step.text);
      }
      Result<std::vector<cache::InputEntry>> entries =
          SelectCopyInputs(context, sources, excludes, copy != nullptr && copy->parents);
      if (!entries.ok()) {
        // BuildKit's not-found error already says what failed.
        if (entries.status().message().rfind("failed to compute cache key", 0) == 0) {
          return entries.status();
        }
        return entries.status().Annotate("failed to compute cache key of " + step.text);
      }
      b.Inputs(cache::ContextInputsDigest(std::move(*entries)));
    }
    return b;
  }
  if (const auto* wd = command.As<WorkdirCommand>()) {
    b.String("path", wd->path).String("workdir", state.workdir).String("user", state.user);
    return b;
  }
  if (const auto* arg = command.As<ArgCommand>()) {
    std::vector<std::string> names;
    for (const auto& a : arg->args) names.push_back(a.name);
    b.List("names", names);
    return b;
  }
  b.String("text", step.text);
  return b;
}

}  // namespace strata::coordinator
