#pragma once

// The cache key of each build step (DESIGN.md "Cache key"): the key of FROM
// and, for every later step, a CacheKeyBuilder over the parent key, the
// instruction kind and its canonical arguments. The field names hashed per
// kind are listed in docs/build-cache.md.

#include <string>
#include <utility>
#include <vector>

#include "cache/cache_key.h"
#include "cache/context_inputs.h"
#include "common/result.h"
#include "dockerfile/plan.h"
#include "image/digest.h"

namespace strata::coordinator {

// The key of `FROM scratch`: sha256("strata-scratch-v1"), a fixed constant.
const Digest& ScratchKey();

// What a RUN sees of the stage when it runs; part of its key.
struct ExecState {
  std::vector<std::pair<std::string, std::string>> env;  // image ENV, then build args, proxies
  std::string user;
  std::string workdir = "/";
  std::vector<std::string> shell = {"/bin/sh", "-c"};
};

// The files of the build context a COPY/ADD selects. The client-side context
// manifest implements it; tests use a map.
class ContextSource {
 public:
  virtual ~ContextSource() = default;
  // The entries matching `patterns` (Dockerfile source paths, wildcards
  // allowed, directories taken recursively) minus `excludes`. NotFound for a
  // plain path that matches nothing.
  virtual Result<std::vector<cache::InputEntry>> Select(
      const std::vector<std::string>& patterns, const std::vector<std::string>& excludes) = 0;
};

// The context entries a COPY/ADD without --from reads: context->Select(
// sources, excludes), except for COPY --parents, whose excludes are relative
// to each source's `/./` pivot (or the context root without one), as BuildKit
// copies from the pivot with the rest of the source as an include pattern.
Result<std::vector<cache::InputEntry>> SelectCopyInputs(ContextSource* context,
                                                        const std::vector<std::string>& sources,
                                                        const std::vector<std::string>& excludes,
                                                        bool parents);

// The argv a RUN/CMD/ENTRYPOINT command line runs: exec form as written,
// shell form as `shell... "joined args"`.
std::vector<std::string> CommandArgv(const dockerfile::CommandLine& line,
                                     const std::vector<std::string>& shell);

// The key builder of `step` (not FROM) after `parent`.
//  - RUN: argv, form, heredocs, env (sorted), user, workdir, shell, network,
//    security, mounts.
//  - COPY/ADD: sources, dest, workdir, --chown, --chmod, --link, --parents,
//    excludes, heredoc files, ADD's --checksum/--keep-git-dir/--unpack;
//    `from_key` is the --from stage's final key or image's manifest digest
//    (empty without --from); without --from the selected context entries'
//    ContextInputsDigest is the inputs. `context` may be null only then.
//  - WORKDIR: resolved path and user. ARG: the declared names only (values
//    reach the key of the RUNs that see them through their env).
//  - Other metadata: the instruction's text after expansion.
Result<cache::CacheKeyBuilder> StepKeyBuilder(const Digest& parent, const dockerfile::BuildStep& step,
                                              const ExecState& state, const Digest& from_key,
                                              ContextSource* context);

}  // namespace strata::coordinator
